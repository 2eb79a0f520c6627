"""Turning a request or a user into the kernel's ``Actor``."""

from __future__ import annotations

import functools
from typing import Any

from minwon.kernel import batch, sql
from minwon.kernel.types import Actor, ActorKind


def actor_for_user(user: Any) -> Actor:
    if user is None or not getattr(user, "is_authenticated", False):
        return Actor.anonymous()
    kind = ActorKind.STAFF if getattr(user, "kind", "") == "staff" else ActorKind.CITIZEN
    return Actor(kind, user.pk, user.get_username())


def actor_for_request(request: Any) -> Actor:
    """The actor behind a request: an agency client (X-Api-Key), a bearer-token or session
    user, or anonymous. The API's auth classes set ``request.minwon_actor``."""
    actor = getattr(request, "minwon_actor", None)
    if actor is not None:
        return actor
    return actor_for_user(getattr(request, "user", None))


def office_of(user: Any) -> str | None:
    return getattr(user, "office_id", None)


#: Which grant names a staff member on a record when they hold several: the senior one.
_TITLE_ORDER = ("department_head", "officer", "counter_clerk", "auditor", "operator", "sysadmin")


def staff_display_name(user_id: int | None) -> str:
    """How a staff member is named on a record others read (처리 과정, 결재):
    ``홍길동 (민원여권과 처리 담당)`` — name, 부서 and 직무 from the senior role grant —
    never the login name. An account without a name or grant gives what it has. Read once
    per replayed batch (``kernel.batch.memo``): no command an edge may send renames staff or
    changes grants."""
    return batch.memo("staff_display_name", user_id, lambda: _staff_display_name(user_id))


@functools.cache
def _name_and_grants() -> sql.Select:
    """The account and its grants in one read (LEFT JOIN; a row of Nones without a
    grant), built once: this read runs in every command that records a step, and building
    and compiling the queryset each time cost more than the read itself."""
    from minwon.accounts.models import RoleGrant, User

    user, grant = User._meta.db_table, RoleGrant._meta.db_table
    fields = [User._meta.get_field("display_name"), User._meta.get_field("username"),
              RoleGrant._meta.get_field("role"), RoleGrant._meta.get_field("department")]  # fmt: skip
    return sql.Select(
        f'SELECT u."display_name", u."username", g."role", g."department" FROM "{user}" u'  # noqa: S608
        f' LEFT JOIN "{grant}" g ON g."user_id" = u."id" WHERE u."id" = %s',
        fields,
    )


def _staff_display_name(user_id: int | None) -> str:
    from minwon.accounts.models import Role

    rows = _name_and_grants().rows(user_id) if user_id is not None else []
    if not rows:
        return ""
    display, username = rows[0][:2]
    name = display or username
    grants = sorted(
        ((role, department) for *_, role, department in rows if role is not None),
        key=lambda g: (_TITLE_ORDER.index(g[0]) if g[0] in _TITLE_ORDER else 99, g[1]),
    )
    if not grants:
        return name
    role, department = grants[0]
    title = " ".join(x for x in (department, str(Role(role).label)) if x)
    return f"{name} ({title})"
