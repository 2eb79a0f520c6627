"""The vehicle register's reaction to a move-in: every vehicle the movers own gets the new
사용본거지, inside the move-in's transaction, and the change is kept in its history."""

from __future__ import annotations

import dataclasses

from minwon.kernel.bus import Context
from minwon.kernel.registry import register_event, subscriber
from minwon.kernel.types import Event
from minwon.registry.events import MoveInReported, record_change

from .models import BaseAddressChange, Vehicle


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class VehicleRegistered(Event):
    """신규등록: a vehicle entered the register (the portal's search indexes it)."""

    vehicle_id: int
    jurisdiction: str


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class VehicleTransferred(Event):
    """이전등록: the vehicle has a new owner and 사용본거지."""

    vehicle_id: int
    owner_id: int
    jurisdiction: str


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class VehiclesImported(Event):
    """A batch of vehicles entered through the bulk path."""

    vehicle_ids: list[int]


@subscriber(MoveInReported)
def move_base_address(event: MoveInReported, *, ctx: Context) -> None:
    """사용본거지 follows the owner (자동차관리법 §11: 변경등록 on the owner's move)."""
    vehicles = list(Vehicle.objects.select_for_update().filter(owner_id__in=event.person_ids))
    for vehicle in vehicles:
        BaseAddressChange.objects.create(
            vehicle=vehicle,
            old_address=vehicle.base_address,
            new_address=event.full_address,
            changed_on=event.moved_in_on,
            command_id=ctx.command.command_id,
        )
        record_change(
            ctx,
            register="vehicles",
            label=f"자동차 {vehicle.plate} 사용본거지",
            value=event.full_address,
        )
    Vehicle.objects.filter(pk__in=[v.pk for v in vehicles]).update(
        base_address=event.full_address, jurisdiction_id=event.address_code
    )
