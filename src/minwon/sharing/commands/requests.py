"""A signed request from an agency system and its signed, minimised answer — or its denial.

``AnswerSharingRequest`` runs after the gateway (``sharing.api``) has checked the agency's
key and the request's signature; it burns the nonce, checks purpose and ground, reads the
minimised answer, writes the access log, the message-log entry and the subject's notice.
A refusal rolls all of that back, so the gateway then records ``RecordSharingDenial``: the
denial and the burnt nonce are kept, the refused read is not.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction

from minwon.kernel.bus import Context
from minwon.kernel.errors import DomainError, ValidationFailed
from minwon.kernel.registry import handler
from minwon.kernel.rrn import SealedRRN
from minwon.kernel.types import ActorKind, Command, RoomCategory

from .. import catalog, policies, providers
from ..models import Consent, SharingMessage, UsedNonce
from ..signatures import SignatureRefused, sign_answer
from .common import notify_read, subject_person, today, write_entry
from .consent import find_consent


@dataclasses.dataclass(frozen=True, kw_only=True)
class AnswerSharingRequest(Command):
    """공동이용 요청: an agency reads ``item`` of ``subject_rrn`` for ``purpose`` in case
    ``case_reference`` on behalf of ``officer``. ``jurisdiction`` is the providing 시·군·구
    (the subject's). ``defer_until`` hides the read from the subject until that day where
    the purpose allows it (수사 등)."""

    permission = policies.REQUEST
    room_category = RoomCategory.SHARING
    item: str
    purpose: str
    subject_rrn: SealedRRN
    case_reference: str
    officer: str
    inputs: dict[str, str] = dataclasses.field(default_factory=dict)
    defer_until: date | None = None
    keyid: str
    nonce: str
    request_sha256: str
    reference: uuid.UUID


@dataclasses.dataclass(frozen=True, kw_only=True)
class RecordSharingDenial(Command):
    """A refused request, kept in the message log with its reason (and its nonce burnt)."""

    requester: str
    requester_name: str
    code: str
    message: str
    item: str = ""
    purpose: str = ""
    case_reference: str = ""
    officer: str = ""
    subject_index: str = ""
    keyid: str = ""
    nonce: str = ""
    request_sha256: str = ""
    reference: uuid.UUID


def burn_nonce(ctx: Context, keyid: str, nonce: str) -> bool:
    """Record ``nonce`` as used by ``keyid``; False if it was already (a replay)."""
    try:
        with transaction.atomic():
            UsedNonce.objects.create(keyid=keyid, nonce=nonce, seen_at=ctx.recorded_at)
    except IntegrityError:
        return False
    return True


def _check_request(cmd: AnswerSharingRequest) -> None:
    if not cmd.case_reference.strip() or len(cmd.case_reference) > 60:
        raise ValidationFailed(
            "사건 번호(민원 접수번호 등)를 60자 이내로 입력하세요.",
            "Give the case reference (at most 60 characters).",
            field="case_reference",
        )
    if not cmd.officer.strip() or len(cmd.officer) > 100:
        raise ValidationFailed(
            "요청 담당자를 입력하세요.", "Name the officer on whose behalf.", field="officer"
        )


def _ground(cmd: AnswerSharingRequest, purpose: catalog.Purpose, on: date) -> Consent | None:
    """Law or consent: a purpose under law names the article; under consent, the consent."""
    if purpose.basis is not None:
        return None
    return find_consent(
        subject_index=cmd.subject_rrn.index,
        recipient_kind=Consent.Recipient.AGENCY,
        recipient_id=str(cmd.actor.id),
        item=cmd.item,
        purpose=purpose.code,
        on=on,
    )


def _deferral(cmd: AnswerSharingRequest, purpose: catalog.Purpose, on: date) -> date | None:
    if cmd.defer_until is None or cmd.defer_until <= on:
        return None
    if not purpose.deferrable_days or cmd.defer_until > on + timedelta(
        days=purpose.deferrable_days
    ):
        raise ValidationFailed(
            "이 목적으로는 열람 사실 통지를 그 날까지 미룰 수 없습니다.",
            "This purpose does not allow deferring the notice that long.",
            field="defer_until",
            code="defer_not_allowed",
        )
    return cmd.defer_until


def requester_name(cmd: Command) -> str:
    """Who asks, as the subject will read it: the agency (its name travels on the
    authenticated actor) or the officer's office."""
    from minwon.accounts.models import User

    if cmd.actor.kind == ActorKind.AGENCY:
        return cmd.actor.name
    user = User.objects.select_related("office").filter(pk=cmd.actor.id or 0).first()
    if user is not None and user.office is not None:
        return user.office.full_name
    return cmd.actor.name


@handler(AnswerSharingRequest)
def answer_sharing_request(cmd: AnswerSharingRequest, *, ctx: Context) -> dict[str, Any]:
    if not burn_nonce(ctx, cmd.keyid, cmd.nonce):
        raise SignatureRefused(
            "이미 사용된 서명입니다 (재전송된 요청).",
            "Replayed request: this nonce was already used.",
            field="Signature",
            code="replayed_nonce",
        )
    _check_request(cmd)
    item = catalog.item(cmd.item)
    purpose = item.purpose(cmd.purpose)
    on = today(ctx)
    consent = _ground(cmd, purpose, on)
    deferred = _deferral(cmd, purpose, on)
    person = subject_person(cmd.subject_rrn.index)
    result = providers.answer(purpose.answer, person, cmd.inputs, on)
    ground = purpose.ground if consent is None else f"정보주체 동의 {consent.reference}"
    answer = {
        "reference": str(cmd.reference),
        "request_sha256": cmd.request_sha256,
        "item": item.code,
        "purpose": purpose.code,
        "ground": ground,
        "case_reference": cmd.case_reference,
        "provider": cmd.jurisdiction,
        "answered_at": ctx.recorded_at.isoformat(),
        "result": result,
    }
    signature = sign_answer(cmd.jurisdiction, answer)
    message = write_entry(
        ctx,
        reference=cmd.reference,
        outcome=SharingMessage.Outcome.ANSWERED,
        requester=str(ctx.actor),
        requester_name=requester_name(cmd),
        officer=cmd.officer,
        item=item.code,
        purpose=purpose.code,
        ground=ground,
        consent_reference=consent.reference if consent else None,
        case_reference=cmd.case_reference,
        subject_index=cmd.subject_rrn.index,
        subject_person_id=person.pk,
        provider=cmd.jurisdiction,
        keyid=cmd.keyid,
        nonce=cmd.nonce,
        request_sha256=cmd.request_sha256,
        answer=answer,
        answer_signature=signature,
        deferred_until=deferred,
    )
    ctx.log_access(
        subject_type="person",
        subject_id=str(person.pk),
        what=f"sharing:{cmd.reference}",
        purpose=f"{purpose.name} ({ground})",
    )
    if deferred is None:
        notify_read(ctx, message, item_name=item.name, purpose_name=purpose.name)
    return {"answer": answer, "signature": signature, "entry_hash": message.entry_hash}


def _purpose_code(item: str, purpose: str) -> str:
    """The catalogue's code for a requested purpose (its Korean name or code), or the text
    as the agency sent it when the catalogue does not know it."""
    try:
        return catalog.item(item).purpose(purpose).code
    except DomainError:
        return purpose


@handler(RecordSharingDenial)
def record_sharing_denial(cmd: RecordSharingDenial, *, ctx: Context) -> dict[str, Any]:
    if cmd.keyid and cmd.nonce:
        burn_nonce(ctx, cmd.keyid, cmd.nonce)
    message = write_entry(
        ctx,
        reference=cmd.reference,
        outcome=SharingMessage.Outcome.DENIED,
        requester=cmd.requester[:60],
        requester_name=cmd.requester_name[:120],
        officer=cmd.officer[:100],
        item=cmd.item[:30],
        purpose=_purpose_code(cmd.item, cmd.purpose)[:40],
        case_reference=cmd.case_reference[:60],
        subject_index=cmd.subject_index,
        keyid=cmd.keyid[:40],
        nonce=cmd.nonce[:80],
        request_sha256=cmd.request_sha256,
        denial_code=cmd.code[:40],
        denial_message=cmd.message[:300],
    )
    return {"reference": str(message.reference), "entry_hash": message.entry_hash}
