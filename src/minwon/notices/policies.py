"""Who may read and do what with notices (DESIGN §3.6): every decision of this app here.

Staff see campaigns and notices of their jurisdiction subtree (``NoticesPermission.READ``) and
issue or manage campaigns there (``NoticesPermission.CAMPAIGN``); a citizen sees only notices addressed to
their own verified identity. Out of scope and absent look the same (404).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from minwon.accounts.permissions import in_scope, is_allowed, scope_paths, scopes_for
from minwon.kernel.errors import NotFound
from minwon.kernel.models import Jurisdiction, OutboxDelivery
from minwon.kernel.types import NATION, Actor, ActorKind
from minwon.notices.models import Campaign, InboxMessage, Notice
from minwon.notices.permissions import NoticesPermission
from minwon.notices.queries import inbox_for

READ = NoticesPermission.READ
CAMPAIGN = NoticesPermission.CAMPAIGN


def citizen_index(actor: Actor) -> str:
    """The acting citizen's RRN blind index ('' for anyone else)."""
    from minwon.accounts.models import User

    if actor.kind != ActorKind.CITIZEN or actor.id is None:
        return ""
    value = User.objects.filter(pk=actor.id).values_list("identity_index", flat=True).first()
    return value or ""


def visible(actor: Actor) -> QuerySet[InboxMessage]:
    """The citizen's own inbox messages, newest first (none for anyone else: staff see
    notices where they were sent, in their own registers)."""
    return inbox_for(citizen_index(actor))


def message(actor: Actor, message_id: int, *, with_notice: bool = False) -> InboxMessage:
    """One of the actor's own messages (one carrying a notice, if asked), or the same 404
    as for one that does not exist."""
    found = visible(actor).filter(pk=message_id)
    if with_notice:
        found = found.filter(notice__isnull=False)
    item = found.first()
    if item is None:
        raise NotFound("알림을 찾을 수 없습니다.", "Message not found.", field="message_id")
    return item


def staff_messages(actor: Actor) -> QuerySet[InboxMessage]:
    """알림함: the messages addressed to this staff account, newest first (none for anyone
    else — not even an administrator reads another officer's)."""
    if actor.kind != ActorKind.STAFF or actor.id is None:
        return InboxMessage.objects.none()
    return InboxMessage.objects.filter(
        recipient_kind=InboxMessage.RecipientKind.STAFF, recipient_user_id=actor.id
    ).order_by("-created_at", "-id")


def staff_unread(actor: Actor) -> int:
    """How many of the actor's own staff messages are unread."""
    return staff_messages(actor).filter(read_at__isnull=True).count()


def staff_message(actor: Actor, message_id: int, *, lock: bool = False) -> InboxMessage:
    """One message of the actor's own 알림함, or the 404 of one that does not exist."""
    found = staff_messages(actor).filter(pk=message_id)
    item = (found.select_for_update() if lock else found).first()
    if item is None:
        raise NotFound("알림을 찾을 수 없습니다.", "Message not found.", field="message_id")
    return item


def visible_campaigns(actor: Actor, permission: str = NoticesPermission.READ) -> QuerySet[Campaign]:
    qs: QuerySet[Campaign] = in_scope(
        Campaign.objects.select_related("jurisdiction"), actor, permission
    )
    return qs


def visible_notices(actor: Actor, permission: str = NoticesPermission.READ) -> QuerySet[Notice]:
    qs: QuerySet[Notice] = in_scope(Notice.objects.all(), actor, permission)
    return qs


def can_manage(actor: Actor, campaign: Campaign) -> bool:
    """Issue more, make print batches: ``notices.campaign`` over the campaign's office."""
    return is_allowed(actor, CAMPAIGN, campaign.jurisdiction_id)


def can_issue_campaign(actor: Actor) -> bool:
    return bool(scopes_for(actor, CAMPAIGN))


def can_see_dead_letters(actor: Actor) -> bool:
    return bool(scopes_for(actor, READ))


def visible_outbox(actor: Actor) -> QuerySet[OutboxDelivery]:
    """Outbox deliveries of events that an office in the actor's ``notices.read`` scope
    raised (the event keeps its office's code, not a foreign key, so the scope is a code
    list drawn from the jurisdiction tree)."""
    rows = OutboxDelivery.objects.all()
    paths = scope_paths(actor, READ)
    if not paths:
        return rows.none()
    if f"{NATION}/" in paths:
        return rows
    within = Q()
    for path in paths:
        within |= Q(path__startswith=path)
    return rows.filter(event__jurisdiction__in=Jurisdiction.objects.filter(within).values("code"))


def own_notice(actor: Actor, notice_id: int, *, lock: bool = False) -> Notice:
    """The citizen's own notice, or 404 (also for anyone else's)."""
    index = citizen_index(actor)
    qs = Notice.objects.filter(pk=notice_id, recipient_index=index) if index else None
    if lock and qs is not None:
        qs = qs.select_for_update()
    notice = qs.first() if qs is not None else None
    if notice is None:
        raise NotFound("알림을 찾을 수 없습니다.", "Notice not found.", field="notice_id")
    return notice


def visible_offices(actor: Actor) -> list[tuple[str, str]]:
    """(code, name) of the 시·군·구 where the actor may issue campaigns."""
    from minwon.kernel.models import Jurisdiction

    codes = scopes_for(actor, CAMPAIGN)
    rows = Jurisdiction.objects.filter(pk__in=codes).values_list("code", "full_name")
    return [(c, n) for c, n in rows]
