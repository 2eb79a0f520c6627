"""Land register API (read): parcels in scope by lot or owner, and one parcel with its
owner history and 개별공시지가 by year."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from minwon.accounts.actors import actor_for_request
from minwon.web.api import ERRORS

from . import policies, queries

router = Router(tags=["land"])


class ParcelOut(Schema):
    id: int
    pnu: str
    lot: str
    legal_dong_code: str
    mountain: bool
    main_no: int
    sub_no: int
    category: str
    area_m2: str
    owner_id: int
    owner_name: str
    jurisdiction: str


class OwnerOut(Schema):
    owner_id: int
    owner_name: str
    from_on: date
    to_on: date | None
    cause: str


class PriceOut(Schema):
    year: int
    won_per_m2: int


class ParcelDetailOut(ParcelOut):
    owners: list[OwnerOut]
    prices: list[PriceOut]


class ParcelFilter(Schema):
    purpose: str = Field(..., min_length=1, max_length=200)
    legal_dong_code: str = Field("", max_length=10)
    main_no: int | None = Field(None, ge=1, le=9999)
    owner_id: int | None = Field(None, ge=1)


def _out(p: Any) -> dict[str, Any]:
    return {
        "id": p.pk, "pnu": p.pnu, "lot": p.lot_label, "legal_dong_code": p.legal_dong_code,
        "mountain": p.mountain, "main_no": p.main_no, "sub_no": p.sub_no,
        "category": p.category, "area_m2": str(p.area_m2), "owner_id": p.owner_id,
        "owner_name": p.owner.name, "jurisdiction": p.jurisdiction_id,
    }  # fmt: skip


@router.get(
    "/parcels",
    response={200: list[ParcelOut], **ERRORS},
    operation_id="ParcelList",
    summary="토지 목록 (parcels in scope)",
)
def parcel_list(request: HttpRequest, f: Query[ParcelFilter]) -> list[dict[str, Any]]:
    qs = policies.visible(actor_for_request(request), purpose=f.purpose, channel="api")
    if f.legal_dong_code:
        qs = qs.filter(legal_dong_code=f.legal_dong_code)
    if f.main_no:
        qs = qs.filter(main_no=f.main_no)
    if f.owner_id:
        qs = qs.filter(owner_id=f.owner_id)
    return [_out(p) for p in qs.order_by("id")[:100]]


@router.get(
    "/parcels/{parcel_id}",
    response={200: ParcelDetailOut, **ERRORS},
    operation_id="ParcelGet",
    summary="토지대장 한 필지 (owners and 공시지가)",
)
def parcel_get(
    request: HttpRequest, parcel_id: int, purpose: str = Query(..., min_length=1, max_length=200)
) -> dict[str, Any]:
    parcel = policies.parcel(actor_for_request(request), parcel_id, purpose=purpose, channel="api")
    body = _out(parcel)
    body["owners"] = [
        {"owner_id": o.owner_id, "owner_name": o.owner.name, "from_on": o.from_on,
         "to_on": o.to_on, "cause": o.cause}
        for o in queries.owner_history(parcel)
    ]  # fmt: skip
    body["prices"] = [
        {"year": p.year, "won_per_m2": p.won_per_m2} for p in queries.land_prices(parcel)
    ]
    return body
