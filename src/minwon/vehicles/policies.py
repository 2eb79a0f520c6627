"""Who may read the vehicle register (자동차 등록), for pages, the API and other apps.

Staff with ``vehicles.read`` over the vehicle's jurisdiction read it; a vehicle shows its
owner, so every vehicle read is access-logged by the queryset itself. Out of scope and
absent are the same 404.
"""

from __future__ import annotations

from django.db.models import QuerySet

from minwon.accounts import policies as base
from minwon.kernel.errors import NotFound
from minwon.kernel.types import Actor, Channel

from .models import Vehicle
from .permissions import VehiclesPermission

READ = VehiclesPermission.READ


def scoped(actor: Actor, permission: str = READ) -> QuerySet[Vehicle]:
    """Vehicles in scope, unlogged: for commands and certificate providers that log the
    read themselves (an issuance is its own record)."""
    return base.restrict(Vehicle.objects.select_related("owner", "jurisdiction"), actor, permission)


def visible(
    actor: Actor, permission: str = READ, *, purpose: str, channel: Channel | str = Channel.COUNTER
) -> QuerySet[Vehicle]:
    """Vehicles ``actor`` may read; each one read logs its owner (``vehicle:<id>``)."""
    return base.personal(
        scoped(actor, permission), actor=actor, purpose=purpose or "자동차 조회",
        channel=channel, subject="owner_id", label="vehicle", keyed=True,
    )  # fmt: skip


def can_read(actor: Actor, vehicle: Vehicle) -> bool:
    return base.may(actor, READ, vehicle.jurisdiction_id)


def vehicle(
    actor: Actor, vehicle_id: int, *, purpose: str, channel: Channel | str = Channel.COUNTER
) -> Vehicle:
    found = visible(actor, purpose=purpose, channel=channel).filter(pk=vehicle_id).first()
    if found is None:
        raise NotFound("자동차를 찾을 수 없습니다.", "Vehicle not found.", field="vehicle_id")
    return found


def vehicles_of(
    actor: Actor,
    person_id: int,
    *,
    purpose: str,
    channel: Channel | str = Channel.COUNTER,
    limit: int = 100,
) -> list[Vehicle]:
    """A person's vehicles that ``actor`` may read (person page and API alike)."""
    qs = visible(actor, purpose=purpose, channel=channel).filter(owner_id=person_id)
    return list(qs.order_by("id")[:limit])
