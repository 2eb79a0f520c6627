"""민원 구비서류의 공동이용 확인: a document the petition catalogue marks ``source: lookup``
is read by the officer through the sharing path (purpose 민원 구비서류 확인, 민원 처리에 관한
법률 제10조제3항) instead of being asked from the applicant; the petition page shows it."""

from __future__ import annotations

import dataclasses
from typing import Any

from minwon.kernel import jurisdictions
from minwon.kernel.bus import Context
from minwon.kernel.errors import NotFound, ValidationFailed
from minwon.kernel.registry import handler
from minwon.kernel.types import Command, RoomCategory
from minwon.petitions.permissions import PetitionsPermission

from .. import catalog, providers
from ..models import SharingMessage
from ..signatures import sign_answer
from .common import notify_read, subject_person, today, write_entry
from .requests import requester_name

PURPOSE = "petition_document"


@dataclasses.dataclass(frozen=True, kw_only=True)
class LookUpPetitionDocument(Command):
    """The officer confirms ``document`` of petition ``receipt_number``/``seq`` from the
    providing register; ``jurisdiction`` is the petition's."""

    permission = PetitionsPermission.PROCESS
    room_category = RoomCategory.SHARING
    receipt_number: str
    seq: int
    document: str


def case_reference(receipt_number: str, seq: int) -> str:
    return f"{receipt_number}-{seq}"


def _petition(cmd: LookUpPetitionDocument) -> Any:
    from minwon.petitions.models import Petition

    petition = (
        Petition.objects.select_related("application")
        .filter(application__receipt_number=cmd.receipt_number, seq=cmd.seq,
                jurisdiction_id=cmd.jurisdiction)
        .first()
    )  # fmt: skip
    if petition is None:
        raise NotFound("민원을 찾을 수 없습니다.", "Petition not found.", field="receipt_number")
    return petition


@handler(LookUpPetitionDocument)
def look_up_petition_document(cmd: LookUpPetitionDocument, *, ctx: Context) -> dict[str, Any]:
    petition = _petition(cmd)
    listed = {d["name"] for d in petition.documents if d.get("source") == "lookup"}
    code = catalog.petition_documents().get(cmd.document)
    if cmd.document not in listed or code is None:
        raise ValidationFailed(
            "이 민원에서 공동이용으로 확인하는 서류가 아닙니다.",
            "Not a document this petition confirms through sharing.",
            field="document", code="not_a_lookup_document",
        )  # fmt: skip
    if not petition.application.identity_index:
        raise ValidationFailed(
            "신청인의 본인확인 정보가 없어 공동이용으로 확인할 수 없습니다. 서류를 받으세요.",
            "The applicant's identity is unknown; ask for the document.",
            field="document", code="applicant_unknown",
        )  # fmt: skip
    item = catalog.item(code)
    purpose = item.purpose(PURPOSE)
    person = subject_person(petition.application.identity_index)
    provider = jurisdictions.sigungu_of(person.jurisdiction_id)
    reference = case_reference(cmd.receipt_number, cmd.seq)
    answer = {
        "reference": str(cmd.command_id), "item": item.code, "document": cmd.document,
        "purpose": purpose.code, "ground": purpose.ground, "case_reference": reference,
        "provider": provider, "answered_at": ctx.recorded_at.isoformat(),
        "result": providers.answer(purpose.answer, person, {}, today(ctx)),
    }  # fmt: skip
    message = write_entry(
        ctx, reference=cmd.command_id, outcome=SharingMessage.Outcome.ANSWERED,
        requester=str(ctx.actor), requester_name=requester_name(cmd), officer=ctx.actor.name,
        item=item.code, purpose=purpose.code, ground=purpose.ground, case_reference=reference,
        subject_index=person.rrn_index, subject_person_id=person.pk, provider=provider,
        answer=answer, answer_signature=sign_answer(provider, answer),
    )  # fmt: skip
    ctx.log_access(
        subject_type="person", subject_id=str(person.pk), what=f"sharing:{cmd.command_id}",
        purpose=f"{purpose.name} ({purpose.ground})",
    )  # fmt: skip
    notify_read(ctx, message, item_name=item.name, purpose_name=purpose.name)
    return {"answer": answer, "entry_hash": message.entry_hash}
