"""Who may do what, where: the one engine behind every app's policy (DESIGN §3.6).

A permission is a declared value (``minwon.kernel.permissions``; each app's
``permissions.py``). Roles are data (``accounts.roles``); a staff member holds roles over
jurisdiction subtrees; an action on a record is allowed when one of the actor's grants
carries the permission and its jurisdiction contains the record's. Citizens and anonymous
visitors hold no staff permission: what they may do on their own data is decided by the
apps' policies. Agency clients hold the permissions stored on their key, within its
jurisdiction. A name nobody declared is a programming error and raises at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable

from minwon.kernel import jurisdictions
from minwon.kernel.errors import Forbidden
from minwon.kernel.permissions import declared, matches
from minwon.kernel.types import NATION, Actor, ActorKind
from minwon.registry.permissions import RegistryPermission

from .roles import ROLES

# Revealing a full RRN needs this permission *and* a stated purpose (logged).
REVEAL_RRN = RegistryPermission.REVEAL_RRN

CACHE_SECONDS = 10.0
_cache_lock = threading.Lock()
_grant_cache: dict[tuple[str, int], tuple[float, list[tuple[str, str]]]] = {}


def _known(permission: str) -> str:
    if permission not in declared:
        raise LookupError(f"undeclared permission {permission!r}")
    return permission


def _matches(held: Iterable[str], permission: str) -> bool:
    return any(matches(item, permission) for item in held)


def role_permissions(role: str) -> frozenset[str]:
    """The permissions (or ``*``) a role holds; an unknown role holds none."""
    return ROLES.get(role, frozenset())


def grants_of(actor: Actor) -> list[tuple[str, str]]:
    """(permission-set name, jurisdiction code) pairs the actor holds, cached briefly."""
    if actor.kind == ActorKind.STAFF and actor.id is not None:
        key = ("staff", actor.id)
        now = time.monotonic()
        hit = _grant_cache.get(key)
        if hit and now - hit[0] < CACHE_SECONDS:
            return hit[1]
        from minwon.accounts.models import RoleGrant

        value = list(
            RoleGrant.objects.filter(user_id=actor.id, user__is_active=True).values_list(
                "role", "jurisdiction_id"
            )
        )
        with _cache_lock:
            _grant_cache[key] = (now, value)
        return value
    return []


def permissions_over(actor: Actor, jurisdiction: str) -> set[str]:
    """Every permission (pattern) the actor holds over ``jurisdiction``."""
    if actor.kind == ActorKind.SYSTEM:
        return {"*"}
    if actor.kind in (ActorKind.CITIZEN, ActorKind.ANONYMOUS):
        return set()
    if actor.kind == ActorKind.AGENCY:
        return _agency_permissions(actor, jurisdiction)
    held: set[str] = set()
    for role, scope in grants_of(actor):
        if jurisdictions.contains(scope, jurisdiction):
            held |= role_permissions(role)
    return held


def _agency_permissions(actor: Actor, jurisdiction: str) -> set[str]:
    from minwon.accounts.models import AgencyClient

    if actor.id is None:
        return set()
    client = (
        AgencyClient.objects.filter(pk=actor.id, active=True)
        .values_list("jurisdiction_id", "permissions")
        .first()
    )
    if client is None or not jurisdictions.contains(client[0], jurisdiction):
        return set()
    return set(client[1])


def is_allowed(actor: Actor, permission: str, jurisdiction: str) -> bool:
    _known(permission)
    if actor.kind == ActorKind.SYSTEM:
        return True
    return _matches(permissions_over(actor, jurisdiction), permission)


def authorize(actor: Actor, permission: str, jurisdiction: str) -> None:
    """Raise 403 unless allowed. The message says whether it is role or scope."""
    if is_allowed(actor, permission, jurisdiction):
        return
    if actor.kind == ActorKind.STAFF and any(
        _matches(role_permissions(role), permission) for role, _ in grants_of(actor)
    ):
        raise Forbidden(
            "담당 관할 구역 밖의 업무입니다.",
            "This lies outside your jurisdiction.",
            field="jurisdiction",
            code="out_of_scope",
        )
    raise Forbidden(
        "이 업무를 할 권한이 없습니다.",
        "You do not have permission for this.",
        field=None,
        code="permission_denied",
    )


def scopes_for(actor: Actor, permission: str) -> list[str]:
    """Jurisdiction codes whose subtrees the actor may act on with ``permission`` — for
    filtering querysets (``jurisdiction__path__startswith``)."""
    _known(permission)
    if actor.kind == ActorKind.SYSTEM:
        return [NATION]
    if actor.kind in (ActorKind.CITIZEN, ActorKind.ANONYMOUS):
        return [NATION] if is_allowed(actor, permission, NATION) else []
    if actor.kind == ActorKind.AGENCY:
        from minwon.accounts.models import AgencyClient

        if actor.id is None:
            return []
        row = (
            AgencyClient.objects.filter(pk=actor.id, active=True)
            .values_list("jurisdiction_id", "permissions")
            .first()
        )
        return [row[0]] if row and _matches(row[1], permission) else []
    return [
        scope for role, scope in grants_of(actor) if _matches(role_permissions(role), permission)
    ]


def scope_paths(actor: Actor, permission: str) -> list[str]:
    return [jurisdictions.path_of(code) for code in scopes_for(actor, permission)]


def clear_cache() -> None:
    with _cache_lock:
        _grant_cache.clear()


def in_scope(queryset, actor: Actor, permission: str, *, field: str = "jurisdiction"):  # type: ignore[no-untyped-def]
    """Restrict ``queryset`` to rows whose ``field`` (a Jurisdiction FK) lies in the
    actor's scopes for ``permission``. One function serves pages and API alike."""
    from django.db.models import Q

    paths = scope_paths(actor, permission)
    if not paths:
        return queryset.none()
    if any(p == f"{NATION}/" for p in paths):
        return queryset
    condition = Q()
    for path in paths:
        condition |= Q(**{f"{field}__path__startswith": path})
    return queryset.filter(condition)
