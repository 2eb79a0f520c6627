"""이송 to another 시·군·구 that minwon serves: the petition arrives there in the same
command. The source petition is closed as transferred; a new petition of the same
application (same receipt number, next item number) lands in the destination's work queue,
so the applicant follows both on the tracking page with the one receipt and PIN they hold.

A destination that is not a jurisdiction code (a 중앙행정기관, a public corporation …) is
outside minwon; for those the transfer only records the name (see ``workflow``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Max

from minwon.kernel import jurisdictions
from minwon.kernel.bus import Context
from minwon.kernel.clock import local
from minwon.kernel.errors import ValidationFailed
from minwon.kernel.models import Jurisdiction
from minwon.kernel.sql import create
from minwon.petitions import deadlines
from minwon.petitions.commands.common import fmt, record_step, save, tell_applicant
from minwon.petitions.models import Application, Petition

# The offices that process petitions: a 시·군·구, or an 일반구 inside a city.
OFFICE_LEVELS = (Jurisdiction.Level.SIGUNGU, Jurisdiction.Level.GU)


def is_jurisdiction_code(text: str) -> bool:
    """A destination written as a 10-digit administrative code means an office of minwon."""
    return len(text) == 10 and text.isdigit()


def destination_office(code: str, petition: Petition) -> Jurisdiction:
    """The office a petition is sent to, or a 400 naming ``to``. A retired code is followed
    to its successor (강원 42→51, 전북 45→52), since that office now does the work."""
    unit = jurisdictions.current(code, on=local(petition.received_at).date(), field="to")
    if unit.level not in OFFICE_LEVELS:
        raise ValidationFailed(
            f"{unit.name}은(는) 민원을 처리하는 시·군·구가 아닙니다.",
            f"{unit.code} is not a 시·군·구 office that processes petitions.",
            field="to",
            code="not_an_office",
        )
    if unit.code == petition.jurisdiction_id:
        raise ValidationFailed(
            "이 민원을 처리하는 기관으로는 이송할 수 없습니다.",
            "A petition cannot be transferred to the office that already holds it.",
            field="to",
            code="same_office",
        )
    return unit


def transfer_to_office(
    ctx: Context, petition: Petition, office: Jurisdiction, reason: str
) -> dict[str, Any]:
    """Close ``petition`` as transferred and receive it again at ``office``.

    Deadline: 민원 처리에 관한 법률 제16조① — an office that receives a petition another
    agency is competent for sends the document there without delay, and the competent
    agency processes it as a petition it has received; the 처리기간 of 법 제17조·제19조
    (counted per 시행령 제19조 from the moment of reception) therefore runs at the
    destination from the moment it receives the petition, with the type's full period, not
    from the first office's reception. We looked for a 시행령 provision that counts it
    otherwise (reference search "민원 이송 처리기간 기산", docs and pages) and found
    only 법 제16조 and the counting rules of 시행령 제19조; were one adopted, this is the
    single line to change. The transfer is electronic, so the destination receives it at
    the moment of the command.
    """
    # Lock the application: the new item number is the next one, and two transfers out of
    # one application must not pick the same number.
    Application.objects.select_for_update().filter(pk=petition.application_id).first()
    seq = (
        Petition.objects.filter(application_id=petition.application_id).aggregate(n=Max("seq"))["n"]
        or 0
    ) + 1
    received_at = local(ctx.occurred_at)
    source_name = petition.jurisdiction.full_name or petition.jurisdiction.name
    target_name = office.full_name or office.name
    arrived = Petition(
        application=petition.application,
        seq=seq,
        type=petition.type,
        jurisdiction_id=office.code,
        department=petition.type.department,
        form=dict(petition.form),
        documents=list(petition.documents),
        period=petition.period,
        received_at=received_at,
        deadline_at=deadlines.deadline(received_at, deadlines.parse_period(petition.period)),
    )
    create(arrived)

    petition.state = Petition.State.TRANSFERRED
    petition.transferred_to = f"{target_name} ({office.code})"[:120]
    petition.closed_at = ctx.recorded_at
    save(petition, "state", "transferred_to", "closed_at")
    record_step(ctx, petition, "transfer", note=f"{reason} → {arrived.number}",
                public_note=f"{target_name}(으)로 이송 (민원번호 {arrived.number}). 사유: {reason}")  # fmt: skip
    record_step(ctx, arrived, "transfer_in", note=f"← {petition.number}: {reason}",
                public_note=f"{source_name}에서 이송되어 접수 (처리기한 {fmt(arrived.deadline_at)}). "
                            f"사유: {reason}")  # fmt: skip
    tell_applicant(
        ctx, arrived, f"민원 이송 안내 ({petition.number})",
        f"{petition.type.name} 민원을 {target_name}(으)로 이송했습니다. 사유: {reason}. "
        f"이송된 민원번호는 {arrived.number}이며, 같은 접수번호로 처리 과정을 볼 수 있습니다.",
    )  # fmt: skip
    return {
        "transferred_to": petition.transferred_to,
        "destination": {
            "jurisdiction": office.code,
            "item": arrived.seq,
            "number": arrived.number,
            "department": arrived.department,
            "deadline_at": arrived.deadline_at.isoformat(),
        },
    }
