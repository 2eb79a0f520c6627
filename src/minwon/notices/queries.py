"""Reading a citizen's inbox, a campaign's progress and the dead letters."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from minwon.kernel import clock
from minwon.kernel.models import OutboxDelivery
from minwon.kernel.types import Actor
from minwon.notices import policies
from minwon.notices.models import Campaign, DeliveryChannel, InboxMessage, Notice, NoticeDelivery


def inbox_for(identity_index: str) -> QuerySet[InboxMessage]:
    if not identity_index:
        return InboxMessage.objects.none()
    return InboxMessage.objects.filter(
        recipient_kind=InboxMessage.RecipientKind.CITIZEN, recipient_index=identity_index
    ).order_by("-created_at")


def unread_count(identity_index: str) -> int:
    return inbox_for(identity_index).filter(read_at__isnull=True).count()


def campaign_progress(campaign: Campaign) -> dict[str, int]:
    """Counts for the staff page and the situation room: issued, delivered per channel,
    opened, acknowledged, held at night, failed, and in print batches."""
    notices = Notice.objects.filter(campaign=campaign)
    counts = notices.aggregate(
        issued=Count("pk"),
        opened=Count("pk", filter=Q(opened_at__isnull=False)),
        acknowledged=Count("pk", filter=Q(acknowledged_at__isnull=False)),
        paper=Count("pk", filter=Q(print_batch__isnull=False)),
        paper_due=Count(
            "pk",
            filter=Q(
                print_batch__isnull=True, opened_at__isnull=True, paper_due_at__lte=clock.now()
            ),
        ),
    )
    rows = (
        NoticeDelivery.objects.filter(notice__campaign=campaign)
        .values_list("channel", "state")
        .annotate(n=Count("pk"))
    )
    for channel in DeliveryChannel.values:
        for state in NoticeDelivery.State.values:
            counts[f"{channel}_{state}"] = 0
    for channel, state, n in rows:
        counts[f"{channel}_{state}"] = n
    counts["failed"] = counts["email_failed"] + counts["sms_failed"]
    return {k: int(v or 0) for k, v in counts.items()}


def failed_deliveries(actor: Actor) -> list[NoticeDelivery]:
    """Dead letters of notices: channels that gave up, in the actor's scope, newest first."""
    scoped = policies.visible_notices(actor).values("pk")
    return list(
        NoticeDelivery.objects.filter(state=NoticeDelivery.State.FAILED, notice__in=scoped)
        .select_related("notice")
        .order_by("-pk")[:200]
    )


def dead_outbox_rows(rows: QuerySet[OutboxDelivery]) -> list[OutboxDelivery]:
    """Of ``rows`` (the viewer's scope), deliveries to notice receivers that the worker
    parked (a receiver error, not a channel's refusal): operators send them back to the
    queue."""
    return list(
        rows.filter(state=OutboxDelivery.State.DEAD, receiver__startswith="notices.")
        .select_related("event")
        .order_by("-pk")[:200]
    )
