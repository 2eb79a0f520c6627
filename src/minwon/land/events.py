"""토지대장 events: the facts other parts follow (the portal's search indexes parcels and
their owners from them)."""

from __future__ import annotations

import dataclasses

from minwon.kernel.registry import register_event
from minwon.kernel.types import Event


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class ParcelRegistered(Event):
    """신규등록 of a parcel."""

    parcel_id: int
    pnu: str


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class ParcelTransferred(Event):
    """소유권 변동: the parcel has a new owner."""

    parcel_id: int
    owner_id: int


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class ParcelsImported(Event):
    """A batch of parcels entered through the bulk path."""

    parcel_ids: list[int]
