"""What the sharing commands share: the message-log entry (its hash, anchored in the audit
chain through the command's result), the subject's look-up, and the notice to the subject."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from minwon.kernel import clock
from minwon.kernel.bus import Context
from minwon.kernel.errors import NotFound
from minwon.kernel.types import digest
from minwon.registry.models import Person

from ..models import SharingMessage

#: The fields of an entry its hash covers, in the order of the log.
HASHED = (
    "reference",
    "outcome",
    "requester",
    "requester_name",
    "officer",
    "item",
    "purpose",
    "ground",
    "consent_reference",
    "case_reference",
    "subject_index",
    "provider_id",
    "keyid",
    "nonce",
    "request_sha256",
    "answer",
    "answer_signature",
    "denial_code",
    "denial_message",
    "deferred_until",
    "at",
)


def plain(value: Any) -> Any:
    """A field value as JSON holds it (what the entry hash covers)."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def entry_hash(fields: dict[str, Any]) -> str:
    """SHA-256 over an entry's content: what the audit chain anchors."""
    return digest({k: plain(fields.get(k)) for k in HASHED})


def write_entry(ctx: Context, **fields: Any) -> SharingMessage:
    """Append one entry to the message log, hashed, in the command's transaction."""
    fields.setdefault("at", ctx.recorded_at)
    fields.setdefault("reference", uuid.uuid4())
    if "provider" in fields:
        fields["provider_id"] = fields.pop("provider")
    message = SharingMessage(**fields, entry_hash="", command_id=ctx.command.command_id)
    message.entry_hash = entry_hash(hashed_fields(message))
    message.save(force_insert=True)
    return message


def hashed_fields(message: SharingMessage) -> dict[str, Any]:
    return {f.attname: getattr(message, f.attname) for f in SharingMessage._meta.concrete_fields}


def subject_person(index: str) -> Person:
    from minwon.registry.queries import person_by_index

    person = person_by_index(index)
    if person is None:
        raise NotFound(
            "해당 주민등록번호의 주민을 찾을 수 없습니다.",
            "No resident has this registration number.",
            field="subject_rrn",
            code="subject_not_found",
        )
    return person


def today(ctx: Context) -> date:
    return clock.local(ctx.occurred_at).date()


def notify_read(
    ctx: Context, message: SharingMessage, *, item_name: str, purpose_name: str
) -> None:
    """국민비서-style notice: who read which of your information, why and when."""
    from minwon.notices.commands import notify

    when = clock.local(message.at).strftime("%Y-%m-%d %H:%M")
    notify(
        ctx,
        recipient_index=message.subject_index,
        category="general",
        subject=f"[행정정보 공동이용] {message.requester_name}에서 {item_name} 정보를 확인했습니다",
        body=(
            f"{when}에 {message.requester_name}이(가) '{purpose_name}' 목적으로 "
            f"{item_name} 정보를 행정정보 공동이용으로 확인했습니다. "
            "열람 이력에서 자세히 보고, 이상하면 이의를 제기할 수 있습니다."
        ),
        items=[
            {"label": "이용기관", "value": message.requester_name},
            {"label": "정보", "value": item_name},
            {"label": "목적", "value": purpose_name},
            {"label": "근거", "value": message.ground},
            {"label": "일시", "value": when},
        ],
    )
