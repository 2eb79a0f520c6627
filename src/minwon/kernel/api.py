"""Kernel endpoints: administrative divisions, the business calendar, and who am I."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from minwon.accounts.actors import actor_for_request
from minwon.kernel import calendar, execute, jurisdictions
from minwon.kernel.commands import DeclareHoliday
from minwon.kernel.models import Jurisdiction
from minwon.kernel.types import NATION, Channel
from minwon.web.api import AUTH, ErrorOut, command_id

router = Router(tags=["kernel"])


class JurisdictionOut(Schema):
    code: str
    name: str
    full_name: str
    level: str
    parent: str | None = Field(None, alias="parent_id")
    valid_from: date
    valid_to: date | None
    successor: str | None = Field(None, alias="successor_id")


class JurisdictionFilter(Schema):
    q: str | None = Field(None, max_length=50, description="이름 일부 (name contains)")
    parent: str | None = Field(None, pattern=r"^\d{10}$")
    level: str | None = Field(None, pattern=r"^(sido|sigungu|gu|eupmyeondong)$")
    in_force: bool = True


@router.get(
    "/jurisdictions",
    auth=None,
    response={200: list[JurisdictionOut], 400: ErrorOut},
    operation_id="JurisdictionList",
    summary="행정구역 목록 (administrative divisions)",
)
def jurisdiction_list(
    request: HttpRequest, filters: Query[JurisdictionFilter]
) -> list[Jurisdiction]:
    qs = Jurisdiction.objects.exclude(pk=NATION).order_by("code")
    if filters.q:
        qs = qs.filter(full_name__contains=filters.q)
    if filters.parent:
        qs = qs.filter(parent_id=filters.parent)
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.in_force:
        qs = qs.filter(valid_to__isnull=True)
    return list(qs[:500])


@router.get(
    "/jurisdictions/{code}",
    auth=None,
    response={200: JurisdictionOut, 400: ErrorOut, 404: ErrorOut},
    operation_id="JurisdictionGet",
    summary="행정구역 한 곳 (one division; retired codes name their successor)",
)
def jurisdiction_get(request: HttpRequest, code: str) -> Jurisdiction:
    return jurisdictions.get(code, field="code")


class HolidayOut(Schema):
    date: date
    name: str
    working_day: bool


class HolidayIn(Schema):
    date: date
    name: str = Field(..., max_length=60)
    withdraw: bool = False


class HolidayResult(Schema):
    date: str
    state: str


@router.get(
    "/calendar/{day}",
    auth=None,
    response={200: HolidayOut, 400: ErrorOut},
    operation_id="CalendarDay",
    summary="근무일 여부 (is this a working day?)",
)
def calendar_day(request: HttpRequest, day: date) -> HolidayOut:
    return HolidayOut(
        date=day, name=calendar.holiday_name(day) or "", working_day=calendar.is_working_day(day)
    )


@router.post(
    "/holidays",
    auth=AUTH,
    response={200: HolidayResult, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 409: ErrorOut},
    operation_id="HolidayDeclare",
    summary="임시공휴일 지정 (declare a temporary holiday; administrators)",
)
def holiday_declare(request: HttpRequest, payload: HolidayIn) -> dict[str, str]:
    result = execute(
        DeclareHoliday(
            actor=actor_for_request(request),
            channel=Channel.ONLINE,
            jurisdiction=NATION,
            command_id=command_id(request),
            day=payload.date,
            name=payload.name,
            withdraw=payload.withdraw,
        )
    )
    value: dict[str, str] = result.value
    return value


class MeOut(Schema):
    actor: str
    kind: str
    name: str
    scopes: dict[str, list[str]]


@router.get(
    "/me",
    auth=AUTH,
    response={200: MeOut, 401: ErrorOut},
    operation_id="Me",
    summary="나 (who am I)",
)
def me(request: HttpRequest) -> MeOut:
    from minwon.accounts.permissions import grants_of

    actor = actor_for_request(request)
    scopes: dict[str, list[str]] = {}
    for role, scope in grants_of(actor):
        scopes.setdefault(role, []).append(scope)
    return MeOut(actor=str(actor), kind=actor.kind.value, name=actor.name, scopes=scopes)
