"""Registry events: the facts other registers react to.

``MoveInReported`` is the one-stop promise (DESIGN §1): vehicles, tax and licensing
subscribe to it and run inside the move-in's transaction, so a failing subscriber rolls the
move-in back. Each subscriber reports what it changed with ``record_change``; the notices
app's subscriber, registered last, then sends the citizen ONE inbox message listing it all.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from minwon.kernel.bus import Context
from minwon.kernel.registry import register_event
from minwon.kernel.types import Event


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class PersonRegistered(Event):
    """A new resident entered the register (최초 등록 or 출생)."""

    person_id: int
    household_id: int
    address_code: str


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class MoveInReported(Event):
    """전입신고 took effect: ``person_ids`` now live at the address from ``moved_in_on``."""

    person_ids: list[int]
    household_id: int
    road_address: str
    address_detail: str
    address_code: str
    moved_in_on: date
    reported_on: date
    late_days: int

    @property
    def full_address(self) -> str:
        return f"{self.road_address} {self.address_detail}".strip()


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class MoveInAwaitingHead(Event):
    """An online report into another household waits for the head's confirmation."""

    pending_id: int
    household_id: int


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class MoveInRefused(Event):
    """The head of the household refused an online report into it."""

    pending_id: int
    household_id: int


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class HouseholdHeadChanged(Event):
    """세대주 변경: ``head_person_id`` heads the household now (``former_head_id`` before)."""

    household_id: int
    head_person_id: int
    former_head_id: int | None = None


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class HouseholdsMerged(Event):
    """세대 합가: ``person_ids`` (all of ``absorbed_household_id``) joined ``household_id``;
    the absorbed household ended. A change of address is its own ``MoveInReported``."""

    household_id: int
    absorbed_household_id: int
    person_ids: list[int]


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class HouseholdSplit(Event):
    """세대 분리·분가: ``person_ids`` left ``household_id`` and form ``new_household_id``.
    A change of address is its own ``MoveInReported``."""

    household_id: int
    new_household_id: int
    person_ids: list[int]


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class PersonStatusChanged(Event):
    """Death (사망), emigration (국외이주) or cancellation (말소) of a registration."""

    person_id: int
    status: str
    effective_on: date


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class ResidentsImported(Event):
    """A batch of residents entered through the bulk path (demo, data migration)."""

    persons: int
    households: int


def record_change(ctx: Context, *, register: str, label: str, value: str) -> None:
    """Note one change a subscriber made, for the citizen's single summary message."""
    changes_of(ctx).append({"source": register, "label": label, "value": value})


def changes_of(ctx: Context) -> list[dict[str, Any]]:
    """The changes noted so far in this command (kept on the handler's context)."""
    changes: list[dict[str, Any]] = ctx.__dict__.setdefault("registry_changes", [])
    return changes
