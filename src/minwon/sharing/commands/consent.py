"""정보주체 동의: the subject gives (online, or at the counter with the clerk) and revokes
consent to one recipient reading items for a purpose until a date."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date, timedelta
from typing import Any

from minwon.kernel import jurisdictions
from minwon.kernel.bus import Context
from minwon.kernel.errors import Forbidden, NotFound, ValidationFailed
from minwon.kernel.registry import handler
from minwon.kernel.rrn import SealedRRN
from minwon.kernel.types import Command

from .. import catalog, policies
from ..models import Consent
from .common import subject_person, today

#: The longest a consent may run (사전동의 기간).
MAX_CONSENT = timedelta(days=5 * 365)


@dataclasses.dataclass(frozen=True, kw_only=True)
class GiveConsent(Command):
    """The subject consents: ``recipient_kind`` "agency" (an ``AgencyClient`` id) or
    "office" (a jurisdiction code) may read ``items`` for ``purpose`` until ``valid_until``.
    Online the subject is the citizen acting; at the counter, ``subject_rrn`` names them."""

    recipient_kind: str
    recipient_id: str
    items: list[str]
    purpose: str
    valid_until: date
    subject_rrn: SealedRRN | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class RevokeConsent(Command):
    """동의 철회: from now on reads under this consent are refused."""

    reference: uuid.UUID
    subject_rrn: SealedRRN | None = None


def _subject_index(cmd: GiveConsent | RevokeConsent, ctx: Context) -> str:
    """Whose consent: the citizen's own identity online, the named person at a counter."""
    from minwon.accounts.models import User

    if policies.is_citizen(ctx.actor):
        index = (
            User.objects.filter(pk=ctx.actor.id or 0)
            .values_list("identity_index", flat=True)
            .first()
        )
        if not index:
            raise Forbidden(
                "본인확인이 된 계정이 아닙니다.", "This account has no proven identity."
            )
        return index
    if not policies.can_record_consent_at_counter(ctx.actor, cmd.jurisdiction):
        raise Forbidden("동의를 받을 권한이 없습니다.", "You may not record consents.")
    if cmd.subject_rrn is None:
        raise ValidationFailed(
            "정보주체의 주민등록번호를 입력하세요.",
            "Enter the subject's registration number.",
            field="subject_rrn",
        )
    return subject_person(cmd.subject_rrn.index).rrn_index


def _recipient_name(kind: str, ident: str) -> str:
    from minwon.accounts.models import AgencyClient

    if kind == Consent.Recipient.AGENCY:
        client = AgencyClient.objects.filter(
            pk=int(ident) if ident.isdigit() else -1, active=True
        ).first()
        if client is not None:
            return client.name
    elif kind == Consent.Recipient.OFFICE:
        try:
            return jurisdictions.get(ident, field="recipient_id").full_name
        except NotFound:
            pass
    raise ValidationFailed(
        "동의를 받을 이용기관이 올바르지 않습니다.", "Unknown recipient.", field="recipient_id"
    )


def _check_scope(cmd: GiveConsent, ctx: Context) -> None:
    if not cmd.items:
        raise ValidationFailed("동의할 정보를 고르세요.", "Choose the information.", field="items")
    for code in cmd.items:
        purpose = catalog.item(code).purpose(cmd.purpose)
        if not purpose.consent:
            raise ValidationFailed(
                f"'{purpose.name}' 목적은 법령 근거로 이용하므로 동의 대상이 아닙니다.",
                f"'{purpose.code}' rests on a law, not on consent.",
                field="purpose",
            )
    start = today(ctx)
    if not start < cmd.valid_until <= start + MAX_CONSENT:
        raise ValidationFailed(
            "동의 기한은 내일부터 5년 이내여야 합니다.",
            "The consent must end between tomorrow and five years from now.",
            field="valid_until",
        )


@handler(GiveConsent)
def give_consent(cmd: GiveConsent, *, ctx: Context) -> dict[str, Any]:
    index = _subject_index(cmd, ctx)
    _check_scope(cmd, ctx)
    purpose = catalog.item(cmd.items[0]).purpose(cmd.purpose)
    consent = Consent.objects.create(
        reference=uuid.uuid5(uuid.NAMESPACE_URL, f"minwon:consent:{cmd.command_id}"),
        subject_index=index,
        recipient_kind=cmd.recipient_kind,
        recipient_id=cmd.recipient_id,
        recipient_name=_recipient_name(cmd.recipient_kind, cmd.recipient_id),
        items=sorted(set(cmd.items)),
        purpose=purpose.code,
        valid_until=cmd.valid_until,
        given_at=ctx.recorded_at,
        channel=cmd.channel.value,
        command_id=cmd.command_id,
    )
    return {"reference": str(consent.reference), "valid_until": cmd.valid_until.isoformat()}


@handler(RevokeConsent)
def revoke_consent(cmd: RevokeConsent, *, ctx: Context) -> dict[str, Any]:
    index = _subject_index(cmd, ctx)
    consent = (
        Consent.objects.select_for_update()
        .filter(reference=cmd.reference, subject_index=index)
        .first()
    )
    if consent is None:
        raise NotFound("동의를 찾을 수 없습니다.", "Consent not found.", field="reference")
    if consent.revoked_at is None:
        Consent.objects.filter(pk=consent.pk).update(revoked_at=ctx.recorded_at)
        return {"reference": str(consent.reference), "revoked_at": ctx.recorded_at.isoformat()}
    return {"reference": str(consent.reference), "revoked_at": consent.revoked_at.isoformat()}


def find_consent(
    *, subject_index: str, recipient_kind: str, recipient_id: str, item: str, purpose: str, on: date
) -> Consent:
    """The live consent a read rests on, or a refusal saying why there is none: missing,
    expired or revoked (403)."""
    candidates = [
        c
        for c in Consent.objects.filter(
            subject_index=subject_index,
            recipient_kind=recipient_kind,
            recipient_id=recipient_id,
            purpose=purpose,
        )
        if item in c.items
    ]
    live = [c for c in candidates if c.revoked_at is None and c.valid_until >= on]
    if live:
        return live[0]
    if any(c.revoked_at is not None for c in candidates):
        code, ko, en = (
            "consent_revoked",
            "정보주체가 동의를 철회했습니다.",
            "The subject revoked the consent.",
        )
    elif candidates:
        code, ko, en = (
            "consent_expired",
            "정보주체 동의 기한이 지났습니다.",
            "The subject's consent has expired.",
        )
    else:
        code, ko, en = (
            "consent_missing",
            "정보주체의 동의가 없습니다.",
            "The subject has not consented.",
        )
    raise Forbidden(ko, en, field="consent", code=code)
