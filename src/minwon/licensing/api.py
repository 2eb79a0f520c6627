"""Permit register API (read): permits in scope, and one permit with its sanctions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from minwon.accounts.actors import actor_for_request
from minwon.web.api import ERRORS

from . import policies, queries

router = Router(tags=["licensing"])


class PermitOut(Schema):
    id: int
    number: str
    kind: str
    kind_label: str
    holder_id: int
    holder_name: str
    business_name: str
    road_address: str
    status: str
    granted_on: date
    jurisdiction: str


class SanctionOut(Schema):
    kind: str
    starts_on: date
    ends_on: date | None
    legal_basis: str
    reason: str
    decided_at: datetime


class PermitDetailOut(PermitOut):
    sanctions: list[SanctionOut]


class PermitFilter(Schema):
    purpose: str = Field(..., min_length=1, max_length=200)
    holder_id: int | None = Field(None, ge=1)
    kind: str = Field("", max_length=20)
    status: str = Field("", max_length=10)


def _out(p: Any) -> dict[str, Any]:
    return {
        "id": p.pk, "number": p.number, "kind": p.kind, "kind_label": p.get_kind_display(),
        "holder_id": p.holder_id, "holder_name": p.holder.name,
        "business_name": p.business_name, "road_address": p.road_address,
        "status": p.status, "granted_on": p.granted_on, "jurisdiction": p.jurisdiction_id,
    }  # fmt: skip


@router.get(
    "/permits",
    response={200: list[PermitOut], **ERRORS},
    operation_id="PermitList",
    summary="인허가 목록 (permits in scope)",
)
def permit_list(request: HttpRequest, f: Query[PermitFilter]) -> list[dict[str, Any]]:
    qs = policies.visible(actor_for_request(request), purpose=f.purpose, channel="api")
    if f.holder_id:
        qs = qs.filter(holder_id=f.holder_id)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.status:
        qs = qs.filter(status=f.status)
    return [_out(p) for p in qs.order_by("id")[:100]]


@router.get(
    "/permits/{permit_id}",
    response={200: PermitDetailOut, **ERRORS},
    operation_id="PermitGet",
    summary="인허가 한 건과 행정처분 (permit with sanctions)",
)
def permit_get(
    request: HttpRequest, permit_id: int, purpose: str = Query(..., min_length=1, max_length=200)
) -> dict[str, Any]:
    permit = policies.permit(actor_for_request(request), permit_id, purpose=purpose, channel="api")
    body = _out(permit)
    body["sanctions"] = [
        {"kind": s.kind, "starts_on": s.starts_on, "ends_on": s.ends_on,
         "legal_basis": s.legal_basis, "reason": s.reason, "decided_at": s.decided_at}
        for s in queries.sanctions_of(permit)
    ]  # fmt: skip
    return body
