"""Delivery of notices from the outbox (``minwon worker``): at least once, idempotent per
(notice, channel), retried with the outbox's backoff, SMS held at night, a failed channel
falling back to paper.

The receivers run inside the worker's transaction for that outbox row, so they write their
own app's delivery state directly (as every outbox receiver does) — a redelivered event
finds the ``NoticeDelivery`` already delivered or failed and does nothing. A temporary
failure is raised back to the outbox, which retries with exponential backoff; after
``CHANNEL_ATTEMPTS`` the channel is marked failed (visible to operators) and the notice
joins the next print batch. Timeline steps written here carry an id derived from the
outbox event, so a redelivery cannot add a second step.

Each channel has a rate limit (``CHANNEL_RATES``, one ``kernel.throttle`` rule per channel,
shared by every worker through the database): a message over it is deferred by the outbox
to when the window reopens, which is neither an attempt nor a failure, so a campaign of
250,000 bills drains at the provider's pace instead of failing over to paper.
"""

from __future__ import annotations

import dataclasses
import logging
import uuid
from datetime import datetime, time, timedelta
from typing import Any

from minwon.kernel import clock, outbox, throttle
from minwon.kernel.bus import Context
from minwon.kernel.jurisdictions import path_of
from minwon.kernel.registry import handler, receiver
from minwon.kernel.types import NATION, Command
from minwon.notices import lifecycle
from minwon.notices.channels import SENDERS, PermanentFailure, TemporaryFailure
from minwon.notices.lifecycle import NoticeEmailDue, NoticeSmsDue
from minwon.notices.models import DeliveryChannel, Notice, NoticeDelivery, NoticeEvent
from minwon.notices.permissions import NoticesPermission

log = logging.getLogger(__name__)

#: Attempts per channel before it is marked failed (GOV.UK Notify retries 5 times); the
#: outbox's own limit is higher, so the fallback always runs before a row could go dead.
CHANNEL_ATTEMPTS = 5
#: No SMS between 21:00 and 08:00 Asia/Seoul (정보통신망법 제50조 야간 전송 제한).
QUIET_FROM = time(21, 0)
QUIET_TO = time(8, 0)


#: Messages per window per channel, over every worker. E-mail at GOV.UK Notify's 3,000 a
#: minute; SMS/알림톡 at a 중계사업자's usual contract. ``MINWON_RATE_NOTICE_EMAIL=…/60``.
CHANNEL_RATES: dict[str, throttle.Rule] = {
    DeliveryChannel.EMAIL: throttle.Rule(
        "notice_email", (3000, 60), "전자우편 발송 한도에 도달했습니다.", "E-mail rate reached."
    ),
    DeliveryChannel.SMS: throttle.Rule(
        "notice_sms", (1000, 60), "문자 발송 한도에 도달했습니다.", "SMS rate reached."
    ),
}


def in_quiet_hours(at: datetime) -> bool:
    local = clock.local(at).time()
    return local >= QUIET_FROM or local < QUIET_TO


def quiet_ends(at: datetime) -> datetime:
    """The next 08:00 in Seoul after ``at`` (the end of the night ``at`` falls in)."""
    local = clock.local(at)
    day = local.date() if local.time() < QUIET_TO else local.date() + timedelta(days=1)
    return datetime.combine(day, QUIET_TO, tzinfo=clock.SEOUL)


@receiver(NoticeEmailDue, name="notices.notice_email")
def deliver_email(event: NoticeEmailDue, *, meta: Any) -> None:
    """Send the notice's e-mail (once per notice)."""
    deliver(event.notice_id, DeliveryChannel.EMAIL, meta)


@receiver(NoticeSmsDue, name="notices.notice_sms")
def deliver_sms(event: NoticeSmsDue, *, meta: Any) -> None:
    """Send the notice's SMS/알림톡 (once per notice), held until morning at night."""
    deliver(event.notice_id, DeliveryChannel.SMS, meta)


def deliver(notice_id: int, channel: str, meta: Any) -> None:
    row = (
        NoticeDelivery.objects.select_for_update()
        .select_related("notice")
        .filter(notice_id=notice_id, channel=channel)
        .first()
    )
    if row is None or row.state in (NoticeDelivery.State.DELIVERED, NoticeDelivery.State.FAILED):
        return
    now = clock.now()
    step_id = uuid.uuid5(uuid.NAMESPACE_URL, f"minwon:outbox-event:{meta.event_id}")
    notice = row.notice
    if channel == DeliveryChannel.SMS and in_quiet_hours(now):
        until = quiet_ends(now)
        NoticeDelivery.objects.filter(pk=row.pk).update(
            state=NoticeDelivery.State.HELD, hold_until=until
        )
        lifecycle.step(notice, NoticeEvent.Kind.HELD, at=now, command_id=step_id, channel=channel,
                       detail=f"야간 전송 제한: {clock.local(until):%m월 %d일 %H:%M}에 발송")  # fmt: skip
        return
    try:
        throttle.take((CHANNEL_RATES[channel], channel))
    except throttle.TooManyRequests as full:
        wait = full.details.get("retry_after_seconds", 1)
        raise outbox.Deferred(now + timedelta(seconds=wait), f"{channel} rate limit") from full
    try:
        SENDERS[channel].send(notice)
    except PermanentFailure as exc:
        _fail(row, f"{exc}", now, step_id, meta.attempt)
        return
    except TemporaryFailure as exc:
        if meta.attempt >= CHANNEL_ATTEMPTS:
            _fail(row, f"{exc}", now, step_id, meta.attempt)
            return
        raise
    NoticeDelivery.objects.filter(pk=row.pk).update(
        state=NoticeDelivery.State.DELIVERED, delivered_at=now, attempts=meta.attempt,
        last_error="",
    )  # fmt: skip
    # The row lock and the state check above make this step once per (notice, channel).
    lifecycle.insert_step(notice.pk, NoticeEvent.Kind.DELIVERED, channel, now, "", step_id)


def _fail(
    row: NoticeDelivery, error: str, now: datetime, step_id: uuid.UUID, attempts: int
) -> None:
    """The channel gave up: record it and let paper carry the notice (unless opened)."""
    NoticeDelivery.objects.filter(pk=row.pk).update(
        state=NoticeDelivery.State.FAILED, attempts=attempts, last_error=error[:300]
    )
    notice = row.notice
    lifecycle.step(notice, NoticeEvent.Kind.FAILED, at=now, command_id=step_id,
                   channel=row.channel, detail=f"{attempts}회 시도 후 실패: {error}")  # fmt: skip
    if notice.opened_at is None and notice.print_batch_id is None:
        due = notice.paper_due_at
        if due is None or due > now:
            Notice.objects.filter(pk=notice.pk).update(paper_due_at=now)
    log.warning("notice %s: %s delivery failed after %s attempts", notice.pk, row.channel, attempts)


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReleaseHeldMessages(Command):
    """Morning: the SMS held overnight go back to the outbox (``minwon notices_sweep``, or
    staff who manage campaigns there)."""

    permission = NoticesPermission.CAMPAIGN


@handler(ReleaseHeldMessages)
def release_held_messages(cmd: ReleaseHeldMessages, *, ctx: Context) -> dict[str, Any]:
    now = ctx.recorded_at
    if in_quiet_hours(now):
        return {"released": 0}
    due = NoticeDelivery.objects.select_for_update().filter(
        state=NoticeDelivery.State.HELD, hold_until__lte=now
    )
    if cmd.jurisdiction != NATION:
        due = due.filter(notice__jurisdiction__path__startswith=path_of(cmd.jurisdiction))
    held = list(due.values_list("pk", "notice_id"))
    NoticeDelivery.objects.filter(pk__in=[pk for pk, _ in held]).update(
        state=NoticeDelivery.State.PENDING
    )
    for _, notice_id in held:
        ctx.emit(NoticeSmsDue(notice_id=notice_id))
    return {"released": len(held)}
