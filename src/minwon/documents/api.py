"""Certificates API: issue (``POST /api/certificates``), download the signed PDF, list what
one obtained, and the public verification service (``/api/verify``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Router, Schema
from ninja.files import UploadedFile

from minwon.accounts.actors import actor_for_request
from minwon.documents import queries, ratelimit
from minwon.documents.commands import IssueCertificate
from minwon.kernel import execute
from minwon.kernel.errors import ValidationFailed
from minwon.kernel.types import NATION, ActorKind, Channel
from minwon.web.api import ErrorOut, command_id

router = Router(tags=["certificates"])

MAX_UPLOAD = 5 * 1024 * 1024
ERRORS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}

_CHANNEL_OF = {
    ActorKind.CITIZEN: Channel.ONLINE,
    ActorKind.STAFF: Channel.COUNTER,
    ActorKind.AGENCY: Channel.AGENCY,
}


class IssueIn(Schema):
    cert_type: str
    subject: str = "self"
    channel: str | None = None
    show_rrn_back: bool = False
    include_relationship: bool = True
    include_history: bool = False
    history_from: date | None = None
    history_to: date | None = None
    purpose: str = ""
    applicant_rrn: str = ""
    delegate_name: str = ""
    power_of_attorney: str = ""
    legal_basis: str = ""
    payment_method: str = ""
    office: str | None = None


class IssueOut(Schema):
    document_number: str
    verification_code: str
    cert_type: str
    fee: int
    payment_method: str
    relation: str
    download_url: str
    issued_at: str
    content_sha256: str


class VerifyOut(Schema):
    status: str
    document_number: str | None = None
    cert_type: str | None = None
    title: str | None = None
    issuer: str | None = None
    issued_at: str | None = None
    channel: str | None = None
    subject: str | None = None
    fields: dict[str, str] | None = None
    content_sha256: str | None = None
    signing_key_id: str | None = None
    mode: str | None = None


class IssuanceOut(Schema):
    document_number: str
    cert_type: str
    channel: str
    issued_at: str
    fee: int
    download_url: str


@router.post(
    "/certificates",
    response={200: IssueOut, **ERRORS},
    operation_id="CertificateIssue",
    summary="증명서 발급 (issue a signed certificate)",
)
def issue(request: HttpRequest, payload: IssueIn) -> dict[str, Any]:
    """The channel follows from who calls: a citizen online, staff at their counter, an
    agency by law. Kiosks issue through the kiosk pages, after identity verification."""
    from minwon.kernel import rrn

    actor = actor_for_request(request)
    channel = _CHANNEL_OF.get(actor.kind)
    if channel is None or (payload.channel and payload.channel != channel.value):
        raise ValidationFailed(
            "이 계정으로는 해당 경로로 발급할 수 없습니다.",
            "This account cannot issue through that channel.",
            field="channel",
        )
    applicant = ""
    if payload.applicant_rrn.strip():
        applicant = rrn.blind_index(rrn.parse(payload.applicant_rrn, field="applicant_rrn"))
    place = NATION
    if actor.kind == ActorKind.STAFF:
        place = payload.office or getattr(request.user, "office_id", None) or NATION
    result = execute(
        IssueCertificate(
            actor=actor, channel=channel, jurisdiction=place, command_id=command_id(request),
            cert_type=payload.cert_type, subject=payload.subject,
            show_rrn_back=payload.show_rrn_back, include_relationship=payload.include_relationship,
            include_history=payload.include_history, history_from=payload.history_from,
            history_to=payload.history_to, purpose=payload.purpose, applicant_index=applicant,
            delegate_name=payload.delegate_name, power_of_attorney=payload.power_of_attorney,
            legal_basis=payload.legal_basis, payment_method=payload.payment_method,
        )
    )  # fmt: skip
    value: dict[str, Any] = result.value
    return value


@router.get(
    "/certificates",
    response={200: list[IssuanceOut], **ERRORS},
    operation_id="CertificateList",
    summary="발급 내역 (certificates I obtained, or my jurisdictions' ledger for staff)",
)
def issued(request: HttpRequest) -> list[dict[str, Any]]:
    rows = queries.issuances_for(actor_for_request(request))[:100]
    return [
        {
            "document_number": r.document_number,
            "cert_type": r.cert_type,
            "channel": r.channel,
            "issued_at": r.issued_at.isoformat(),
            "fee": r.fee,
            "download_url": f"/api/certificates/{r.document_number}/pdf",
        }
        for r in rows
    ]


@router.get(
    "/certificates/{document_number}/pdf",
    response={200: None, **ERRORS},
    operation_id="CertificatePdf",
    summary="발급 문서 내려받기 (the signed PDF)",
)
def pdf(request: HttpRequest, document_number: str) -> HttpResponse:
    data = queries.pdf_for(actor_for_request(request), document_number)
    return pdf_response(data, document_number)


def pdf_response(data: bytes, number: str, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="minwon-{number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@router.get(
    "/verify/{document_number}",
    auth=None,
    response={200: VerifyOut, 400: ErrorOut, 429: ErrorOut},
    operation_id="VerifyByNumber",
    summary="진위확인: 문서확인번호와 확인코드 (verify by number and printed code)",
)
def verify_number(request: HttpRequest, document_number: str, code: str = "") -> dict[str, Any]:
    ratelimit.check(request)
    return queries.verify_by_number(document_number, code).as_dict()


@router.post(
    "/verify",
    auth=None,
    response={200: VerifyOut, 400: ErrorOut, 429: ErrorOut},
    operation_id="VerifyFile",
    summary="진위확인: PDF 파일 (verify an uploaded PDF: genuine / altered / unknown)",
)
def verify_upload(request: HttpRequest, file: UploadedFile = File(...)) -> dict[str, Any]:  # noqa: B008
    ratelimit.check(request)
    if file.size is None or file.size > MAX_UPLOAD:
        raise ValidationFailed(
            "파일이 너무 큽니다 (최대 5MB).", "The file is too large (5 MB at most).", field="file"
        )
    return queries.verify_file(file.read()).as_dict()
