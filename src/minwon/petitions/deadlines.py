"""처리기한: the deadline of a petition, counted exactly as the law counts it.

민원 처리에 관한 법률 제19조 and its 시행령 제19조 (처리기간의 계산):

* a period of **5 days or less** is counted in working hours from the moment of reception,
  one day being 8 working hours; Saturdays and public holidays do not count
  (``Period(3, "days")`` → 24 working hours after reception);
* a period of **6 days or more** is counted in days, **the first day included**, without
  Saturdays and public holidays; the deadline is the end of the office's working day
  (18:00) on the last counted day;
* **즉시** means within 3 working hours (시행령 제19조③);
* periods in **weeks, months or years** are counted by the calendar (민법 제159–161조 as the
  시행령 applies them): the first day included, the period ends on the day before the day
  corresponding to the first day in the last week/month/year, on the month's last day when
  that month has no such day, and on the next day when the end falls on a Saturday or a
  public holiday.

Days the clock stops (시행령 제20조: 보완 기간 and the other excluded periods) are passed as
``pauses``; extensions (법 제21조) as ``extensions``, each counted after the deadline it
extends. Everything is built on ``minwon.kernel.calendar`` (holidays from ``holidays`` KR,
대체공휴일 and election days included, plus days an administrator declares).
"""

from __future__ import annotations

import calendar as pycalendar
import dataclasses
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from datetime import time as dtime
from typing import Literal

from minwon.kernel import calendar
from minwon.kernel.clock import SEOUL, local
from minwon.kernel.text import ascii_digits

Unit = Literal["immediate", "hours", "days", "weeks", "months", "years"]
UNITS: tuple[str, ...] = ("immediate", "hours", "days", "weeks", "months", "years")
IMMEDIATE_HOURS = 3
HOURS_REGIME_MAX_DAYS = 5


@dataclasses.dataclass(frozen=True)
class Period:
    """A processing period as the catalog states it: ``amount`` of ``unit``."""

    amount: int
    unit: Unit

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"unknown period unit {self.unit!r}")
        if self.unit != "immediate" and self.amount < 1:
            raise ValueError("a period must be at least 1")

    @classmethod
    def immediate(cls) -> Period:
        return cls(0, "immediate")

    @property
    def in_working_hours(self) -> bool:
        """True when the law counts this period in working hours (즉시, hours, ≤ 5 days)."""
        return self.unit in ("immediate", "hours") or (
            self.unit == "days" and self.amount <= HOURS_REGIME_MAX_DAYS
        )

    @property
    def working_hours(self) -> int:
        if self.unit == "immediate":
            return IMMEDIATE_HOURS
        if self.unit == "hours":
            return self.amount
        if self.unit == "days" and self.amount <= HOURS_REGIME_MAX_DAYS:
            return self.amount * calendar.HOURS_PER_DAY
        raise ValueError("this period is not counted in working hours")

    def label(self) -> str:
        """Korean label as the catalog prints it (즉시, 3일, 1개월 …)."""
        if self.unit == "immediate":
            return "즉시"
        suffix = {"hours": "시간", "days": "일", "weeks": "주", "months": "개월", "years": "년"}
        return f"{self.amount}{suffix[self.unit]}"


Pause = tuple[datetime, datetime]


def end_of_day(day: date) -> datetime:
    return datetime.combine(day, calendar.DAY_END, tzinfo=SEOUL)


def first_counted_day(moment: datetime) -> date:
    """The first day counted in the days regime: the day of reception if the office still
    had working time left that day, otherwise the next working day (a petition filed online
    on Saturday or at 23:00 gives the office nothing on that day to work with)."""
    moment = local(moment)
    day = moment.date()
    if calendar.is_working_day(day) and moment.time() < calendar.DAY_END:
        return day
    return calendar.next_working_day(day)


def _add_months(day: date, months: int) -> date | None:
    """The day corresponding to ``day`` ``months`` later, or None when that month lacks it."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    if day.day > pycalendar.monthrange(year, month)[1]:
        return None
    return date(year, month, day.day)


def _last_of_month(day: date, months: int) -> date:
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, pycalendar.monthrange(year, month)[1])


def _roll_forward(day: date) -> date:
    """민법 제161조: an end on a Saturday or a public holiday moves to the next day (and on
    past Sundays and further holidays, which are public holidays too)."""
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


def _calendar_end(first: date, period: Period) -> date:
    if period.unit == "weeks":
        end = first + timedelta(days=7 * period.amount - 1)
    else:
        months = period.amount * (12 if period.unit == "years" else 1)
        corresponding = _add_months(first, months)
        end = (
            _last_of_month(first, months)
            if corresponding is None
            else corresponding - timedelta(days=1)
        )
    return end


def _base(received_at: datetime, period: Period) -> datetime:
    received = local(received_at)
    if period.in_working_hours:
        return calendar.add_working_hours(received, period.working_hours)
    if period.unit == "days":
        return end_of_day(calendar.working_days_from(first_counted_day(received), period.amount))
    return end_of_day(_roll_forward(_calendar_end(received.date(), period)))


def paused_working_days(start: datetime, end: datetime) -> int:
    """Working days a pause takes out of a days-regime period: the working days after the
    day the supplement was requested, up to and including the day it came back (the day of
    the request was already the office's, the day of re-submission was still the
    applicant's)."""
    a, b = local(start).date(), local(end).date()
    count = 0
    day = a + timedelta(days=1)
    while day <= b:
        if calendar.is_working_day(day):
            count += 1
        day += timedelta(days=1)
    return count


def _extend_by_pause(current: datetime, period: Period, pause: Pause) -> datetime:
    start, end = local(pause[0]), local(pause[1])
    if end <= start:
        return current
    if period.in_working_hours:
        return calendar.add_working_hours(current, calendar.working_hours_between(start, end))
    if period.unit == "days":
        days = paused_working_days(start, end)
        day = current.date()
        for _ in range(days):
            day = calendar.next_working_day(day)
        return end_of_day(day)
    calendar_days = (end.date() - start.date()).days
    return end_of_day(_roll_forward(current.date() + timedelta(days=calendar_days)))


def _extend(current: datetime, extension: Period) -> datetime:
    """법 제21조: an extension is counted after the deadline it extends, in its own regime."""
    if extension.in_working_hours:
        return calendar.add_working_hours(current, extension.working_hours)
    if extension.unit == "days":
        return end_of_day(
            calendar.working_days_from(calendar.next_working_day(current.date()), extension.amount)
        )
    first = current.date() + timedelta(days=1)
    return end_of_day(_roll_forward(_calendar_end(first, extension)))


def deadline(
    received_at: datetime,
    period: Period,
    pauses: Iterable[Pause] = (),
    *,
    extensions: Sequence[Period] = (),
) -> datetime:
    """The moment the office must have decided: see the module docstring.

    ``pauses`` are (from, to) intervals when the clock stood still (보완 outstanding …);
    a pause that begins after the deadline it would extend does not move it. An open pause
    is passed with ``to`` = now by the caller. ``extensions`` are applied in order after the
    pauses of the original period."""
    current = _base(received_at, period)
    for pause in sorted(pauses, key=lambda p: p[0]):
        if local(pause[0]) < current:
            current = _extend_by_pause(current, period, pause)
    for extension in extensions:
        current = _extend(current, extension)
    return current


def working_hours_left(due: datetime, now: datetime) -> float:
    """Working hours from ``now`` to ``due`` (negative when overdue) for the work queue."""
    return calendar.working_hours_between(now, due)


def parse_period(text: str) -> Period:
    """``"즉시"``, ``"3h"``, ``"7d"``, ``"2w"``, ``"1m"``, ``"1y"`` (the catalog's notation)."""
    text = text.strip().lower()
    if text in ("즉시", "immediate", "0"):
        return Period.immediate()
    units = {"h": "hours", "d": "days", "w": "weeks", "m": "months", "y": "years"}
    if len(text) >= 2 and text[-1] in units and text[:-1].isdigit():
        return Period(int(text[:-1]), units[text[-1]])  # type: ignore[arg-type]
    raise ValueError(f"bad period {text!r}")


_EXTENSION_UNITS: dict[str, str] = {
    "시간": "hours", "h": "hours",
    "일": "days", "d": "days",
    "주": "weeks", "w": "weeks",
    "개월": "months", "달": "months", "m": "months",
    "년": "years", "y": "years",
}  # fmt: skip
_EXTENSION_PART = re.compile(r"([0-9]+)\s*(시간|개월|일|주|달|년|[hdwmy])")


def parse_extension(text: str) -> Period:
    """An extension period as the law and an officer write it: ``5일``, ``3시간``, ``2주``,
    ``1개월``, ``1일 4시간`` (full-width digits too, and the catalog's ``5d``). Days and
    hours together are counted in working hours (1일 = 8시간, 시행령 제19조), so
    ``1일 4시간`` is ``Period(12, "hours")``. Raises ``ValueError`` for anything else."""
    value = ascii_digits(text or "").strip().lower().replace(" ", "")
    parts = _EXTENSION_PART.findall(value)
    if not value or "".join(n + u for n, u in parts) != value:
        raise ValueError(f"bad extension period {text!r}")
    units = [_EXTENSION_UNITS[u] for _, u in parts]
    amounts = [int(n) for n, _ in parts]
    if len(set(units)) != len(units) or any(a < 1 for a in amounts):
        raise ValueError(f"bad extension period {text!r}")
    if len(parts) == 1:
        return Period(amounts[0], units[0])  # type: ignore[arg-type]
    if set(units) != {"days", "hours"}:
        raise ValueError(f"bad extension period {text!r}")
    by_unit = dict(zip(units, amounts, strict=True))
    return Period(by_unit["days"] * calendar.HOURS_PER_DAY + by_unit["hours"], "hours")


def period_text(period: Period) -> str:
    if period.unit == "immediate":
        return "즉시"
    return f"{period.amount}{period.unit[0]}"


__all__ = [
    "Pause",
    "Period",
    "deadline",
    "dtime",
    "end_of_day",
    "parse_extension",
    "parse_period",
    "period_text",
    "working_hours_left",
]
