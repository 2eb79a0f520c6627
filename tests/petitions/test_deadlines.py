"""처리기한 as the law counts it: worked examples across the 2026–2027 holidays and
properties that hold for any reception time."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minwon.kernel import calendar
from minwon.kernel.clock import SEOUL
from minwon.petitions.deadlines import Period, deadline, parse_period, paused_working_days

pytestmark = pytest.mark.django_db


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SEOUL)


WORKED = [
    # (received, period, expected deadline, why)
    ("2026-03-09T10:00", "즉시", "2026-03-09T14:00", "즉시 = 3 working hours, lunch excluded"),
    ("2026-03-09T17:00", "즉시", "2026-03-10T11:00", "즉시 across the evening"),
    ("2026-02-13T16:00", "즉시", "2026-02-19T10:00", "설날 2026-02-16~18 and the weekend skipped"),
    ("2026-02-27T16:00", "1d", "2026-03-03T16:00", "삼일절 대체공휴일 2026-03-02"),
    ("2026-03-09T10:00", "3d", "2026-03-12T10:00", "3 days = 24 working hours from reception"),
    ("2026-03-06T20:00", "3d", "2026-03-11T18:00", "received after hours on Friday"),
    ("2026-06-02T14:00", "1d", "2026-06-04T14:00", "전국동시지방선거 2026-06-03"),
    ("2026-06-02T14:00", "5d", "2026-06-10T14:00", "5 days still in working hours"),
    ("2026-09-23T11:00", "5d", "2026-10-02T11:00", "추석 2026-09-24~26"),
    ("2026-10-02T11:00", "3d", "2026-10-08T11:00", "개천절 대체공휴일 2026-10-05"),
    ("2026-03-09T10:00", "7d", "2026-03-17T18:00", "6 days or more: days, first day included"),
    ("2026-03-07T10:00", "7d", "2026-03-17T18:00", "received Saturday: first counted day Monday"),
    ("2026-09-21T10:00", "7d", "2026-10-01T18:00", "추석 skipped in the days regime"),
    ("2026-09-30T10:00", "10d", "2026-10-15T18:00", "개천절 대체 and 한글날 skipped"),
    ("2026-02-10T09:30", "14d", "2026-03-05T18:00", "설날 and 삼일절 대체공휴일 skipped"),
    ("2027-02-05T10:00", "7d", "2027-02-17T18:00", "설날 2027 with 대체공휴일 2027-02-09"),
    ("2026-05-29T10:00", "30d", "2026-07-10T18:00", "지방선거 skipped; 현충일 is a Saturday"),
    ("2026-03-09T10:00", "1m", "2026-04-08T18:00", "month: day before the corresponding day"),
    (
        "2026-01-31T10:00",
        "1m",
        "2026-03-03T18:00",
        "no Feb 31 → Feb 28 (Sat) → Sun, 3·1, 대체 → Mar 3",
    ),
    ("2026-03-31T10:00", "1m", "2026-04-30T18:00", "no April 31 → last day of April"),
    ("2026-03-09T10:00", "2w", "2026-03-23T18:00", "two weeks end Sunday → Monday"),
]


def test_worked_examples_table() -> None:
    wrong = []
    for received, period, expected, why in WORKED:
        got = deadline(at(received), parse_period(period))
        if got != at(expected):
            wrong.append(f"{received} + {period}: {got:%Y-%m-%dT%H:%M} ≠ {expected} ({why})")
    assert not wrong, "\n".join(wrong)


def test_weeks_ending_in_chuseok_roll_past_every_holiday() -> None:
    # 2026-09-11 (Fri) + 2 weeks: first day included, ends Thu 09-24 = 추석 전날, then 추석,
    # 추석 다음날 (Sat) and Sunday: the period ends Monday 09-28.
    assert deadline(at("2026-09-11T10:00"), Period(2, "weeks")) == at("2026-09-28T18:00")


def test_year_period_and_leap_day() -> None:
    # 2027-02-28 is a Sunday; 2026-03-01 + 1 year → day before 2027-03-01 = 2027-02-28 (Sun)
    # → Monday 03-01 is 삼일절 → Tuesday 03-02.
    assert deadline(at("2026-03-01T10:00"), Period(1, "years")) == at("2027-03-02T18:00")


def test_supplement_pause_in_hours_regime() -> None:
    received = at("2026-03-09T10:00")
    pause = (at("2026-03-10T10:00"), at("2026-03-12T10:00"))  # 16 working hours stopped
    assert deadline(received, Period(3, "days"), [pause]) == at("2026-03-16T10:00")


def test_supplement_pause_in_days_regime() -> None:
    received = at("2026-03-09T10:00")  # 7d → 2026-03-17 18:00
    pause = (at("2026-03-10T15:00"), at("2026-03-13T11:00"))  # Wed, Thu, Fri taken out
    assert paused_working_days(*pause) == 3
    assert deadline(received, Period(7, "days"), [pause]) == at("2026-03-20T18:00")


def test_pause_across_holidays_counts_only_working_days() -> None:
    pause = (at("2026-02-13T10:00"), at("2026-02-20T10:00"))  # Fri → Fri over 설날
    assert paused_working_days(*pause) == 2  # 02-19, 02-20


def test_pause_after_deadline_does_not_move_it() -> None:
    received = at("2026-03-09T10:00")
    late = (at("2026-03-20T10:00"), at("2026-03-25T10:00"))
    assert deadline(received, Period(7, "days"), [late]) == at("2026-03-17T18:00")


def test_extension_counts_after_the_original_deadline() -> None:
    received = at("2026-03-09T10:00")  # 7d → 03-17 18:00; +7d from the next working day
    got = deadline(received, Period(7, "days"), extensions=[Period(7, "days")])
    assert got == at("2026-03-26T18:00")
    short = deadline(at("2026-03-09T10:00"), Period(3, "days"), extensions=[Period(3, "days")])
    assert short == at("2026-03-17T10:00")


def test_declared_holiday_counts(jurisdictions_loaded: None) -> None:
    from minwon.kernel.models import DeclaredHoliday

    DeclaredHoliday.objects.create(
        date=date(2026, 3, 10),
        name="임시공휴일",
        declared_by="t",
        declared_at=at("2026-01-01T00:00"),
    )
    calendar.invalidate()
    assert deadline(at("2026-03-09T10:00"), Period(1, "days")) == at("2026-03-11T10:00")


def test_parse_period_rejects_nonsense() -> None:
    for bad in ("", "x", "3", "d3", "-1d", "0d"):
        with pytest.raises(ValueError, match="period"):
            parse_period(bad)


receptions = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 11, 30)).map(
    lambda d: d.replace(tzinfo=SEOUL, microsecond=0)
)


@settings(max_examples=150, deadline=None)
@given(received=receptions, days=st.integers(min_value=1, max_value=5))
def test_hours_regime_is_exactly_the_working_hours(received: datetime, days: int) -> None:
    due = deadline(received, Period(days, "days"))
    assert due > received
    assert calendar.working_hours_between(received, due) == pytest.approx(days * 8)
    assert calendar.is_working_day(due.date())


@settings(max_examples=150, deadline=None)
@given(received=receptions, days=st.integers(min_value=6, max_value=40))
def test_days_regime_counts_working_days_first_day_included(received: datetime, days: int) -> None:
    due = deadline(received, Period(days, "days"))
    assert due.time() == calendar.DAY_END and calendar.is_working_day(due.date())
    first = received.date()
    if not (calendar.is_working_day(first) and received.time() < calendar.DAY_END):
        first = calendar.next_working_day(first)
    counted = sum(
        calendar.is_working_day(first + timedelta(days=i))
        for i in range((due.date() - first).days + 1)
    )
    assert counted == days


@settings(max_examples=100, deadline=None)
@given(received=receptions, days=st.integers(min_value=1, max_value=30), more=st.integers(1, 5))
def test_longer_period_never_ends_earlier(received: datetime, days: int, more: int) -> None:
    assert deadline(received, Period(days + more, "days")) >= deadline(
        received, Period(days, "days")
    )


@settings(max_examples=100, deadline=None)
@given(
    received=receptions,
    period=st.sampled_from(["즉시", "3d", "5d", "7d", "14d", "30d", "2w", "1m"]),
    start_hours=st.integers(min_value=0, max_value=60),
    length_hours=st.integers(min_value=0, max_value=200),
)
def test_a_pause_never_shortens_and_at_most_adds_its_length(
    received: datetime, period: str, start_hours: int, length_hours: int
) -> None:
    p = parse_period(period)
    base = deadline(received, p)
    start = received + timedelta(hours=start_hours)
    paused = deadline(received, p, [(start, start + timedelta(hours=length_hours))])
    assert paused >= base
    if p.in_working_hours:
        added = calendar.working_hours_between(base, paused)
        assert (
            added
            == pytest.approx(
                calendar.working_hours_between(start, start + timedelta(hours=length_hours))
            )
            or start >= base
        )


@settings(max_examples=100, deadline=None)
@given(received=receptions, months=st.integers(min_value=1, max_value=14))
def test_month_periods_end_on_an_open_day_after_the_calendar_end(
    received: datetime, months: int
) -> None:
    due = deadline(received, Period(months, "months"))
    assert calendar.is_working_day(due.date())
    assert due.date() > received.date()
    # never more than a long holiday run (≤ 9 days) past the calendar end
    assert (due.date() - received.date()).days <= months * 31 + 9
