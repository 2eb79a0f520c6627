"""Issuing formal notices and recording their lifecycle (issued → delivered per channel →
opened → acknowledged), shared by the single-notice and campaign commands.

``issue_many`` writes, in the calling command's transaction, the notices, their inbox
messages (the inbox channel is delivered at once), one delivery row per channel and the
first timeline steps, then emits one outbox event per external channel (e-mail, SMS) so
``minwon worker`` delivers them at least once. Everything is bulk: a campaign of ten
thousand bills is a handful of statements plus one outbox row per external delivery.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from minwon.kernel import clock
from minwon.kernel.bus import Context
from minwon.kernel.registry import register_event
from minwon.kernel.types import Event
from minwon.notices.catalog import Template
from minwon.notices.models import (
    Campaign,
    DeliveryChannel,
    InboxMessage,
    Notice,
    NoticeDelivery,
    NoticeEvent,
)

CATEGORY = {
    "tax_bill": InboxMessage.Category.TAX,
    "civil_defence": InboxMessage.Category.CIVIL_DEFENCE,
    "petition_result": InboxMessage.Category.PETITION,
}


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class NoticeEmailDue(Event):
    """A notice waits for its e-mail; ``notices.email`` sends it from the outbox."""

    notice_id: int


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class NoticeSmsDue(Event):
    """A notice waits for its SMS/알림톡; ``notices.sms`` sends it (not at night)."""

    notice_id: int


@dataclasses.dataclass(frozen=True)
class Draft:
    """What one notice says and to whom, before it is written."""

    source_key: str
    recipient_index: str
    recipient_name: str
    address: str
    fields: dict[str, Any]
    items: list[dict[str, str]]
    deadline_on: date | None = None


@dataclasses.dataclass(frozen=True)
class Contact:
    user_id: int
    email: str
    phone: str


def contacts_of(indexes: Iterable[str]) -> dict[str, Contact]:
    """The citizen accounts (e-mail, phone) of these residents, by RRN blind index."""
    from minwon.accounts.models import User

    found: dict[str, Contact] = {}
    wanted = list(set(indexes))
    for at in range(0, len(wanted), 2000):
        rows = User.objects.filter(
            identity_index__in=wanted[at : at + 2000], kind=User.Kind.CITIZEN
        ).values_list("identity_index", "pk", "email", "phone")
        for index, pk, email, phone in rows:
            found[index] = Contact(pk, email or "", phone or "")
    return found


def issue_many(
    ctx: Context,
    *,
    template: Template,
    jurisdiction: str,
    office: str,
    drafts: list[Draft],
    campaign: Campaign | None = None,
    paper_after: timedelta | None = None,
) -> list[Notice]:
    """Write ``drafts`` as notices (callers have removed those already issued)."""
    if not drafts:
        return []
    now = ctx.occurred_at  # business time: when the office issued it (paper clock too)
    issued_on = clock.local(now).date()
    contacts = contacts_of(d.recipient_index for d in drafts)
    notices: list[Notice] = []
    for d in drafts:
        subject, body = template.render({"office": office, "name": d.recipient_name, **d.fields})
        contact = contacts.get(d.recipient_index)
        notices.append(
            Notice(
                source_key=d.source_key, campaign=campaign, kind=template.kind,
                template_version=template.version, jurisdiction_id=jurisdiction,
                recipient_index=d.recipient_index, recipient_name=d.recipient_name,
                address=d.address, email=contact.email if contact else "",
                phone=contact.phone if contact else "", subject=subject[:200], body=body,
                items=d.items, deadline_label=template.deadline_label,
                deadline_on=template.deadline(issued_on, d.deadline_on), issued_at=now,
                paper_due_at=now + paper_after if paper_after is not None else None,
            )
        )  # fmt: skip
    created = Notice.objects.bulk_create(notices, batch_size=1000)
    _inbox(created, contacts, now)
    deliveries: list[NoticeDelivery] = []
    events: list[NoticeEvent] = []
    command_id = ctx.command.command_id
    for n in created:
        events.append(NoticeEvent(notice=n, kind=NoticeEvent.Kind.ISSUED, channel="", at=now,
                                  command_id=command_id, detail=f"양식 v{n.template_version}"))  # fmt: skip
        events.append(NoticeEvent(notice=n, kind=NoticeEvent.Kind.DELIVERED,
                                  channel=DeliveryChannel.INBOX, at=now, command_id=command_id))  # fmt: skip
        deliveries.append(NoticeDelivery(notice=n, channel=DeliveryChannel.INBOX,
                                         state=NoticeDelivery.State.DELIVERED, delivered_at=now))  # fmt: skip
        for channel, present in ((DeliveryChannel.EMAIL, n.email), (DeliveryChannel.SMS, n.phone)):
            if present:
                deliveries.append(NoticeDelivery(notice=n, channel=channel))
    NoticeDelivery.objects.bulk_create(deliveries, batch_size=1000)
    NoticeEvent.objects.bulk_create(events, batch_size=1000)
    Notice.objects.filter(pk__in=[n.pk for n in created]).update(state=Notice.State.DELIVERED)
    for n in created:
        n.state = Notice.State.DELIVERED
        if n.email:
            ctx.emit(NoticeEmailDue(notice_id=n.pk))
        if n.phone:
            ctx.emit(NoticeSmsDue(notice_id=n.pk))
    return created


def _inbox(created: list[Notice], contacts: dict[str, Contact], now: datetime) -> None:
    InboxMessage.objects.bulk_create(
        [
            InboxMessage(
                recipient_index=n.recipient_index,
                recipient_user_id=contacts[n.recipient_index].user_id
                if n.recipient_index in contacts
                else None,
                category=CATEGORY.get(n.kind, InboxMessage.Category.GENERAL),
                subject=n.subject,
                body=n.body,
                items=[*n.items, {"label": n.deadline_label, "value": n.deadline_on.isoformat()}],
                source_command=uuid.uuid5(uuid.NAMESPACE_URL, f"minwon:notice:{n.source_key}"),
                created_at=now,
                notice=n,
            )
            for n in created
        ],
        batch_size=1000,
    )


def step(
    notice: Notice, kind: str, *, at: datetime, command_id: uuid.UUID, channel: str = "",
    detail: str = "",
) -> None:  # fmt: skip
    """Append one timeline step (a repeat of the same step by the same command is a no-op)."""
    NoticeEvent.objects.get_or_create(
        notice=notice, kind=kind, channel=channel, command_id=command_id,
        defaults={"at": at, "detail": detail[:300]},
    )  # fmt: skip


def mark_opened(notice_id: int, *, at: datetime, command_id: uuid.UUID) -> None:
    """열람: the first opening counts; the timeline shows it once."""
    notice = Notice.objects.select_for_update().filter(pk=notice_id).first()
    if notice is None or notice.opened_at is not None:
        return
    notice.opened_at = at
    if notice.state in (Notice.State.ISSUED, Notice.State.DELIVERED):
        notice.state = Notice.State.OPENED
    notice.save(update_fields=["opened_at", "state"])
    step(notice, NoticeEvent.Kind.OPENED, at=at, command_id=command_id, channel="inbox")


def timeline(notice: Notice) -> list[NoticeEvent]:
    """The steps, oldest first: the same list for the citizen's inbox and the operator."""
    return list(notice.events.order_by("at", "id"))
