"""Who may do what, where — checked in one place (DESIGN §3.6).

A permission is a dotted name (``petitions.process``). Roles hold permissions, possibly by
prefix (``registry.*``); a staff member holds roles over jurisdiction subtrees; an action on
a record is allowed when one of the actor's grants carries the permission and its
jurisdiction contains the record's. Citizens and anonymous visitors hold fixed sets, and
handlers check that a citizen acts on their own data.

Apps add permissions to roles with ``extend_role`` at import time of their ``commands``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable

from minwon.kernel import jurisdictions
from minwon.kernel.errors import Forbidden
from minwon.kernel.types import NATION, Actor, ActorKind

ROLE_PERMISSIONS: dict[str, set[str]] = {
    "counter_clerk": {
        "registry.read",
        "registry.register",
        "registry.move_in",
        "registry.household",
        "petitions.read",
        "petitions.intake",
        "documents.issue",
        "documents.read",
        "vehicles.read",
        "land.read",
        "licensing.read",
        "tax.read",
        "portal.use",
        "continuity.counter",
        "notices.send",
    },
    "officer": {
        "registry.read",
        "petitions.read",
        "petitions.intake",
        "petitions.process",
        "documents.read",
        "documents.issue",
        "vehicles.*",
        "land.*",
        "licensing.*",
        "tax.*",
        "sharing.request",
        "portal.use",
    },
    "department_head": {
        "registry.read",
        "petitions.*",
        "documents.read",
        "vehicles.read",
        "land.read",
        "licensing.*",
        "tax.read",
        "sharing.request",
        "portal.*",
    },
    "operator": {"ops.*", "continuity.*", "portal.use", "kernel.read"},
    "sysadmin": {"*"},
    "auditor": {
        "audit.read",
        "privacy.read_access_log",
        "registry.read",
        "petitions.read",
        "documents.read",
        "portal.use",
        "ops.view",
    },
}

CITIZEN_PERMISSIONS: set[str] = {"citizen.*"}
ANONYMOUS_PERMISSIONS: set[str] = {"public.*"}

# Revealing a full RRN needs this permission *and* a stated purpose (logged).
REVEAL_RRN = "registry.reveal_rrn"
ROLE_PERMISSIONS["counter_clerk"].add(REVEAL_RRN)
ROLE_PERMISSIONS["auditor"].add(REVEAL_RRN)

CACHE_SECONDS = 10.0
_cache_lock = threading.Lock()
_grant_cache: dict[tuple[str, int], tuple[float, list[tuple[str, str]]]] = {}


def extend_role(role: str, *permissions: str) -> None:
    """Let an app add its permissions to a role."""
    ROLE_PERMISSIONS.setdefault(role, set()).update(permissions)


def _matches(held: Iterable[str], permission: str) -> bool:
    for item in held:
        if item == "*" or item == permission:
            return True
        if item.endswith(".*") and permission.startswith(item[:-1]):
            return True
    return False


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
    if actor.kind == ActorKind.CITIZEN:
        return set(CITIZEN_PERMISSIONS)
    if actor.kind == ActorKind.ANONYMOUS:
        return set(ANONYMOUS_PERMISSIONS)
    if actor.kind == ActorKind.AGENCY:
        return _agency_permissions(actor, jurisdiction)
    held: set[str] = set()
    for role, scope in grants_of(actor):
        if jurisdictions.contains(scope, jurisdiction):
            held |= ROLE_PERMISSIONS.get(role, set())
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
    if actor.kind == ActorKind.SYSTEM:
        return True
    return _matches(permissions_over(actor, jurisdiction), permission)


def authorize(actor: Actor, permission: str, jurisdiction: str) -> None:
    """Raise 403 unless allowed. The message says whether it is role or scope."""
    if is_allowed(actor, permission, jurisdiction):
        return
    if actor.kind == ActorKind.STAFF and any(
        _matches(ROLE_PERMISSIONS.get(role, set()), permission) for role, _ in grants_of(actor)
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
        scope
        for role, scope in grants_of(actor)
        if _matches(ROLE_PERMISSIONS.get(role, set()), permission)
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
