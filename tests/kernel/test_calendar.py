"""The business calendar against known 2026–2027 dates and a declared 임시공휴일."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from minwon.kernel import calendar, execute
from minwon.kernel.clock import SEOUL
from minwon.kernel.commands import DeclareHoliday
from minwon.kernel.errors import ValidationFailed
from minwon.kernel.types import NATION, Actor, Channel


@pytest.mark.django_db
@pytest.mark.parametrize(
    "day",
    [
        "2026-02-16", "2026-02-17", "2026-02-18",  # 설날
        "2026-03-02",  # 대체공휴일 for 삼일절 on a Sunday
        "2026-06-03",  # 전국동시지방선거
        "2026-09-24", "2026-09-25", "2026-09-26",  # 추석
        "2026-10-05",  # 대체공휴일 for 개천절
        "2027-02-09",  # 대체공휴일 for 설날 on a Sunday
    ],
)  # fmt: skip
def test_known_holidays(day: str) -> None:
    assert calendar.is_holiday(date.fromisoformat(day))
    assert not calendar.is_working_day(date.fromisoformat(day))


@pytest.mark.django_db
def test_chuseok_saturday_gets_no_substitute() -> None:
    # 추석 2026 runs Thu 24 – Sat 26; a Saturday overlap earns no 대체공휴일.
    assert date(2026, 9, 26).weekday() == 5
    assert calendar.is_working_day(date(2026, 9, 28))
    assert calendar.next_working_day(date(2026, 9, 23)) == date(2026, 9, 28)


@pytest.mark.django_db
def test_ordinary_days() -> None:
    assert calendar.is_working_day(date(2026, 11, 20))  # Friday
    assert not calendar.is_working_day(date(2026, 11, 21))  # Saturday
    assert not calendar.is_working_day(date(2026, 11, 22))  # Sunday


@pytest.mark.django_db
def test_declared_temporary_holiday() -> None:
    day = date(2026, 11, 23)
    assert calendar.is_working_day(day)
    execute(
        DeclareHoliday(
            actor=Actor.system("test"), channel=Channel.SYSTEM, jurisdiction=NATION,
            day=day, name="임시공휴일",
        )
    )  # fmt: skip
    assert calendar.holiday_name(day) == "임시공휴일"
    assert not calendar.is_working_day(day)
    execute(
        DeclareHoliday(
            actor=Actor.system("test"), channel=Channel.SYSTEM, jurisdiction=NATION,
            day=day, name="", withdraw=True,
        )
    )  # fmt: skip
    assert calendar.is_working_day(day)


@pytest.mark.django_db
def test_declaring_needs_a_name() -> None:
    with pytest.raises(ValidationFailed) as info:
        execute(
            DeclareHoliday(
                actor=Actor.system("t"), channel=Channel.SYSTEM, jurisdiction=NATION,
                day=date(2026, 12, 1), name="  ",
            )
        )  # fmt: skip
    assert info.value.field == "name"


@pytest.mark.django_db
def test_working_hours_skip_lunch_nights_weekends_and_holidays() -> None:
    friday_4pm = datetime(2026, 2, 13, 16, 0, tzinfo=SEOUL)
    # 2 hours left on Friday; Sat/Sun and 설날 Mon–Wed are closed; Thursday 09:00 + 1h.
    assert calendar.add_working_hours(friday_4pm, 3) == datetime(2026, 2, 19, 10, 0, tzinfo=SEOUL)
    morning = datetime(2026, 11, 20, 11, 0, tzinfo=SEOUL)
    assert calendar.add_working_hours(morning, 2) == datetime(2026, 11, 20, 14, 0, tzinfo=SEOUL)
    assert calendar.working_hours_between(morning, datetime(2026, 11, 20, 14, 0, tzinfo=SEOUL)) == 2
    assert (
        calendar.working_hours_between(
            datetime(2026, 11, 20, 9, 0, tzinfo=SEOUL), datetime(2026, 11, 23, 9, 0, tzinfo=SEOUL)
        )
        == calendar.HOURS_PER_DAY
    )
