"""Petition API: the catalog, submission (Idempotency-Key), a petition by receipt number,
the workflow actions, public tracking with a second factor, and an Open311 GeoReport v2
read API for tools that speak it."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from minwon.accounts.actors import actor_for_request
from minwon.kernel import execute, formats, rrn, throttle
from minwon.kernel.errors import NotFound, ValidationFailed
from minwon.kernel.text import is_ascii_digits
from minwon.kernel.types import ActorKind, Channel
from minwon.petitions import policies, tracking
from minwon.petitions.commands import ApplicationItem, SubmitApplication
from minwon.petitions.commands.workflow import ACTIONS
from minwon.petitions.models import Application, Petition
from minwon.petitions.queries import petition_types
from minwon.web.api import READ_BY_POST, ErrorOut, command_id

router = Router(tags=["petitions"])
ERRORS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class DocumentOut(Schema):
    name: str
    source: str
    required: bool = True


class PetitionTypeOut(Schema):
    code: str
    name: str
    name_en: str
    category: str
    legal_basis: str
    period: str
    fee: int
    fee_note: str
    channels: list[str]
    documents: list[DocumentOut]
    department: str
    automatic: bool


@router.get("/petition-types", auth=None, response={200: list[PetitionTypeOut], 400: ErrorOut},
            operation_id="PetitionTypeList", summary="민원 사무 목록 (catalog)")  # fmt: skip
def list_types(request: HttpRequest, channel: str | None = None) -> list[dict[str, Any]]:
    return [
        {**{f: getattr(t, f) for f in ("code", "name", "name_en", "category", "legal_basis",
                                         "period", "fee", "fee_note", "channels", "documents",
                                         "department")},
         "automatic": bool(t.auto_rule)}
        for t in petition_types(channel=channel)
    ]  # fmt: skip


class ItemIn(Schema):
    type_code: str = Field(max_length=40)
    form: dict[str, str | float | int] = Field(default_factory=dict)
    documents: list[str] = Field(default_factory=list, max_length=30)


class SubmitIn(Schema):
    jurisdiction: str = Field(pattern=r"^\d{10}$", description="receiving 시·군·구 code")
    channel: str = Field(
        "online", description="online | counter | mail | kiosk (staff: counter/mail)"
    )
    items: list[ItemIn] = Field(min_length=1, max_length=15)
    applicant_name: str = Field("", max_length=60)
    applicant_birth: date | None = None
    rrn: str = Field("", max_length=20, description="resident number (staff intake only)")
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=20)
    address: str = Field("", max_length=200)


class SubmittedItemOut(Schema):
    item: int
    number: str
    type_code: str
    type_name: str
    department: str
    deadline_at: str
    state: str
    decided_by_rule: str


class SubmitOut(Schema):
    receipt_number: str
    received_at: str
    channel: str
    jurisdiction: str
    petitions: list[SubmittedItemOut]


CHANNELS = {"online": Channel.ONLINE, "counter": Channel.COUNTER, "mail": Channel.MAIL,
            "kiosk": Channel.KIOSK}  # fmt: skip


@router.post("/petitions", response={200: SubmitOut, **ERRORS}, operation_id="PetitionSubmit",
             summary="민원 신청 (submit an application; Idempotency-Key)")  # fmt: skip
def submit(request: HttpRequest, payload: SubmitIn) -> dict[str, Any]:
    actor = actor_for_request(request)
    if payload.channel not in CHANNELS:
        raise ValidationFailed(
            "접수 경로가 올바르지 않습니다.", "Unknown channel.", field="channel"
        )
    channel = Channel.AGENCY if actor.kind == ActorKind.AGENCY else CHANNELS[payload.channel]
    sealed = rrn.SealedRRN.from_text(payload.rrn) if payload.rrn.strip() else None
    if sealed is not None and actor.kind == ActorKind.CITIZEN:
        raise ValidationFailed("주민등록번호는 창구 접수에서만 입력합니다.",
                               "Only staff enter a resident number.", field="rrn")  # fmt: skip
    result = execute(
        SubmitApplication(
            actor=actor, channel=channel, jurisdiction=payload.jurisdiction,
            command_id=command_id(request),
            items=[ApplicationItem(type_code=i.type_code, form=dict(i.form), documents=i.documents)
                   for i in payload.items],
            applicant_name=payload.applicant_name, applicant_birth=payload.applicant_birth,
            sealed_rrn=sealed, email=payload.email, phone=payload.phone, address=payload.address,
        )
    )  # fmt: skip
    value: dict[str, Any] = result.value
    return value


class StepOut(Schema):
    action: str
    action_label: str
    state: str
    at: str
    department: str
    note: str
    deadline_at: str | None


class PetitionOut(Schema):
    item: int
    number: str
    type_code: str
    type_name: str
    department: str
    state: str
    state_label: str
    deadline_at: str
    paused: bool
    outcome: str
    reasons: str
    remedies: str
    decided_by_rule: str
    steps: list[StepOut]


class ApplicationOut(Schema):
    receipt_number: str
    received_at: str
    channel: str
    petitions: list[PetitionOut]


def _application_for(request: HttpRequest, receipt_number: str) -> Application:
    """The application the caller may read (``petitions.policies``; 404 otherwise)."""
    actor = actor_for_request(request)
    channel = Channel.AGENCY if actor.kind == ActorKind.AGENCY else Channel.ONLINE
    return policies.application(actor, receipt_number, channel=channel)


@router.get("/petitions/{receipt_number}", response={200: ApplicationOut, **ERRORS},
            operation_id="PetitionGet", summary="민원 조회 (staff in scope, or the applicant)")  # fmt: skip
def get_petition(request: HttpRequest, receipt_number: str) -> dict[str, Any]:
    return tracking.public_view(_application_for(request, receipt_number))


class ActionIn(Schema):
    item: int = Field(1, ge=1, le=999)
    reason: str = Field("", max_length=2000)
    department: str = Field("", max_length=60)
    officer_id: int | None = None
    items_needed: list[str] = Field(default_factory=list, max_length=20)
    due_date: date | None = None
    documents: list[str] = Field(default_factory=list, max_length=30)
    note: str = Field("", max_length=2000)
    period: str = Field("", max_length=10)
    applicant_consent: bool = False
    outcome: str = Field("", max_length=10)
    method: str = Field("online", max_length=10)
    to: str = Field("", max_length=120)


class ActionOut(Schema):
    receipt_number: str
    item: int
    number: str
    state: str
    deadline_at: str


@router.post("/petitions/{receipt_number}/{action}", response={200: ActionOut, **ERRORS},
             operation_id="PetitionAction",
             summary="처리 (assign, start-review, request-supplement, supplement, return, extend, "
                     "decide, deliver, transfer, withdraw, close)")  # fmt: skip
def act(
    request: HttpRequest, receipt_number: str, action: str, payload: ActionIn
) -> dict[str, Any]:
    command_type = ACTIONS.get(action)
    if command_type is None:
        raise NotFound("알 수 없는 처리입니다.", f"Unknown action {action!r}.", field="action")
    if action == "request-supplement" and payload.due_date is None:
        raise ValidationFailed("보완 기한을 입력하세요.", "due_date is required.", field="due_date")
    application = _application_for(request, receipt_number)
    accepted = {f.name for f in dataclasses.fields(command_type)}
    fields = {k: v for k, v in payload.dict().items() if k in accepted}
    for required in ("outcome", "period", "to"):
        if required in accepted and not fields.get(required):
            raise ValidationFailed(f"{formats.korean('field', required)}을(를) 입력하세요.",
                                   f"{formats.label('field', required, 'en')} is required.",
                                   field=required)  # fmt: skip
    actor = actor_for_request(request)
    channel = Channel.ONLINE if actor.kind == ActorKind.CITIZEN else Channel.COUNTER
    result = execute(
        command_type(actor=actor, channel=channel, jurisdiction=application.jurisdiction_id,
                     command_id=command_id(request), receipt_number=receipt_number, **fields)
    )  # fmt: skip
    value: dict[str, Any] = result.value
    return value


def client_ip(request: HttpRequest) -> str:
    return throttle.client_address(request)


class TrackIn(Schema):
    """The second factor of a public look-up, in the body: a PIN, a name or a birth date
    never travels in a URL (``web.urlguard``)."""

    name: str = Field("", max_length=60)
    birth_date: date | None = None
    pin: str = Field("", max_length=12)


@router.post("/track/{receipt_number}", auth=None,
             response={200: ApplicationOut, 400: ErrorOut, 404: ErrorOut, 429: ErrorOut},
             operation_id="PetitionTrack", openapi_extra=READ_BY_POST,
             summary="민원처리 인터넷공개 (public tracking; name + birth date, or PIN, in the body)")  # fmt: skip
def track(request: HttpRequest, receipt_number: str, body: TrackIn) -> dict[str, Any]:
    factor = tracking.SecondFactor(name=body.name, birth_date=body.birth_date, pin=body.pin)
    return tracking.track(receipt_number, factor, ip=client_ip(request))


# --- Open311 GeoReport v2 (read only) -------------------------------------------------------


class Open311Service(Schema):
    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: str
    keywords: str
    group: str


class Open311Request(Schema):
    """What a petition number alone shows (``petitions.policies.without_factor``)."""

    service_request_id: str
    status: str
    service_name: str


@router.get("/open311/v2/services.json", auth=None, response={200: list[Open311Service]},
            operation_id="Open311Services", summary="Open311 GeoReport v2: service list")  # fmt: skip
def open311_services(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"service_code": t.code, "service_name": t.name,
         "description": f"{t.legal_basis}; 처리기간 {t.period}; 수수료 {t.fee}원",
         "metadata": bool(t.fields), "type": "realtime" if t.auto_rule else "batch",
         "keywords": t.category, "group": t.category}
        for t in petition_types()
    ]  # fmt: skip


@router.get("/open311/v2/requests/{request_id}.json", auth=None,
            response={200: list[Open311Request], 404: ErrorOut, 429: ErrorOut},
            operation_id="Open311Request",
            summary="Open311 GeoReport v2: one request (type category and status only)")  # fmt: skip
def open311_request(request: HttpRequest, request_id: str) -> list[dict[str, Any]]:
    """``request_id`` is a petition number (receipt number + ``-item``). Without a second
    factor the answer is what ``policies.without_factor`` allows; an absent, malformed or
    sensitive number answers the same 404 and counts against the tracking throttle, so this
    neither enumerates receipts nor tells that someone applied for a sensitive type."""
    ip = client_ip(request)
    receipt, _, item = request_id.rpartition("-")
    number = tracking.receipts.normalize(receipt)
    taken = tracking.attempt(ip, number)
    petition = (
        Petition.objects.select_related("type")
        .filter(application__receipt_number=number, seq=int(item) if is_ascii_digits(item) else -1)
        .first()
    )  # fmt: skip
    if petition is None or not policies.can_disclose_without_factor(petition):
        raise NotFound("요청을 찾을 수 없습니다.", "Request not found.", field="request_id")
    taken.refund()
    return [policies.without_factor(petition)]
