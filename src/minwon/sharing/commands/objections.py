"""이의 제기: a citizen disputes one read in their 열람 이력; the auditors get a case."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from minwon.kernel import jurisdictions
from minwon.kernel.bus import Context
from minwon.kernel.errors import Conflict, Forbidden, NotFound, ValidationFailed
from minwon.kernel.models import AccessLog
from minwon.kernel.registry import handler
from minwon.kernel.types import Command

from .. import policies
from ..models import Objection, SharingMessage


@dataclasses.dataclass(frozen=True, kw_only=True)
class RaiseObjection(Command):
    """The subject disputes the read ``target`` (a message-log reference for ``source``
    "sharing", an access-log row id for "access_log") with a free-text reason."""

    source: str
    target: str
    text: str


def _not_found() -> NotFound:
    return NotFound("열람 기록을 찾을 수 없습니다.", "No such read of your data.", field="target")


def _target(cmd: RaiseObjection, index: str) -> tuple[str, str | None]:
    """(summary, jurisdiction) of a read that is the subject's own; 404 otherwise."""
    from minwon.registry.queries import person_by_index

    if cmd.source == Objection.Source.SHARING:
        try:
            reference = uuid.UUID(cmd.target)
        except ValueError:
            raise _not_found() from None
        message = SharingMessage.objects.filter(
            reference=reference, subject_index=index, outcome="answered"
        ).first()
        if message is None:
            raise _not_found()
        summary = (
            f"{message.requester_name} · {message.item} · {message.purpose} · {message.at:%Y-%m-%d}"
        )
        return summary, message.provider_id
    if cmd.source == Objection.Source.ACCESS_LOG and cmd.target.isdigit():
        person = person_by_index(index)
        row = AccessLog.objects.filter(
            pk=int(cmd.target), subject_type="person", subject_id=str(person.pk if person else "")
        ).first()
        if row is None:
            raise _not_found()
        code = row.jurisdiction or (person.jurisdiction_id if person else "")
        unit = jurisdictions.sigungu_of(code) if code else None
        return f"{row.actor} · {row.what} · {row.purpose} · {row.at:%Y-%m-%d}", unit
    raise _not_found()


@handler(RaiseObjection)
def raise_objection(cmd: RaiseObjection, *, ctx: Context) -> dict[str, Any]:
    from minwon.accounts.models import User

    if not policies.is_citizen(ctx.actor):
        raise Forbidden("본인만 이의를 제기할 수 있습니다.", "Only the subject may object.")
    found = User.objects.filter(pk=ctx.actor.id or 0).values_list("identity_index", flat=True)
    index = found.first() or ""
    text = cmd.text.strip()
    if not 5 <= len(text) <= 2000:
        raise ValidationFailed(
            "이의 내용을 5~2000자로 적어 주세요.", "Describe the objection (5-2000 characters).",
            field="text",
        )  # fmt: skip
    summary, unit = _target(cmd, index)
    if Objection.objects.filter(subject_index=index, source=cmd.source, target=cmd.target).exists():
        raise Conflict("이미 이의를 제기한 열람입니다.", "Already objected to.", field="target")
    objection = Objection.objects.create(
        reference=uuid.uuid5(uuid.NAMESPACE_URL, f"minwon:objection:{cmd.command_id}"),
        subject_index=index, source=cmd.source, target=cmd.target, summary=summary[:300],
        text=text, jurisdiction_id=unit, raised_at=ctx.recorded_at, command_id=cmd.command_id,
    )  # fmt: skip
    return {"reference": str(objection.reference)}
