"""Who may read the land register (토지대장), for pages, the API and other apps.

Staff with ``land.read`` over the parcel's jurisdiction read it; a parcel shows its
owner, so every parcel read is access-logged by the queryset itself. Out of scope and
absent are the same 404.
"""

from __future__ import annotations

from django.db.models import QuerySet

from minwon.accounts import policies as base
from minwon.kernel.errors import NotFound
from minwon.kernel.types import Actor, Channel

from .models import Parcel
from .permissions import LandPermission

READ = LandPermission.READ


def visible(
    actor: Actor, permission: str = READ, *, purpose: str, channel: Channel | str = Channel.COUNTER
) -> QuerySet[Parcel]:
    """Parcels ``actor`` may read; each one read logs its owner (``parcel:<id>``)."""
    scoped = base.restrict(
        Parcel.objects.select_related("owner", "jurisdiction"), actor, permission
    )
    return base.personal(
        scoped, actor=actor, purpose=purpose or "토지 조회", channel=channel,
        subject="owner_id", label="parcel", keyed=True,
    )  # fmt: skip


def can_read(actor: Actor, parcel: Parcel) -> bool:
    return base.may(actor, READ, parcel.jurisdiction_id)


def parcel(
    actor: Actor, parcel_id: int, *, purpose: str, channel: Channel | str = Channel.COUNTER
) -> Parcel:
    found = visible(actor, purpose=purpose, channel=channel).filter(pk=parcel_id).first()
    if found is None:
        raise NotFound("필지를 찾을 수 없습니다.", "Parcel not found.", field="parcel_id")
    return found


def parcels_of(
    actor: Actor,
    person_id: int,
    *,
    purpose: str,
    channel: Channel | str = Channel.COUNTER,
    limit: int = 100,
) -> list[Parcel]:
    qs = visible(actor, purpose=purpose, channel=channel).filter(owner_id=person_id)
    return list(qs.order_by("legal_dong_code", "main_no", "id")[:limit])
