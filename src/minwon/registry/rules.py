"""The registry's plain rules, shared by its commands, pages and API: address codes, the
14-day deadline, names and relationships. Each failure is a 400 naming the field.

The 14-day rule (주민등록법 §11·§16): a move-in is reported within 14 days of moving. A
late report is still accepted — refusing it would leave the register wrong — and the days
over the deadline are recorded for the 과태료 (fine) notice. The effective date of the new
address is always the move-in date, never the report date.
"""

from __future__ import annotations

from datetime import date

from minwon.kernel import jurisdictions
from minwon.kernel.errors import ValidationFailed
from minwon.kernel.models import Jurisdiction

from .models import Relationship

REPORT_DEADLINE_DAYS = 14


def destination(address_code: str, *, field: str = "address_code") -> Jurisdiction:
    """The 읍·면·동 an address lies in: a known code, at that level, still in force."""
    code = (address_code or "").strip()
    if len(code) != 10 or not code.isdigit():
        raise ValidationFailed(
            "주소의 행정구역 코드는 10자리 숫자여야 합니다.",
            "The address code must be 10 digits.",
            field=field,
            code="unknown_address_code",
        )
    unit = jurisdictions.get(code, field=field)
    if unit.level != Jurisdiction.Level.EUPMYEONDONG or not unit.in_force:
        raise ValidationFailed(
            f"{unit.full_name}은(는) 현재 주소로 쓸 수 있는 읍·면·동이 아닙니다.",
            f"{code} is not an 읍·면·동 in force; addresses need one.",
            field=field,
            code="unknown_address_code",
        )
    return unit


def road_address(value: str, *, field: str = "road_address") -> str:
    text = " ".join((value or "").split())
    if len(text) < 5 or len(text) > 200:
        raise ValidationFailed(
            "도로명주소를 5~200자로 입력하세요.",
            "Enter the road-name address (5-200 characters).",
            field=field,
        )
    return text


def address_detail(value: str) -> str:
    text = " ".join((value or "").split())
    if len(text) > 100:
        raise ValidationFailed(
            "상세주소는 100자 이내여야 합니다.",
            "The address detail must be at most 100 characters.",
            field="address_detail",
        )
    return text


def person_name(value: str, *, field: str = "name") -> str:
    text = " ".join((value or "").split())
    if not text or len(text) > 60:
        raise ValidationFailed(
            "성명을 1~60자로 입력하세요.", "Enter a name of 1-60 characters.", field=field
        )
    return text


#: The codes ``relationship`` accepts (``Relationship.values`` builds a new list per call, and
#: a bulk load checks every member).
_RELATIONSHIPS = frozenset(Relationship.values)


def relationship(value: str, *, field: str = "relationship") -> str:
    if value not in _RELATIONSHIPS:
        raise ValidationFailed(
            "세대주와의 관계가 올바르지 않습니다.",
            f"Unknown relationship {value!r}; use one of {', '.join(Relationship.values)}.",
            field=field,
        )
    return value


def not_in_future(day: date, today: date, *, field: str) -> None:
    if day > today:
        raise ValidationFailed(
            "미래의 날짜는 입력할 수 없습니다.",
            "The date cannot be in the future.",
            field=field,
            code="future_date",
        )


def late_days(moved_in_on: date, reported_on: date) -> int:
    """Days past the 14-day deadline (0 when on time)."""
    return max(0, (reported_on - moved_in_on).days - REPORT_DEADLINE_DAYS)
