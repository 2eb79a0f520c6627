"""The server's clock, in one place so tests and the edge's scripted outages can move it."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

SEOUL = ZoneInfo("Asia/Seoul")

_local = threading.local()
_offset = timedelta(0)
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


def local(moment: datetime) -> datetime:
    """Return ``moment`` in Asia/Seoul; naive values are taken as Seoul time."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=SEOUL)
    return moment.astimezone(SEOUL)
