"""The minimised answers (최소 제공): for each answer kind of the catalogue, the smallest
statement that serves the purpose, read from the providing register. A function here
returns only the fields of its kind; nothing else of the record leaves the provider."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from minwon.kernel.errors import ValidationFailed
from minwon.registry.models import Person

YES, NO = "예", "아니오"
Answer = Callable[[Person, dict[str, str], date], dict[str, Any]]


def _normal(address: str) -> str:
    return re.sub(r"\s+", "", address or "")


def _address_match(person: Person, inputs: dict[str, str], on: date) -> dict[str, Any]:
    from minwon.registry.queries import current_address

    claimed = _normal(inputs.get("address", ""))
    if not claimed:
        raise ValidationFailed(
            "확인할 주소를 입력하세요.", "Enter the address to check.", field="address"
        )
    current = current_address(person.pk)
    actual = _normal(current.full) if current else ""
    same = bool(actual) and (
        claimed == actual or claimed == _normal(current.road_address if current else "")
    )
    return {"address_match": "일치" if same else "불일치"}


def _household_members(person: Person, inputs: dict[str, str], on: date) -> dict[str, Any]:
    from minwon.registry.queries import household_of, members_of

    household = household_of(person)
    members = members_of(household) if household else []
    return {
        "household_members": [
            {"name": m.person.name, "relationship": m.get_relationship_display()} for m in members
        ]
    }


def _residence(person: Person, inputs: dict[str, str], on: date) -> dict[str, Any]:
    from minwon.registry.models import Residence

    current = (
        Residence.objects.filter(person_id=person.pk, moved_out_on__isnull=True)
        .order_by("-moved_in_on", "-id")
        .first()
    )
    return {
        "name": person.name,
        "address": f"{current.road_address} {current.address_detail}".strip() if current else "",
        "moved_in_on": current.moved_in_on.isoformat() if current else None,
    }


def _owns_land(person: Person, inputs: dict[str, str], on: date) -> dict[str, Any]:
    from minwon.land.models import Parcel

    count = Parcel.objects.filter(owner_id=person.pk).count()
    return {"owns_land": YES if count else NO, "parcel_count": count}


def _parcels(person: Person, inputs: dict[str, str], on: date) -> dict[str, Any]:
    from minwon.land.models import Parcel

    return {
        "parcels": [
            {"parcel": p.lot_label, "category": p.get_category_display(), "area_m2": str(p.area_m2)}
            for p in Parcel.objects.filter(owner_id=person.pk).order_by(
                "legal_dong_code", "main_no"
            )
        ]
    }


def _owns_vehicle(person: Person, inputs: dict[str, str], on: date) -> dict[str, Any]:
    from minwon.vehicles.models import Vehicle

    count = Vehicle.objects.filter(owner_id=person.pk).count()
    return {"owns_vehicle": YES if count else NO, "vehicle_count": count}


def _vehicles(person: Person, inputs: dict[str, str], on: date) -> dict[str, Any]:
    from minwon.vehicles.models import Vehicle

    return {
        "vehicles": [
            {
                "plate": v.plate,
                "model_name": v.model_name,
                "registered_on": v.registered_on.isoformat(),
            }
            for v in Vehicle.objects.filter(owner_id=person.pk).order_by("registered_on", "id")
        ]
    }


def _no_arrears(person: Person, inputs: dict[str, str], on: date) -> dict[str, Any]:
    from minwon.tax.queries import arrears_total

    return {"no_arrears": NO if arrears_total(person.pk, on=on) else YES}


def _active_reports(person: Person, inputs: dict[str, str], on: date) -> dict[str, Any]:
    from minwon.licensing.models import Permit, PermitKind, PermitStatus

    kinds = sorted(
        set(
            Permit.objects.filter(holder_id=person.pk, status=PermitStatus.ACTIVE).values_list(
                "kind", flat=True
            )
        )
    )
    return {
        "has_active_report": YES if kinds else NO,
        "kinds": [PermitKind(k).label for k in kinds],
    }


def _reports(person: Person, inputs: dict[str, str], on: date) -> dict[str, Any]:
    """영업신고증 as a petition needs it: the holder's registrations in force."""
    from minwon.licensing.models import Permit, PermitStatus

    permits = Permit.objects.filter(holder_id=person.pk, status=PermitStatus.ACTIVE).order_by("id")
    return {
        "reports": [
            {"number": p.number, "kind": p.get_kind_display(), "business_name": p.business_name,
             "road_address": p.road_address, "granted_on": p.granted_on.isoformat()}
            for p in permits
        ]
    }  # fmt: skip


def kind_input(inputs: dict[str, str]) -> str:
    from minwon.licensing.models import PermitKind

    kind = (inputs.get("kind") or "").strip()
    if kind not in PermitKind.values:
        raise ValidationFailed(
            "업종을 올바르게 입력하세요.", "Give a valid business kind.", field="kind"
        )
    return kind


def sanction_hits(
    person_id: int, kind: str, on: date, jurisdiction: str | None = None
) -> list[dict[str, str | None]]:
    """Barring sanctions as an answer carries them: where, what, when, under which law."""
    from minwon.licensing.queries import barring_sanctions, sanction_hit

    return [
        sanction_hit(s)
        for s in barring_sanctions(person_id, kind, on=on, jurisdiction=jurisdiction)
    ]


def _barring_sanctions(person: Person, inputs: dict[str, str], on: date) -> dict[str, Any]:
    return {"sanctions": sanction_hits(person.pk, kind_input(inputs), on)}


ANSWERS: dict[str, Answer] = {
    "address_match": _address_match,
    "household_members": _household_members,
    "residence": _residence,
    "owns_land": _owns_land,
    "parcels": _parcels,
    "owns_vehicle": _owns_vehicle,
    "vehicles": _vehicles,
    "no_arrears": _no_arrears,
    "active_reports": _active_reports,
    "reports": _reports,
    "barring_sanctions": _barring_sanctions,
}


def answer(kind: str, person: Person, inputs: dict[str, str], on: date) -> dict[str, Any]:
    return ANSWERS[kind](person, inputs, on)
