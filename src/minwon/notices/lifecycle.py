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

from minwon.kernel import clock, sql
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
    #: An address given for this matter (a petition's form), before the account's.
    email: str = ""


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


@dataclasses.dataclass(frozen=True)
class Issued:
    """A notice just written: its id and what the caller reports."""

    pk: int
    source_key: str
    deadline_on: date


_NOTICE_FIELDS = ("source_key", "campaign", "kind", "template_version", "jurisdiction",
                  "recipient_index", "recipient_name", "address", "email", "phone", "subject",
                  "body", "items", "deadline_label", "deadline_on", "state", "issued_at",
                  "paper_due_at")  # fmt: skip
_insert_notice = sql.Insert(Notice, _NOTICE_FIELDS)
_insert_inbox = sql.Insert(
    InboxMessage,
    ("recipient_index", "recipient_user", "category", "subject", "body", "items",
     "source_command", "email", "created_at", "notice"),
)  # fmt: skip
_insert_delivery = sql.Insert(
    NoticeDelivery, ("notice", "channel", "state", "attempts", "delivered_at", "last_error")
)
_insert_step = sql.Insert(NoticeEvent, ("notice", "kind", "channel", "at", "detail", "command_id"))
#: One timeline step as one precompiled INSERT, for callers that hold the row lock that
#: makes the step unique (the worker's delivered step).
insert_step = _insert_step


def issue_many(
    ctx: Context,
    *,
    template: Template,
    jurisdiction: str,
    office: str,
    drafts: list[Draft],
    campaign: Campaign | None = None,
    paper_after: timedelta | None = None,
) -> list[Issued]:
    """Write ``drafts`` as notices (callers have removed those already issued). The rows go
    in as multi-row INSERTs (the kernel's precompiled statements): building ten thousand
    model instances per table cost more than the database work."""
    if not drafts:
        return []
    now = ctx.occurred_at  # business time: when the office issued it (paper clock too)
    issued_on = clock.local(now).date()
    contacts = contacts_of(d.recipient_index for d in drafts)
    paper_due = now + paper_after if paper_after is not None else None
    rows: list[tuple[Any, ...]] = []
    for d in drafts:
        subject, body = template.render({"office": office, "name": d.recipient_name, **d.fields})
        contact = contacts.get(d.recipient_index)
        rows.append((
            d.source_key, campaign.pk if campaign else None, template.kind, template.version,
            jurisdiction, d.recipient_index, d.recipient_name, d.address,
            d.email or (contact.email if contact else ""), contact.phone if contact else "",
            subject[:200],
            body, d.items, template.deadline_label, template.deadline(issued_on, d.deadline_on),
            Notice.State.DELIVERED, now, paper_due,
        ))  # fmt: skip
    _insert_notice.many(rows)
    ids = _ids([r[0] for r in rows])
    command_id = ctx.command.command_id
    inbox: list[tuple[Any, ...]] = []
    deliveries: list[tuple[Any, ...]] = []
    steps: list[tuple[Any, ...]] = []
    issued: list[Issued] = []
    category = CATEGORY.get(template.kind, InboxMessage.Category.GENERAL)
    for r in rows:
        pk, key, index, email, phone, deadline = ids[r[0]], r[0], r[5], r[8], r[9], r[14]
        user = contacts[index].user_id if index in contacts else None
        items = [*r[12], {"label": template.deadline_label, "value": deadline.isoformat()}]
        source = uuid.uuid5(uuid.NAMESPACE_URL, f"minwon:notice:{key}")
        inbox.append((index, user, category, r[10], r[11], items, source, "", now, pk))
        steps.append(
            (pk, NoticeEvent.Kind.ISSUED, "", now, f"양식 v{template.version}", command_id)
        )
        steps.append((pk, NoticeEvent.Kind.DELIVERED, DeliveryChannel.INBOX, now, "", command_id))
        deliveries.append((pk, DeliveryChannel.INBOX, NoticeDelivery.State.DELIVERED, 0, now, ""))
        for channel, present in ((DeliveryChannel.EMAIL, email), (DeliveryChannel.SMS, phone)):
            if present:
                deliveries.append((pk, channel, NoticeDelivery.State.PENDING, 0, None, ""))
        issued.append(Issued(pk, key, deadline))
    _insert_inbox.many(inbox)
    _insert_delivery.many(deliveries)
    _insert_step.many(steps)
    for r in rows:
        if r[8]:
            ctx.emit(NoticeEmailDue(notice_id=ids[r[0]]))
        if r[9]:
            ctx.emit(NoticeSmsDue(notice_id=ids[r[0]]))
    return issued


def _ids(keys: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for at in range(0, len(keys), 2000):
        found.update(
            Notice.objects.filter(source_key__in=keys[at : at + 2000]).values_list(
                "source_key", "pk"
            )
        )
    return found


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
