"""Vehicle reads for pages, the API and certificates (자동차등록원부)."""

from __future__ import annotations

from django.db.models import QuerySet

from minwon.kernel.types import Actor

from . import policies
from .models import BaseAddressChange, Vehicle, VehicleOwnership


def vehicles_for(actor: Actor, permission: str = policies.READ) -> QuerySet[Vehicle]:
    """Vehicles in scope, unlogged (certificate providers); pages and the API read
    ``policies.visible``."""
    return policies.scoped(actor, permission)


def ownership_history(vehicle: Vehicle) -> list[VehicleOwnership]:
    return list(vehicle.ownerships.select_related("owner").order_by("from_on", "id"))


def base_address_history(vehicle: Vehicle) -> list[BaseAddressChange]:
    return list(vehicle.address_changes.order_by("changed_on", "id"))
