"""Sending a message to a citizen's inbox, and marking it read (the read receipt).

The formal notices' commands live beside this module (``campaigns``, ``delivery``,
``receipts``) and are imported here so the kernel registers their handlers.

Other apps do not call ``SendNotice`` from their handlers (one command changes one
aggregate): they call ``notify()`` from an event subscriber or handler, which writes the
inbox row inside the same transaction, and the e-mail goes out from the outbox.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from django.core.mail import send_mail

from minwon.kernel.bus import Context
from minwon.kernel.errors import NotFound, ValidationFailed
from minwon.kernel.registry import handler, receiver
from minwon.kernel.types import ActorKind, Command, Event
from minwon.notices import campaigns, delivery, lifecycle, receipts
from minwon.notices.models import InboxMessage
from minwon.notices.permissions import NoticesPermission


@dataclasses.dataclass(frozen=True, kw_only=True)
class NoticeSent(Event):
    """A message reached an inbox; the worker e-mails it if an address is known."""

    message_id: int
    email: str


def notify(
    ctx: Context,
    *,
    recipient_index: str,
    category: str,
    subject: str,
    body: str,
    items: list[dict[str, Any]] | None = None,
    email: str = "",
) -> InboxMessage:
    """Write one inbox message inside the current command's transaction (idempotent per
    command and subject) and schedule its e-mail through the outbox."""
    from minwon.accounts.models import User

    if recipient_index.startswith("staff:"):  # a staff member's 알림함 has its own door
        raise ValidationFailed(
            "직원에게 보내는 알림은 알림함으로 보냅니다.", "Staff messages go to the staff inbox.",
            field="recipient_index",
        )  # fmt: skip
    user = User.objects.filter(identity_index=recipient_index, kind=User.Kind.CITIZEN).first()
    address = email or (user.email if user is not None else "")
    message, created = InboxMessage.objects.get_or_create(
        recipient_index=recipient_index,
        source_command=ctx.command.command_id,
        subject=subject[:200],
        defaults={
            "recipient_user": user,
            "category": category,
            "body": body,
            "items": items or [],
            "email": address,
            "created_at": ctx.recorded_at,
        },
    )
    if created and address:
        ctx.emit(NoticeSent(message_id=message.pk, email=address))
    return message


def staff_index(user_id: int) -> str:
    """The address key of a staff member's messages (not a blind index: it cannot collide
    with one, which is 64 hex digits)."""
    return f"staff:{user_id}"


def notify_staff(
    ctx: Context,
    *,
    user_id: int,
    category: str,
    subject: str,
    body: str,
    items: list[dict[str, Any]] | None = None,
    email: str = "",
) -> InboxMessage:
    """Write one message to a staff member's 알림함 inside the current command's transaction
    (idempotent per command and subject), and e-mail it through the outbox when an address
    is given. Only that staff member reads it (``policies.staff_messages``)."""
    message, created = InboxMessage.objects.get_or_create(
        recipient_index=staff_index(user_id),
        source_command=ctx.command.command_id,
        subject=subject[:200],
        defaults={
            "recipient_kind": InboxMessage.RecipientKind.STAFF,
            "recipient_user_id": user_id,
            "category": category,
            "body": body,
            "items": items or [],
            "email": email,
            "created_at": ctx.recorded_at,
        },
    )
    if created and email:
        ctx.emit(NoticeSent(message_id=message.pk, email=email))
    return message


@receiver(NoticeSent, name="notices.email")
def email_notice(event: NoticeSent, *, meta: Any) -> None:
    """Send the e-mail once: ``emailed_at`` marks it, so a redelivery does not resend."""
    from minwon.kernel import clock

    message = InboxMessage.objects.select_for_update().filter(pk=event.message_id).first()
    if message is None or message.emailed_at is not None:
        return
    lines = [message.body, ""] + [
        f"- {i.get('label', '')}: {i.get('value', '')}" for i in message.items
    ]
    send_mail(f"[minwon] {message.subject}", "\n".join(lines), None, [event.email])
    InboxMessage.objects.filter(pk=message.pk).update(emailed_at=clock.now())


@dataclasses.dataclass(frozen=True, kw_only=True)
class SendNotice(Command):
    """An office sends a notice (e.g. 민방위 교육 통지) to one resident's inbox."""

    permission = NoticesPermission.SEND
    recipient_index: str
    category: str
    subject: str
    body: str
    items: list[dict[str, Any]] = dataclasses.field(default_factory=list)


@handler(SendNotice)
def send_notice(cmd: SendNotice, *, ctx: Context) -> dict[str, Any]:
    message = notify(
        ctx,
        recipient_index=cmd.recipient_index,
        category=cmd.category,
        subject=cmd.subject,
        body=cmd.body,
        items=cmd.items,
    )
    return {"message_id": message.pk}


@dataclasses.dataclass(frozen=True, kw_only=True)
class MarkNoticeRead(Command):
    """The citizen opened the message: the read receipt (열람 확인)."""

    message_id: int


@handler(MarkNoticeRead)
def mark_notice_read(cmd: MarkNoticeRead, *, ctx: Context) -> dict[str, Any]:
    from minwon.accounts.models import User

    index = ""
    if ctx.actor.kind == ActorKind.CITIZEN and ctx.actor.id is not None:
        index = (
            User.objects.filter(pk=ctx.actor.id).values_list("identity_index", flat=True).first()
            or ""
        )
    message = (
        InboxMessage.objects.filter(pk=cmd.message_id, recipient_index=index).first()
        if index
        else None
    )
    if message is None:
        raise NotFound("알림을 찾을 수 없습니다.", "Message not found.", field="message_id")
    if message.read_at is None:
        InboxMessage.objects.filter(pk=message.pk).update(read_at=ctx.recorded_at)
        if message.notice_id is not None:
            lifecycle.mark_opened(
                message.notice_id, at=ctx.recorded_at, command_id=ctx.command.command_id
            )
        return {"message_id": message.pk, "read_at": ctx.recorded_at.isoformat()}
    return {"message_id": message.pk, "read_at": message.read_at.isoformat()}


@dataclasses.dataclass(frozen=True, kw_only=True)
class MarkStaffMessageRead(Command):
    """읽음: a staff member marks a message of their own 알림함 read. Nobody else's: another
    account is told the message does not exist (404)."""

    message_id: int


@handler(MarkStaffMessageRead)
def mark_staff_message_read(cmd: MarkStaffMessageRead, *, ctx: Context) -> dict[str, Any]:
    from minwon.notices import policies

    message = policies.staff_message(ctx.actor, cmd.message_id, lock=True)
    if message.read_at is None:
        InboxMessage.objects.filter(pk=message.pk).update(read_at=ctx.recorded_at)
        return {"message_id": message.pk, "read_at": ctx.recorded_at.isoformat()}
    return {"message_id": message.pk, "read_at": message.read_at.isoformat()}


__all__ = [
    "MarkNoticeRead", "MarkStaffMessageRead", "NoticeSent", "SendNotice", "campaigns",
    "delivery", "notify", "notify_staff", "receipts", "uuid",
]  # fmt: skip
