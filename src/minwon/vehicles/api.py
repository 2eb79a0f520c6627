"""Vehicle register API (read): list within scope by plate or owner, and one vehicle with
its ownership and 사용본거지 history. Reading a vehicle shows its owner: access-logged."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from minwon.accounts.actors import actor_for_request
from minwon.web.api import ERRORS

from . import policies, queries

router = Router(tags=["vehicles"])


class VehicleOut(Schema):
    id: int
    plate: str
    vin: str
    model_name: str
    model_year: int
    kind: str
    owner_id: int
    owner_name: str
    base_address: str
    jurisdiction: str
    registered_on: date


class OwnershipOut(Schema):
    owner_id: int
    owner_name: str
    from_on: date
    to_on: date | None
    cause: str


class AddressChangeOut(Schema):
    old_address: str
    new_address: str
    changed_on: date


class VehicleDetailOut(VehicleOut):
    ownerships: list[OwnershipOut]
    base_address_changes: list[AddressChangeOut]


class VehicleFilter(Schema):
    purpose: str = Field(..., min_length=1, max_length=200)
    plate: str = Field("", max_length=20)
    owner_id: int | None = Field(None, ge=1)


def _out(v: Any) -> dict[str, Any]:
    return {
        "id": v.pk,
        "plate": v.plate,
        "vin": v.vin,
        "model_name": v.model_name,
        "model_year": v.model_year,
        "kind": v.kind,
        "owner_id": v.owner_id,
        "owner_name": v.owner.name,
        "base_address": v.base_address,
        "jurisdiction": v.jurisdiction_id,
        "registered_on": v.registered_on,
    }


@router.get(
    "/vehicles",
    response={200: list[VehicleOut], **ERRORS},
    operation_id="VehicleList",
    summary="자동차 목록 (vehicles in scope, by plate or owner)",
)
def vehicle_list(request: HttpRequest, f: Query[VehicleFilter]) -> list[dict[str, Any]]:
    qs = policies.visible(actor_for_request(request), purpose=f.purpose, channel="api")
    if f.plate:
        qs = qs.filter(plate=f.plate.replace(" ", ""))
    if f.owner_id:
        qs = qs.filter(owner_id=f.owner_id)
    return [_out(v) for v in qs.order_by("id")[:100]]


@router.get(
    "/vehicles/{vehicle_id}",
    response={200: VehicleDetailOut, **ERRORS},
    operation_id="VehicleGet",
    summary="자동차 한 대 (원부: owners and 사용본거지 history)",
)
def vehicle_get(
    request: HttpRequest, vehicle_id: int, purpose: str = Query(..., min_length=1, max_length=200)
) -> dict[str, Any]:
    vehicle = policies.vehicle(
        actor_for_request(request), vehicle_id, purpose=purpose, channel="api"
    )
    body = _out(vehicle)
    body["ownerships"] = [
        {"owner_id": o.owner_id, "owner_name": o.owner.name, "from_on": o.from_on,
         "to_on": o.to_on, "cause": o.cause}
        for o in queries.ownership_history(vehicle)
    ]  # fmt: skip
    body["base_address_changes"] = [
        {"old_address": c.old_address, "new_address": c.new_address, "changed_on": c.changed_on}
        for c in queries.base_address_history(vehicle)
    ]
    return body
