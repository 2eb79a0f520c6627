"""Vehicle reads for pages, the API and certificates (자동차등록원부)."""

from __future__ import annotations

from django.db.models import QuerySet

from minwon.accounts.permissions import in_scope
from minwon.kernel.errors import NotFound
from minwon.kernel.privacy import log_access
from minwon.kernel.types import Actor, Channel

from .models import BaseAddressChange, Vehicle, VehicleOwnership


def vehicles_for(actor: Actor, permission: str = "vehicles.read") -> QuerySet[Vehicle]:
    qs: QuerySet[Vehicle] = in_scope(
        Vehicle.objects.select_related("owner", "jurisdiction"), actor, permission
    )
    return qs


def vehicles_of_person(person_id: int) -> list[Vehicle]:
    return list(Vehicle.objects.filter(owner_id=person_id).order_by("registered_on", "id"))


def vehicle_detail(
    actor: Actor, vehicle_id: int, *, purpose: str, channel: str = Channel.COUNTER
) -> Vehicle:
    """One vehicle in scope; reading it shows its owner, so the read is access-logged."""
    vehicle = vehicles_for(actor).filter(pk=vehicle_id).first()
    if vehicle is None:
        raise NotFound("자동차를 찾을 수 없습니다.", "Vehicle not found.", field="vehicle_id")
    log_access(
        actor=actor,
        channel=channel,
        subject_type="person",
        subject_id=str(vehicle.owner_id),
        what=f"vehicle:{vehicle.pk}",
        purpose=purpose or "자동차 조회",
    )
    return vehicle


def ownership_history(vehicle: Vehicle) -> list[VehicleOwnership]:
    return list(vehicle.ownerships.select_related("owner").order_by("from_on", "id"))


def base_address_history(vehicle: Vehicle) -> list[BaseAddressChange]:
    return list(vehicle.address_changes.order_by("changed_on", "id"))
