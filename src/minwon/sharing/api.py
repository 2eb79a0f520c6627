"""행정정보 공동이용 API: the catalogue, signed agency requests, the citizen's consents and
열람 이력, the national sanction check and the message-log search.

``POST /api/sharing/requests`` is the gateway: the agency's ``X-Api-Key`` authenticates the
system, the RFC 9421 signature (``signatures``) the message; only then is the body parsed
and ``AnswerSharingRequest`` executed. Every refusal, at any step, is answered with the JSON
error shape and kept in the message log as a denial (``RecordSharingDenial``).
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Field, Query, Router, Schema
from pydantic import BaseModel, ConfigDict, ValidationError

from minwon.accounts.actors import actor_for_request
from minwon.kernel import clock, execute, jurisdictions, rrn
from minwon.kernel.errors import DomainError, Forbidden, NotFound, ValidationFailed
from minwon.kernel.types import NATION, Actor, ActorKind, Channel
from minwon.web.api import ERRORS, AgencyKeyAuth, LoggedInSession, StaffTokenAuth, command_id

from . import catalog, policies, queries
from .commands import (
    AnswerSharingRequest,
    CheckSanctions,
    GiveConsent,
    RecordSharingDenial,
    RevokeConsent,
)
from .models import AgencySigningKey
from .signatures import Message, SignatureRefused, keyid_of, verify_request

router = Router(tags=["sharing"])


class SharingRequestIn(BaseModel):
    """The body of a signed request (parsed only after the signature verifies)."""

    model_config = ConfigDict(extra="forbid")

    subject_rrn: str = Field(..., min_length=13, max_length=20)
    item: str = Field(..., min_length=1, max_length=30)
    purpose: str = Field(..., min_length=1, max_length=40)
    case_reference: str = Field(..., min_length=1, max_length=60)
    officer: str = Field(..., min_length=1, max_length=100)
    inputs: dict[str, str] = Field(default_factory=dict)
    defer_until: date | None = None


class SignedAnswerOut(Schema):
    answer: dict[str, Any]
    signature: dict[str, str]


_REQUEST_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": SharingRequestIn.model_json_schema()}},
    }
}


def _deny(request: HttpRequest, exc: DomainError, **known: Any) -> HttpResponse:
    """Keep the refusal in the message log, then answer it as every API error is."""
    actor = actor_for_request(request)
    requester = str(actor) if actor.kind == ActorKind.AGENCY else "anonymous"
    execute(
        RecordSharingDenial(
            actor=actor if actor.kind == ActorKind.AGENCY else Actor.system("sharing-gateway"),
            channel=Channel.AGENCY,
            jurisdiction=NATION,
            requester=requester,
            requester_name=actor.name,
            code=exc.code,
            message=exc.message_en,
            reference=uuid.uuid4(),
            **known,
        )
    )
    return JsonResponse(exc.as_dict(), status=exc.status, json_dumps_params={"ensure_ascii": False})


def _live_key(client_id: int) -> str | None:
    return (
        AgencySigningKey.objects.filter(client_id=client_id, retired_at__isnull=True)
        .values_list("public_key", flat=True)
        .first()
    )


def _parse(body: bytes) -> SharingRequestIn:
    try:
        return SharingRequestIn.model_validate(json.loads(body or b"null"))
    except (ValueError, ValidationError) as exc:
        field = None
        if isinstance(exc, ValidationError) and exc.errors():
            field = ".".join(str(p) for p in exc.errors()[0]["loc"]) or None
        raise ValidationFailed(
            f"요청 본문이 올바르지 않습니다: {field or '본문'}",
            f"Invalid request body: {field or 'body'}",
            field=field,
        ) from None


@router.post(
    "/sharing/requests",
    auth=AgencyKeyAuth(),
    response={200: SignedAnswerOut, **ERRORS},
    operation_id="SharingRequestCreate",
    summary="행정정보 공동이용 요청 (signed agency request; signed, minimised answer)",
    openapi_extra=_REQUEST_BODY,
)
def sharing_request(request: HttpRequest) -> Any:
    client = request.auth  # type: ignore[attr-defined]
    body = request.body
    headers = {k.lower(): v for k, v in request.headers.items()}
    known: dict[str, Any] = {"keyid": keyid_of(headers)[:40]}
    try:
        verified = verify_request(
            Message(request.method or "POST", request.build_absolute_uri(), headers),
            body,
            keyid=client.prefix,
            public_pem=_live_key(client.pk),
        )
        known.update(nonce=verified.nonce, request_sha256=verified.request_sha256)
        payload = _parse(body)
        known.update(
            item=payload.item,
            purpose=payload.purpose,
            officer=payload.officer,
            case_reference=payload.case_reference,
        )
        subject = rrn.SealedRRN.from_text(payload.subject_rrn, field="subject_rrn")
        known["subject_index"] = subject.index
        from minwon.registry.queries import person_by_index

        person = person_by_index(subject.index)
        if person is None:
            raise NotFound(
                "해당 주민을 찾을 수 없습니다.",
                "No such resident.",
                field="subject_rrn",
                code="subject_not_found",
            )
        result = execute(
            AnswerSharingRequest(
                actor=actor_for_request(request),
                channel=Channel.AGENCY,
                jurisdiction=jurisdictions.sigungu_of(person.jurisdiction_id),
                item=payload.item,
                purpose=payload.purpose,
                subject_rrn=subject,
                case_reference=payload.case_reference,
                officer=payload.officer,
                inputs=payload.inputs,
                defer_until=payload.defer_until,
                keyid=verified.keyid,
                nonce=verified.nonce,
                request_sha256=verified.request_sha256,
                reference=uuid.uuid4(),
            )
        )
    except DomainError as exc:
        if isinstance(exc, SignatureRefused) and exc.code == "replayed_nonce":
            known.pop("nonce", None)  # already burnt by the first request
        return _deny(request, exc, **known)
    return {"answer": result.value["answer"], "signature": result.value["signature"]}


class ItemOut(Schema):
    code: str
    name: str
    provider: str
    fields: list[str]
    purposes: list[dict[str, Any]]


@router.get(
    "/sharing/items",
    response={200: list[ItemOut], **ERRORS},
    operation_id="SharingItemList",
    summary="공동이용 대상 정보 목록 (catalogue: purposes, legal basis or consent)",
)
def item_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "code": i.code,
            "name": i.name,
            "provider": i.provider,
            "fields": list(i.fields),
            "purposes": [
                {
                    "code": p.code,
                    "name": p.name,
                    "ground": p.ground,
                    "consent": p.consent,
                    "answer": p.answer,
                    "inputs": list(p.inputs),
                    "deferrable_days": p.deferrable_days,
                }
                for p in i.purposes
            ],
        }
        for i in catalog.items().values()
    ]


# --- the citizen: consents and 열람 이력 ----------------------------------------------------


def citizen_index(request: HttpRequest) -> tuple[Actor, str]:
    actor = actor_for_request(request)
    index = getattr(request.user, "identity_index", "") if policies.is_citizen(actor) else ""
    if not index:
        raise Forbidden(
            "본인확인된 시민만 이용할 수 있습니다.", "Citizens with proven identity only."
        )
    return actor, index


class ConsentIn(Schema):
    recipient_kind: str = Field(..., pattern="^(agency|office)$")
    recipient_id: str = Field(..., min_length=1, max_length=20)
    items: list[str] = Field(..., min_length=1, max_length=10)
    purpose: str = Field(..., min_length=1, max_length=40)
    valid_until: date


class ConsentOut(Schema):
    reference: str
    recipient_kind: str
    recipient_name: str
    items: list[str]
    purpose: str
    valid_until: date
    given_at: datetime
    channel: str
    revoked_at: datetime | None
    state: str


def consent_out(c: Any, on: date) -> dict[str, Any]:
    return {
        "reference": str(c.reference),
        "recipient_kind": c.recipient_kind,
        "recipient_name": c.recipient_name,
        "items": c.items,
        "purpose": c.purpose,
        "valid_until": c.valid_until,
        "given_at": c.given_at,
        "channel": c.channel,
        "revoked_at": c.revoked_at,
        "state": queries.consent_state(c, on),
    }


@router.get(
    "/me/consents",
    auth=LoggedInSession(),
    response={200: list[ConsentOut], **ERRORS},
    operation_id="MyConsentList",
    summary="나의 정보 제공 동의 목록",
)
def my_consents(request: HttpRequest) -> list[dict[str, Any]]:
    _, index = citizen_index(request)
    on = clock.now().date()
    return [consent_out(c, on) for c in queries.consents_of(index)]


@router.post(
    "/me/consents",
    auth=LoggedInSession(),
    response={200: ConsentOut, **ERRORS},
    operation_id="MyConsentGive",
    summary="정보 제공 동의 (give consent)",
)
def give_consent(request: HttpRequest, payload: ConsentIn) -> dict[str, Any]:
    actor, index = citizen_index(request)
    result = execute(
        GiveConsent(
            actor=actor,
            channel=Channel.ONLINE,
            jurisdiction=NATION,
            command_id=command_id(request),
            recipient_kind=payload.recipient_kind,
            recipient_id=payload.recipient_id,
            items=payload.items,
            purpose=payload.purpose,
            valid_until=payload.valid_until,
        )
    )
    found = [c for c in queries.consents_of(index) if str(c.reference) == result.value["reference"]]
    return consent_out(found[0], clock.now().date())


@router.post(
    "/me/consents/{reference}/revoke",
    auth=LoggedInSession(),
    response={200: ConsentOut, **ERRORS},
    operation_id="MyConsentRevoke",
    summary="동의 철회 (revoke consent)",
)
def revoke_consent(request: HttpRequest, reference: uuid.UUID) -> dict[str, Any]:
    actor, index = citizen_index(request)
    execute(
        RevokeConsent(
            actor=actor,
            channel=Channel.ONLINE,
            jurisdiction=NATION,
            command_id=command_id(request),
            reference=reference,
        )
    )
    found = [c for c in queries.consents_of(index) if c.reference == reference]
    return consent_out(found[0], clock.now().date())


class AccessOut(Schema):
    at: datetime
    who: str
    officer: str
    item: str
    purpose: str
    ground: str
    source: str
    case_reference: str
    reference: str


@router.get(
    "/me/data-access",
    auth=LoggedInSession(),
    response={200: list[AccessOut], **ERRORS},
    operation_id="MyDataAccessList",
    summary="나의 정보 열람 이력 (who read my data, what, why, when)",
)
def my_data_access(request: HttpRequest) -> list[dict[str, Any]]:
    from minwon.registry.queries import person_by_index

    _, index = citizen_index(request)
    person = person_by_index(index)
    entries = queries.data_access_of(
        subject_index=index, person_id=person.pk if person else None, on=clock.now().date()
    )
    return [e.__dict__ for e in entries]


# --- the national sanction check --------------------------------------------------------


class SanctionCheckIn(Schema):
    kind: str = Field(..., min_length=1, max_length=20)
    case_reference: str = Field(..., min_length=1, max_length=60)
    rrn: str | None = Field(None, min_length=13, max_length=20)
    person_id: int | None = Field(None, ge=1)


@router.post(
    "/sanctions/check",
    auth=[StaffTokenAuth(), LoggedInSession()],
    response={200: dict[str, Any], **ERRORS},
    operation_id="SanctionCheck",
    summary="전국 행정처분 결격 확인 (national sanction check, purpose 인허가 결격 확인)",
)
def sanction_check(request: HttpRequest, payload: SanctionCheckIn) -> dict[str, Any]:
    actor = actor_for_request(request)
    if not policies.may_check_sanctions(actor):
        raise Forbidden("직원만 이용할 수 있습니다.", "Staff only.")
    if (payload.rrn is None) == (payload.person_id is None):
        raise ValidationFailed(
            "주민등록번호와 주민 번호 중 하나만 입력하세요.",
            "Give either rrn or person_id.",
            field="rrn",
        )
    office = getattr(request.user, "office_id", None) or NATION
    result = execute(
        CheckSanctions(
            actor=actor,
            channel=Channel.COUNTER,
            jurisdiction=office,
            command_id=command_id(request),
            kind=payload.kind,
            case_reference=payload.case_reference,
            person_id=payload.person_id,
            subject_rrn=rrn.SealedRRN.from_text(payload.rrn, field="rrn") if payload.rrn else None,
        )
    )
    value: dict[str, Any] = result.value
    return value


class MessageOut(Schema):
    reference: str
    at: datetime
    outcome: str
    requester: str
    requester_name: str
    officer: str
    item: str
    purpose: str
    ground: str
    case_reference: str
    provider: str | None
    request_sha256: str
    denial_code: str
    denial_message: str
    entry_hash: str


@router.get(
    "/sharing/messages",
    auth=[StaffTokenAuth(), LoggedInSession()],
    response={200: list[MessageOut], **ERRORS},
    operation_id="SharingMessageList",
    summary="공동이용 메시지 기록 검색 (operators, auditors)",
)
def message_list(request: HttpRequest, f: Query[queries.MessageFilterIn]) -> list[dict[str, Any]]:
    actor = actor_for_request(request)
    if not policies.can_read_log(actor):
        raise Forbidden("메시지 기록을 볼 권한이 없습니다.", "You may not read the message log.")
    return [message_out(m) for m in queries.search_messages(actor, f.to_filter())]


def message_out(m: Any) -> dict[str, Any]:
    return {
        "reference": str(m.reference),
        "at": m.at,
        "outcome": m.outcome,
        "requester": m.requester,
        "requester_name": m.requester_name,
        "officer": m.officer,
        "item": m.item,
        "purpose": m.purpose,
        "ground": m.ground,
        "case_reference": m.case_reference,
        "provider": m.provider_id,
        "request_sha256": m.request_sha256,
        "denial_code": m.denial_code,
        "denial_message": m.denial_message,
        "entry_hash": m.entry_hash,
    }
