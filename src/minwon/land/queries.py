"""Land reads for pages, the API and certificates (토지대장: owner history, 공시지가)."""

from __future__ import annotations

from .models import LandPrice, Parcel, ParcelOwnership


def parcel_by_lot(
    legal_dong_code: str, main_no: int, sub_no: int = 0, *, mountain: bool = False
) -> Parcel | None:
    return Parcel.objects.filter(
        legal_dong_code=legal_dong_code, mountain=mountain, main_no=main_no, sub_no=sub_no
    ).first()


def owner_history(parcel: Parcel) -> list[ParcelOwnership]:
    return list(parcel.ownerships.select_related("owner").order_by("from_on", "id"))


def land_prices(parcel: Parcel) -> list[LandPrice]:
    """개별공시지가, newest year first."""
    return list(parcel.prices.order_by("-year"))
