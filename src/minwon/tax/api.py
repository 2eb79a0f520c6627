"""Local tax API (read): bills in scope by taxpayer or state, and one bill."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from minwon.accounts.actors import actor_for_request
from minwon.web.api import ERRORS

from . import policies

router = Router(tags=["tax"])


class TaxBillOut(Schema):
    id: int
    number: str
    taxpayer_id: int
    taxpayer_name: str
    item: str
    item_label: str
    period: str
    amount: int
    due_on: date
    paid_on: date | None
    vehicle_id: int | None
    parcel_id: int | None
    mailing_address: str
    jurisdiction: str


class BillFilter(Schema):
    purpose: str = Field(..., min_length=1, max_length=200)
    taxpayer_id: int | None = Field(None, ge=1)
    open_only: bool = False


def _out(b: Any) -> dict[str, Any]:
    return {
        "id": b.pk, "number": b.number, "taxpayer_id": b.taxpayer_id,
        "taxpayer_name": b.taxpayer.name, "item": b.item, "item_label": b.get_item_display(),
        "period": b.period, "amount": b.amount, "due_on": b.due_on, "paid_on": b.paid_on,
        "vehicle_id": b.vehicle_id, "parcel_id": b.parcel_id,
        "mailing_address": b.mailing_address, "jurisdiction": b.jurisdiction_id,
    }  # fmt: skip


@router.get(
    "/tax-bills",
    response={200: list[TaxBillOut], **ERRORS},
    operation_id="TaxBillList",
    summary="지방세 고지 목록 (bills in scope)",
)
def bill_list(request: HttpRequest, f: Query[BillFilter]) -> list[dict[str, Any]]:
    qs = policies.visible(actor_for_request(request), purpose=f.purpose, channel="api")
    if f.taxpayer_id:
        qs = qs.filter(taxpayer_id=f.taxpayer_id)
    if f.open_only:
        qs = qs.filter(paid_on__isnull=True)
    return [_out(b) for b in qs.order_by("-due_on", "-id")[:100]]


@router.get(
    "/tax-bills/{bill_id}",
    response={200: TaxBillOut, **ERRORS},
    operation_id="TaxBillGet",
    summary="지방세 고지 한 건 (one bill)",
)
def bill_get(
    request: HttpRequest, bill_id: int, purpose: str = Query(..., min_length=1, max_length=200)
) -> dict[str, Any]:
    bill = policies.bill(actor_for_request(request), bill_id, purpose=purpose, channel="api")
    return _out(bill)
