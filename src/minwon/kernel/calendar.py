"""The business calendar: which days public offices work and which hours count.

Closed days are Saturdays, Sundays, the statutory public holidays of Korea (``holidays``'
KR list, which includes 대체공휴일 and election days) and the days an administrator declares
(임시공휴일, ``DeclaredHoliday``). Working hours are 09:00–18:00 Asia/Seoul with the lunch
hour 12:00–13:00 excluded, so a working day has 8 hours.
"""

from __future__ import annotations

import functools
import threading
import time
from datetime import date, datetime, timedelta
from datetime import time as dtime

import holidays as holidays_lib

from minwon.kernel.clock import SEOUL, local

DAY_START = dtime(9)
LUNCH_START = dtime(12)
LUNCH_END = dtime(13)
DAY_END = dtime(18)
HOURS_PER_DAY = 8

_declared_lock = threading.Lock()
_declared: dict[date, str] = {}
_declared_loaded_at = 0.0
DECLARED_TTL = 30.0


@functools.cache
def _statutory(year: int) -> dict[date, str]:
    return dict(holidays_lib.KR(years=year, language="ko"))


def statutory_holidays(year: int) -> dict[date, str]:
    """The statutory public holidays of ``year`` (대체공휴일 and election days included)."""
    return dict(_statutory(year))


def declared_holidays() -> dict[date, str]:
    """Holidays declared in the database, cached for ``DECLARED_TTL`` seconds per process."""
    global _declared, _declared_loaded_at
    now = time.monotonic()
    if now - _declared_loaded_at > DECLARED_TTL:
        from minwon.kernel.models import DeclaredHoliday

        with _declared_lock:
            _declared = dict(DeclaredHoliday.objects.values_list("date", "name"))
            _declared_loaded_at = now
    return _declared


def invalidate() -> None:
    """Forget the cached declared holidays (after a declaration, and in tests)."""
    global _declared_loaded_at
    _declared_loaded_at = 0.0


def holiday_name(day: date) -> str | None:
    return declared_holidays().get(day) or _statutory(day.year).get(day)


def is_holiday(day: date) -> bool:
    return holiday_name(day) is not None


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and not is_holiday(day)


def next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def _segments(day: date) -> list[tuple[datetime, datetime]]:
    def at(t: dtime) -> datetime:
        return datetime.combine(day, t, tzinfo=SEOUL)

    return [(at(DAY_START), at(LUNCH_START)), (at(LUNCH_END), at(DAY_END))]


def add_working_hours(start: datetime, hours: float) -> datetime:
    """The moment ``hours`` working hours after ``start`` (which may fall outside hours)."""
    remaining = timedelta(hours=hours)
    moment = local(start)
    day = moment.date()
    if remaining <= timedelta(0):
        return moment
    while True:
        if is_working_day(day):
            for seg_start, seg_end in _segments(day):
                begin = max(seg_start, moment)
                if begin >= seg_end:
                    continue
                available = seg_end - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        day += timedelta(days=1)


def working_hours_between(start: datetime, end: datetime) -> float:
    """Working hours elapsed from ``start`` to ``end`` (negative if ``end`` is earlier)."""
    a, b = local(start), local(end)
    if b < a:
        return -working_hours_between(b, a)
    total = timedelta(0)
    day = a.date()
    while day <= b.date():
        if is_working_day(day):
            for seg_start, seg_end in _segments(day):
                lo, hi = max(seg_start, a), min(seg_end, b)
                if hi > lo:
                    total += hi - lo
        day += timedelta(days=1)
    return total.total_seconds() / 3600


def working_days_from(first: date, count: int) -> date:
    """The ``count``-th working day counting ``first`` itself if it is a working day."""
    day = first
    seen = 0
    while True:
        if is_working_day(day):
            seen += 1
            if seen == count:
                return day
        day += timedelta(days=1)
