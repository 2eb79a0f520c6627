"""Registry API: person search and detail, households, and the move-in report.

Every read of a person names its ``purpose`` (query parameter) and writes the access log;
RRNs are always masked here. ``POST /api/move-ins`` accepts an ``Idempotency-Key``.

A search by birth date or by resident registration number posts them
(``POST /api/persons/search``): neither ever travels in a URL (``web.urlguard``), so the
``GET /api/persons`` filter takes the name and the purpose only.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from minwon.accounts.actors import actor_for_request
from minwon.kernel import execute
from minwon.kernel.types import NATION, ActorKind, Channel
from minwon.web.api import ERRORS, READ_BY_POST, ErrorOut, command_id

from . import queries
from .models import Household, Person
from .movein import Mover, ReportMoveIn

router = Router(tags=["registry"])

PURPOSE = Field(..., min_length=1, max_length=200, description="열람 목적 (purpose, logged)")


class PersonOut(Schema):
    id: int
    name: str
    rrn_masked: str
    birth_date: date
    sex: str
    nationality: str
    status: str
    jurisdiction: str
    household_id: int | None


class ResidenceOut(Schema):
    road_address: str
    address_detail: str
    address_code: str
    moved_in_on: date
    reported_on: date
    moved_out_on: date | None
    reason: str
    late_days: int


class PersonDetailOut(PersonOut):
    addresses: list[ResidenceOut]


class MemberOut(Schema):
    person_id: int
    name: str
    rrn_masked: str
    relationship: str
    relationship_label: str
    joined_on: date


class HouseholdOut(Schema):
    id: int
    head_person_id: int | None
    road_address: str
    address_detail: str
    jurisdiction: str
    formed_on: date
    members: list[MemberOut]


class PersonFilter(Schema):
    """The search a URL may carry: nothing personal beyond a name."""

    purpose: str = PURPOSE
    name: str = Field("", max_length=60, description="성명 (exact name)")


class PersonSearch(PersonFilter):
    """The search in a POST body: by name and birth date, or by the exact number."""

    birth_date: date | None = None
    rrn: str = Field("", max_length=20, description="정확한 주민등록번호 (exact number)")


class ReadQuery(Schema):
    purpose: str = PURPOSE


class MoverIn(Schema):
    person_id: int = Field(..., ge=1)
    relationship: str = Field(..., max_length=20)


class MoveInIn(Schema):
    movers: list[MoverIn] = Field(..., min_length=1, max_length=30)
    household_id: int | None = Field(None, ge=1)
    road_address: str = Field("", max_length=300)
    address_detail: str = Field("", max_length=200)
    address_code: str = Field("", max_length=10)
    moved_in_on: date


class ChangeOut(Schema):
    source: str
    label: str
    value: str


class MoveInOut(Schema):
    state: str
    household_id: int
    person_ids: list[int] = []
    pending_id: int | None = None
    late: bool = False
    late_days: int = 0
    changes: list[ChangeOut] = []


def _person_out(person: Person) -> dict[str, Any]:
    household = queries.household_of(person)
    return {
        "id": person.pk,
        "name": person.name,
        "rrn_masked": queries.masked_rrn(person),
        "birth_date": person.birth_date,
        "sex": person.sex,
        "nationality": person.nationality,
        "status": person.status,
        "jurisdiction": person.jurisdiction_id,
        "household_id": household.pk if household else None,
    }


def _channel(request: HttpRequest) -> str:
    actor = actor_for_request(request)
    return Channel.AGENCY if actor.kind == ActorKind.AGENCY else Channel.ONLINE


def _search(request: HttpRequest, filters: PersonFilter, *, birth_date: date | None = None,
            rrn: str = "") -> list[dict[str, Any]]:  # fmt: skip
    found = queries.search_persons(
        actor_for_request(request),
        purpose=filters.purpose,
        name=filters.name,
        birth_date=birth_date,
        rrn_text=rrn,
        channel=_channel(request),
    )
    return [_person_out(p) for p in found]


@router.get(
    "/persons",
    response={200: list[PersonOut], **ERRORS},
    operation_id="PersonSearch",
    summary="주민 검색, 성명으로 (search persons by name; birth date or RRN: POST /persons/search)",
)
def person_search(request: HttpRequest, filters: Query[PersonFilter]) -> list[dict[str, Any]]:
    return _search(request, filters)


@router.post(
    "/persons/search",
    response={200: list[PersonOut], **ERRORS},
    operation_id="PersonSearchPost",
    openapi_extra=READ_BY_POST,
    summary="주민 검색, 본문으로 (search persons by name + birth date, or exact RRN, in the body)",
)
def person_search_post(request: HttpRequest, body: PersonSearch) -> list[dict[str, Any]]:
    return _search(request, body, birth_date=body.birth_date, rrn=body.rrn)


@router.get(
    "/persons/{person_id}",
    response={200: PersonDetailOut, **ERRORS},
    operation_id="PersonGet",
    summary="주민 상세와 주소 이력 (person with address history)",
)
def person_get(request: HttpRequest, person_id: int, q: Query[ReadQuery]) -> dict[str, Any]:
    person = queries.person_detail(
        actor_for_request(request), person_id, purpose=q.purpose, channel=_channel(request)
    )
    body = _person_out(person)
    body["addresses"] = [
        {
            "road_address": r.road_address,
            "address_detail": r.address_detail,
            "address_code": r.jurisdiction_id,
            "moved_in_on": r.moved_in_on,
            "reported_on": r.reported_on,
            "moved_out_on": r.moved_out_on,
            "reason": r.reason,
            "late_days": r.late_days,
        }
        for r in queries.address_history(person)
    ]
    return body


def household_body(household: Household) -> dict[str, Any]:
    return {
        "id": household.pk,
        "head_person_id": household.head_id,
        "road_address": household.road_address,
        "address_detail": household.address_detail,
        "jurisdiction": household.jurisdiction_id,
        "formed_on": household.formed_on,
        "members": [
            {
                "person_id": m.person_id,
                "name": m.person.name,
                "rrn_masked": queries.masked_rrn(m.person),
                "relationship": m.relationship,
                "relationship_label": m.get_relationship_display(),
                "joined_on": m.joined_on,
            }
            for m in queries.members_of(household)
        ],
    }


@router.get(
    "/households/{household_id}",
    response={200: HouseholdOut, **ERRORS},
    operation_id="HouseholdGet",
    summary="세대 (household with members in 주민등록표 order)",
)
def household_get(request: HttpRequest, household_id: int, q: Query[ReadQuery]) -> dict[str, Any]:
    household = queries.household_detail(
        actor_for_request(request), household_id, purpose=q.purpose, channel=_channel(request)
    )
    return household_body(household)


@router.post(
    "/move-ins",
    response={
        200: MoveInOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
    },
    operation_id="MoveInReport",
    summary="전입신고 (report a move-in; propagates to vehicles, tax, licensing)",
)
def move_in_report(request: HttpRequest, payload: MoveInIn) -> dict[str, Any]:
    actor = actor_for_request(request)
    jurisdiction = payload.address_code or NATION
    if payload.household_id is not None:
        found = Household.objects.filter(pk=payload.household_id).values_list(
            "jurisdiction_id", flat=True
        )
        jurisdiction = found.first() or jurisdiction
    channel = {
        ActorKind.CITIZEN: Channel.ONLINE,
        ActorKind.AGENCY: Channel.AGENCY,
    }.get(actor.kind, Channel.COUNTER)
    result = execute(
        ReportMoveIn(
            actor=actor,
            channel=channel,
            jurisdiction=jurisdiction
            if len(jurisdiction) == 10 and jurisdiction.isdigit()
            else NATION,
            command_id=command_id(request),
            movers=[
                Mover(person_id=m.person_id, relationship=m.relationship) for m in payload.movers
            ],
            household_id=payload.household_id,
            road_address=payload.road_address,
            address_detail=payload.address_detail,
            address_code=payload.address_code,
            moved_in_on=payload.moved_in_on,
        )
    )
    value: dict[str, Any] = result.value
    return value
