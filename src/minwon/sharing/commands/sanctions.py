"""The national sanction check (인허가 결격 확인) through the sharing path: every providing
시·군·구 is asked whether the subject holds a sanction barring a new permit of a kind; the
answer is none, hits (each signed by the jurisdiction that holds it), or the list of
jurisdictions that did not answer. Providers that cannot answer are declared by operators
(``DeclareProviderOutage``) and reported as such, never read around."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from minwon.kernel import jurisdictions
from minwon.kernel.bus import Context
from minwon.kernel.errors import NotFound, ValidationFailed
from minwon.kernel.models import Jurisdiction
from minwon.kernel.registry import handler
from minwon.kernel.rrn import SealedRRN
from minwon.kernel.types import Command, RoomCategory

from .. import catalog, policies, providers
from ..models import ProviderOutage, SharingMessage
from ..signatures import sign_answer
from .common import notify_read, subject_person, today, write_entry
from .requests import requester_name

ITEM, PURPOSE = "business_report", "permit_disqualification"


@dataclasses.dataclass(frozen=True, kw_only=True)
class CheckSanctions(Command):
    """A licensing officer asks every jurisdiction whether the subject (by RRN, or by
    person id from the registry) is barred from a new permit of ``kind``."""

    permission = policies.SANCTION_CHECK
    room_category = RoomCategory.SHARING
    kind: str
    case_reference: str
    subject_rrn: SealedRRN | None = None
    person_id: int | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class DeclareProviderOutage(Command):
    """An operator declares that a 시·군·구's register cannot answer (``jurisdiction``)."""

    permission = policies.MANAGE_PROVIDERS
    reason: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class EndProviderOutage(Command):
    permission = policies.MANAGE_PROVIDERS


def providers_asked() -> list[Jurisdiction]:
    """Every 시·군·구 in force: the providers of a national check."""
    return list(
        Jurisdiction.objects.filter(level=Jurisdiction.Level.SIGUNGU, valid_to__isnull=True)
        .only("code", "full_name")
        .order_by("code")
    )


def _person(cmd: CheckSanctions) -> Any:
    from minwon.registry.models import Person

    if cmd.subject_rrn is not None:
        return subject_person(cmd.subject_rrn.index)
    person = Person.objects.filter(pk=cmd.person_id).first() if cmd.person_id else None
    if person is None:
        raise NotFound("대상자를 찾을 수 없습니다.", "Subject not found.", field="person_id")
    return person


def _ask_providers(
    person_id: int, kind: str, on: date, reference: str
) -> tuple[list[dict[str, Any]], list[dict[str, str | None]], list[dict[str, str]], int]:
    """Every provider in force answers for its own sanctions, each answer signed by it; a
    provider under a declared outage does not answer. Returns (signed answers, all hits,
    the providers that did not answer, how many were asked)."""
    asked = providers_asked()
    down = set(
        ProviderOutage.objects.filter(ended_at__isnull=True).values_list(
            "jurisdiction_id", flat=True
        )
    )
    hits_by: dict[str, list[dict[str, str | None]]] = {}
    for hit in providers.sanction_hits(person_id, kind, on):
        code = str(hit["jurisdiction"])
        if code not in down:
            hits_by.setdefault(code, []).append(hit)
    answers: list[dict[str, Any]] = []
    all_hits: list[dict[str, str | None]] = []
    for code, hits in sorted(hits_by.items()):
        body = {"reference": reference, "provider": code, "kind": kind, "hits": hits}
        answers.append({"answer": body, "signature": sign_answer(code, body)})
        all_hits += hits
    not_answered = [{"jurisdiction": j.code, "name": j.full_name} for j in asked if j.code in down]
    return answers, all_hits, not_answered, len(asked)


@handler(CheckSanctions)
def check_sanctions(cmd: CheckSanctions, *, ctx: Context) -> dict[str, Any]:
    if not cmd.case_reference.strip() or len(cmd.case_reference) > 60:
        raise ValidationFailed(
            "사건 번호(민원 접수번호 등)를 입력하세요.",
            "Give the case reference.",
            field="case_reference",
        )
    kind = providers.kind_input({"kind": cmd.kind})
    person = _person(cmd)
    purpose = catalog.item(ITEM).purpose(PURPOSE)
    on = today(ctx)
    answers, all_hits, not_answered, asked = _ask_providers(
        person.pk, kind, on, str(cmd.command_id)
    )
    outcome = "hit" if all_hits else ("not_answered" if not_answered else "none")
    result = {
        "reference": str(cmd.command_id),
        "outcome": outcome,
        "kind": kind,
        "purpose": purpose.name,
        "legal_basis": purpose.ground,
        "asked": asked,
        "hits": all_hits,
        "answers": answers,
        "not_answered": not_answered,
    }
    message = write_entry(
        ctx,
        reference=cmd.command_id,
        outcome=SharingMessage.Outcome.ANSWERED,
        requester=str(ctx.actor),
        requester_name=requester_name(cmd),
        officer=ctx.actor.name,
        item=ITEM,
        purpose=PURPOSE,
        ground=purpose.ground,
        case_reference=cmd.case_reference,
        subject_index=person.rrn_index,
        subject_person_id=person.pk,
        provider=jurisdictions.get(cmd.jurisdiction).code,
        answer=result,
    )
    ctx.log_access(
        subject_type="person",
        subject_id=str(person.pk),
        what=f"sharing:{cmd.command_id}",
        purpose=f"{purpose.name} ({purpose.ground})",
    )
    notify_read(ctx, message, item_name=catalog.item(ITEM).name, purpose_name=purpose.name)
    return result | {"entry_hash": message.entry_hash}


@handler(DeclareProviderOutage)
def declare_provider_outage(cmd: DeclareProviderOutage, *, ctx: Context) -> dict[str, Any]:
    unit = jurisdictions.get(cmd.jurisdiction)
    if not cmd.reason.strip():
        raise ValidationFailed("장애 사유를 입력하세요.", "Give the reason.", field="reason")
    outage = ProviderOutage.objects.filter(jurisdiction=unit, ended_at__isnull=True).first()
    if outage is None:
        outage = ProviderOutage.objects.create(
            jurisdiction=unit, reason=cmd.reason.strip()[:200], since=ctx.recorded_at
        )
    return {"outage_id": outage.pk}


@handler(EndProviderOutage)
def end_provider_outage(cmd: EndProviderOutage, *, ctx: Context) -> dict[str, Any]:
    ended = ProviderOutage.objects.filter(
        jurisdiction_id=cmd.jurisdiction, ended_at__isnull=True
    ).update(ended_at=ctx.recorded_at)
    return {"ended": ended}
