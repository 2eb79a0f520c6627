"""Who may read the vehicle register (자동차 등록), for pages, the API and other apps.

Staff with ``vehicles.read`` over the vehicle's jurisdiction read it; a vehicle shows its
owner, so every vehicle read is access-logged by the queryset itself. Out of scope and
absent are the same 404.
(``accounts.policies.OwnedRegister``).
"""

from __future__ import annotations

from minwon.accounts import policies as base

from .models import Vehicle
from .permissions import VehiclesPermission

READ = VehiclesPermission.READ

REGISTER = base.OwnedRegister(
    Vehicle, READ, owner="owner_id", label="vehicle", purpose="자동차 조회",
    missing=("자동차를 찾을 수 없습니다.", "Vehicle not found.", "vehicle_id"), order=("id",),
)  # fmt: skip
scoped = REGISTER.scoped
visible = REGISTER.visible
can_read = REGISTER.can_read
vehicle = REGISTER.one
vehicles_of = REGISTER.of_person
