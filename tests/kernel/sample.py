"""A small command and event used only by the kernel's own tests."""

from __future__ import annotations

import dataclasses

from minwon.kernel.bus import Context
from minwon.kernel.models import DeclaredHoliday
from minwon.kernel.registry import handler, receiver, subscriber
from minwon.kernel.types import Command, Event

DELIVERED: list[int] = []
FAIL_TIMES: dict[str, int] = {"count": 0}
PROJECTION: list[str] = []


@dataclasses.dataclass(frozen=True, kw_only=True)
class NoteSample(Command):
    """Writes a DeclaredHoliday row (any kernel table will do) and emits an event."""

    day: str
    label: str
    explode: bool = False


@dataclasses.dataclass(frozen=True, kw_only=True)
class SampleNoted(Event):
    day: str
    label: str


@handler(NoteSample)
def note_sample(cmd: NoteSample, *, ctx: Context) -> dict[str, str]:
    import datetime as dt

    DeclaredHoliday.objects.create(
        date=dt.date.fromisoformat(cmd.day),
        name=cmd.label,
        declared_by="t",
        declared_at=ctx.recorded_at,
    )
    ctx.emit(SampleNoted(day=cmd.day, label=cmd.label))
    if cmd.explode:
        raise RuntimeError("handler failed after writing")
    return {"day": cmd.day}


@subscriber(SampleNoted)
def project(event: SampleNoted, *, ctx: Context) -> None:
    if event.label == "subscriber-fails":
        raise ValueError("projection failed")
    PROJECTION.append(event.label)


@receiver(SampleNoted, name="test.sample")
def deliver(event: SampleNoted, *, meta) -> None:  # type: ignore[no-untyped-def]
    if FAIL_TIMES["count"] > 0:
        FAIL_TIMES["count"] -= 1
        raise ConnectionError("receiver down")
    DELIVERED.append(meta.event_id)


@dataclasses.dataclass(frozen=True, kw_only=True)
class NoteSeveral(Command):
    """Emits ``labels`` in order, each a ``SampleNoted`` (which has an out-of-process
    receiver) or, for a label starting with ``quiet``, a ``SampleCounted`` (none)."""

    labels: tuple[str, ...]


@dataclasses.dataclass(frozen=True, kw_only=True)
class SampleCounted(Event):
    label: str


@handler(NoteSeveral)
def note_several(cmd: NoteSeveral, *, ctx: Context) -> dict[str, int]:
    for label in cmd.labels:
        if label.startswith("quiet"):
            ctx.emit(SampleCounted(label=label))
        else:
            ctx.emit(SampleNoted(day="2026-12-31", label=label))
    return {"events": len(cmd.labels)}
