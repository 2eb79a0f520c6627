"""The server's clock, in one place so tests and the edge's scripted outages can move it."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

SEOUL = ZoneInfo("Asia/Seoul")

_local = threading.local()
# A process started with MINWON_TEST_CLOCK_OFFSET (seconds) runs that far from the wall
# clock, and so do the processes it starts: how the suite is run at chosen instants
# (`make test-clock`) without faking the C library's clocks.
OFFSET_ENV = "MINWON_TEST_CLOCK_OFFSET"
_offset = timedelta(seconds=float(os.environ.get(OFFSET_ENV) or 0))
_frozen: datetime | None = None


def now() -> datetime:
    """The current time, aware, in Asia/Seoul."""
    frozen = getattr(_local, "frozen", None) or _frozen
    if frozen is not None:
        return frozen
    return datetime.now(SEOUL) + _offset


@contextlib.contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    """Freeze ``now()`` for the current thread (tests, scripted replays)."""
    previous = getattr(_local, "frozen", None)
    _local.frozen = moment.astimezone(SEOUL)
    try:
        yield
    finally:
        _local.frozen = previous


def set_offset(delta: timedelta) -> None:
    """Shift the whole process's clock (a fake clock for long scripted scenarios)."""
    global _offset
    _offset = delta


def offset() -> timedelta:
    """How far the process's clock runs from the wall clock."""
    return _offset


def wall() -> datetime:
    """The wall clock, unshifted, in Asia/Seoul: only for talking to things outside the
    project's control (a PostgreSQL server's own clock, file times)."""
    return datetime.now(SEOUL)


def local(moment: datetime) -> datetime:
    """Return ``moment`` in Asia/Seoul; naive values are taken as Seoul time."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=SEOUL)
    return moment.astimezone(SEOUL)
