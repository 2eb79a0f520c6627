"""Who may read the land register (토지대장), for pages, the API and other apps.

Staff with ``land.read`` over the parcel's jurisdiction read it; a parcel shows its
owner, so every parcel read is access-logged by the queryset itself. Out of scope and
absent are the same 404 (``accounts.policies.OwnedRegister``).
"""

from __future__ import annotations

from minwon.accounts import policies as base

from .models import Parcel
from .permissions import LandPermission

READ = LandPermission.READ

REGISTER = base.OwnedRegister(
    Parcel, READ, owner="owner_id", label="parcel", purpose="토지 조회",
    missing=("필지를 찾을 수 없습니다.", "Parcel not found.", "parcel_id"),
    order=("legal_dong_code", "main_no", "id"),
)  # fmt: skip
scoped = REGISTER.scoped
visible = REGISTER.visible
can_read = REGISTER.can_read
parcel = REGISTER.one
parcels_of = REGISTER.of_person
