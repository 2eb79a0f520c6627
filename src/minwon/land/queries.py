"""Land reads for pages, the API and certificates (토지대장: owner history, 공시지가)."""

from __future__ import annotations

from django.db.models import QuerySet

from minwon.accounts.permissions import in_scope
from minwon.kernel.errors import NotFound
from minwon.kernel.privacy import log_access
from minwon.kernel.types import Actor, Channel

from .models import LandPrice, Parcel, ParcelOwnership


def parcels_for(actor: Actor, permission: str = "land.read") -> QuerySet[Parcel]:
    qs: QuerySet[Parcel] = in_scope(
        Parcel.objects.select_related("owner", "jurisdiction"), actor, permission
    )
    return qs


def parcels_of_person(person_id: int) -> list[Parcel]:
    return list(Parcel.objects.filter(owner_id=person_id).order_by("legal_dong_code", "main_no"))


def parcel_by_lot(
    legal_dong_code: str, main_no: int, sub_no: int = 0, *, mountain: bool = False
) -> Parcel | None:
    return Parcel.objects.filter(
        legal_dong_code=legal_dong_code, mountain=mountain, main_no=main_no, sub_no=sub_no
    ).first()


def parcel_detail(
    actor: Actor, parcel_id: int, *, purpose: str, channel: str = Channel.COUNTER
) -> Parcel:
    parcel = parcels_for(actor).filter(pk=parcel_id).first()
    if parcel is None:
        raise NotFound("필지를 찾을 수 없습니다.", "Parcel not found.", field="parcel_id")
    log_access(
        actor=actor,
        channel=channel,
        subject_type="person",
        subject_id=str(parcel.owner_id),
        what=f"parcel:{parcel.pk}",
        purpose=purpose or "토지 조회",
    )
    return parcel


def owner_history(parcel: Parcel) -> list[ParcelOwnership]:
    return list(parcel.ownerships.select_related("owner").order_by("from_on", "id"))


def land_prices(parcel: Parcel) -> list[LandPrice]:
    """개별공시지가, newest year first."""
    return list(parcel.prices.order_by("-year"))
