"""Who may use the portal and see which search hits — decided here, from
``accounts.permissions`` (DESIGN §3.6).

A search document carries its policy key: the record's jurisdiction path and the permission
that reads it. ``visible(actor)`` turns the actor's grants into one condition over those two
columns, so the database applies the policy inside the search query, before its limit: a
hit the officer may not read is never fetched, counted or ranked.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from minwon.accounts.permissions import in_scope, is_allowed, scope_paths, scopes_for
from minwon.kernel.errors import Forbidden
from minwon.kernel.types import NATION, Actor, ActorKind
from minwon.petitions.permissions import PetitionsPermission

from .index import AUDIENCE, PERMISSION
from .models import Campaign, Recipient, SearchAudience, SearchDocument
from .permissions import PortalPermission

USE = PortalPermission.USE
#: 기한 경과 보고 go to whoever oversees the departments' petitions (the heads).
REPORTS = PetitionsPermission.OVERSEE


def can_use(actor: Actor) -> bool:
    """Staff holding ``portal.use`` somewhere (every staff role does)."""
    return actor.kind == ActorKind.STAFF and bool(scopes_for(actor, USE))


def can_land(actor: Actor) -> bool:
    """Every staff member has a landing page, with or without grants (it tells them)."""
    return actor.kind == ActorKind.STAFF


def can_process_petitions(actor: Actor) -> bool:
    """Whether the landing page shows a work queue (``petitions.process`` somewhere)."""
    return bool(scopes_for(actor, PetitionsPermission.PROCESS))


def can_see_reports(actor: Actor) -> bool:
    """Whether the landing page shows 기한 경과 보고 (``petitions.oversee`` somewhere)."""
    return bool(scopes_for(actor, REPORTS))


def require_use(actor: Actor) -> None:
    """Refuse (403) anyone but staff who may use the portal."""
    if not can_use(actor):
        raise Forbidden(
            "행정포털은 담당 공무원만 이용할 수 있습니다.",
            "The staff portal is for staff only.",
            code="permission_denied",
        )


#: What an actor may see, as data: ((permission, (path, ...)), ...) — hashable, so the
#: compiled search statement can be kept per distinct set of scopes.
Scopes = tuple[tuple[str, tuple[str, ...]], ...]


def visible_scopes(actor: Actor) -> Scopes:
    """For each permission a search document (or its audience) can carry, the subtrees
    where ``actor`` holds it (the nation's path alone when national); empty unless they may
    use the portal."""
    if not can_use(actor):
        return ()
    scopes = []
    wanted = {p.value for p in PERMISSION.values()} | {p.value for p in AUDIENCE.values()}
    for permission in sorted(wanted):
        paths = sorted(set(scope_paths(actor, permission)))
        if f"{NATION}/" in paths:
            paths = [f"{NATION}/"]
        if paths:
            scopes.append((permission, tuple(paths)))
    return tuple(scopes)


def visible_departments(actor: Actor) -> tuple[str, ...]:
    """The departments (부서) the actor works in: a campaign sent to one of them is theirs
    to see (as on the campaign pages, ``answerable``)."""
    if not can_use(actor):
        return ()
    return tuple(sorted(set(_departments(actor))))


def _within(permission: str, paths: tuple[str, ...]) -> Q:
    if paths == (f"{NATION}/",):
        return Q(permission=permission)
    within = Q()
    for path in paths:
        within |= Q(jurisdiction_path__startswith=path)
    return Q(permission=permission) & within


def condition_for(scopes: Scopes, departments: tuple[str, ...] = ()) -> Q | None:
    """The OR over each permission of (permission = p AND path in one of its subtrees), on
    the document's own key or — for kinds others see too — on one of its audience rows
    (an audience row naming a department only for staff of that department); ``None``
    when nothing is visible."""
    own = {p.value for p in PERMISSION.values()}
    shared = {p.value for p in AUDIENCE.values()}
    condition = Q()
    audience = Q()
    for permission, paths in scopes:
        if permission in own:
            condition |= _within(permission, paths)
        if permission in shared:
            audience |= _within(permission, paths)
    if audience:
        rows = SearchAudience.objects.filter(
            audience,
            Q(department="") | Q(department__in=list(departments)),
            kind=OuterRef("kind"),
            entity_id=OuterRef("entity_id"),
        )
        kinds = sorted(k.value for k in AUDIENCE)
        condition |= Q(kind__in=kinds) & Q(Exists(rows))
    return condition if condition else None


def visible(actor: Actor) -> QuerySet[SearchDocument]:
    """The search documents ``actor`` may see (none unless they may use the portal)."""
    condition = condition_for(visible_scopes(actor), visible_departments(actor))
    if condition is None:
        return SearchDocument.objects.none()
    return SearchDocument.objects.filter(condition)


def can_read(actor: Actor, document: SearchDocument) -> bool:
    """Whether one hit is visible (the same rule as ``visible``, for a single row)."""
    code = document.jurisdiction_path.rstrip("/").rsplit("/", 1)[-1]
    if can_use(actor) and is_allowed(actor, document.permission, code):
        return True
    return visible(actor).filter(pk=document.pk).exists() if document.kind in AUDIENCE else False


# --- 자동취합 campaigns ---------------------------------------------------------------------
#
# A campaign is its office's: whoever holds ``portal.campaign_manage`` over the office makes
# it, sees its board and exports it. A recipient (an office, or one department of it) is
# answered by whoever holds ``portal.campaign_answer`` over that office — and, for a
# department, holds a role in it. Anyone else is told the campaign does not exist (404).

MANAGE = PortalPermission.CAMPAIGN_MANAGE
ANSWER = PortalPermission.CAMPAIGN_ANSWER


def can_manage_somewhere(actor: Actor) -> bool:
    return actor.kind == ActorKind.STAFF and bool(scopes_for(actor, MANAGE))


def managed_campaigns(actor: Actor) -> QuerySet[Campaign]:
    """The campaigns of the offices where ``actor`` manages campaigns."""
    if actor.kind != ActorKind.STAFF:
        return Campaign.objects.none()
    queryset: QuerySet[Campaign] = in_scope(Campaign.objects.all(), actor, MANAGE)
    return queryset


def can_manage(actor: Actor, campaign: Campaign) -> bool:
    return actor.kind == ActorKind.STAFF and is_allowed(actor, MANAGE, campaign.jurisdiction_id)


def _departments(actor: Actor) -> list[str]:
    from minwon.accounts.models import RoleGrant

    if actor.id is None:
        return []
    return list(
        RoleGrant.objects.filter(user_id=actor.id)
        .exclude(department="")
        .values_list("department", flat=True)
    )


def answerable(actor: Actor) -> QuerySet[Recipient]:
    """The recipients ``actor`` answers for (their office's, and their department's)."""
    if actor.kind != ActorKind.STAFF:
        return Recipient.objects.none()
    queryset: QuerySet[Recipient] = in_scope(Recipient.objects.all(), actor, ANSWER)
    return queryset.filter(Q(department="") | Q(department__in=_departments(actor)))


def can_answer(actor: Actor, recipient: Recipient) -> bool:
    if actor.kind != ActorKind.STAFF or not is_allowed(actor, ANSWER, recipient.jurisdiction_id):
        return False
    return not recipient.department or recipient.department in _departments(actor)


def campaign_for(actor: Actor, campaign_id: int) -> Campaign | None:
    """The campaign if ``actor`` manages it or answers for one of its recipients, else
    ``None`` (absent and out of scope look the same)."""
    campaign = Campaign.objects.select_related("jurisdiction").filter(pk=campaign_id).first()
    if campaign is None:
        return None
    if can_manage(actor, campaign) or answerable(actor).filter(campaign=campaign).exists():
        return campaign
    return None
