"""Test data through commands: residents, households, vehicles, bills and permits."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from minwon.kernel import clock, execute, rrn
from minwon.kernel.types import Actor, Channel
from minwon.licensing.commands import GrantPermit
from minwon.registry.commands import Mover, RegisterPerson, ReportMoveIn
from minwon.registry.models import Person
from minwon.tax.commands import IssueTaxBill
from minwon.vehicles.commands import RegisterVehicle

SYSTEM = Actor.system("test")
DANGU = "5113055000"  # 원주시 단구동
MUSIL = "5113066000"  # 원주시 무실동
SINGWAN = "4415057000"  # 공주시 신관동
WONJU = "5113000000"
GONGJU = "4415000000"
_n = itertools.count(1)


def new_rrn(born: str = "850101", sex: str = "1") -> str:
    n = next(_n)
    return rrn.with_check_digit(f"{born}{sex}{n:05d}")


def today() -> date:
    return clock.now().date()


def register(
    name: str = "홍길동",
    *,
    number: str = "",
    code: str = DANGU,
    address: str = "강원특별자치도 원주시 단구로 170",
    detail: str = "101동 1203호",
    household_id: int | None = None,
    relationship: str = "head",
    moved_in_on: date | None = None,
    actor: Actor = SYSTEM,
) -> Person:
    result = execute(
        RegisterPerson(
            actor=actor,
            channel=Channel.COUNTER,
            jurisdiction=code,
            name=name,
            sealed_rrn=rrn.SealedRRN.from_text(number or new_rrn()),
            household_id=household_id,
            relationship=relationship,
            road_address=address,
            address_detail=detail,
            address_code=code,
            moved_in_on=moved_in_on or today() - timedelta(days=400),
        )
    )
    return Person.objects.get(pk=result.value["person_id"])


def move_in(
    persons: list[tuple[Person, str]],
    *,
    actor: Actor = SYSTEM,
    code: str = MUSIL,
    address: str = "강원특별자치도 원주시 무실로 55",
    detail: str = "",
    household_id: int | None = None,
    moved_in_on: date | None = None,
    channel: Channel = Channel.COUNTER,
) -> dict[str, Any]:
    result = execute(
        ReportMoveIn(
            actor=actor,
            channel=channel,
            jurisdiction=code,
            movers=[Mover(person_id=p.pk, relationship=r) for p, r in persons],
            household_id=household_id,
            road_address=address,
            address_detail=detail,
            address_code=code,
            moved_in_on=moved_in_on or today() - timedelta(days=3),
        )
    )
    value: dict[str, Any] = result.value
    return value


def vehicle(owner: Person, plate: str = "12가3456", vin: str = "KMHxx".upper()) -> int:
    vin = f"KMHD{next(_n):013d}"
    result = execute(
        RegisterVehicle(
            actor=SYSTEM,
            channel=Channel.COUNTER,
            jurisdiction=owner.jurisdiction_id,
            plate=plate,
            vin=vin,
            model_name="아반떼",
            model_year=2021,
            owner_id=owner.pk,
            registered_on=date(2021, 5, 1),
        )
    )
    return int(result.value["vehicle_id"])


def tax_bill(taxpayer: Person, *, jurisdiction: str = WONJU, vehicle_id: int | None = None) -> int:
    result = execute(
        IssueTaxBill(
            actor=SYSTEM,
            channel=Channel.SYSTEM,
            jurisdiction=jurisdiction,
            taxpayer_id=taxpayer.pk,
            item="vehicle" if vehicle_id else "resident",
            period="2026 2기",
            amount=145_000,
            due_on=today() + timedelta(days=20),
            vehicle_id=vehicle_id,
        )
    )
    return int(result.value["bill_id"])


def permit(holder: Person, *, at_residence: bool = True) -> int:
    result = execute(
        GrantPermit(
            actor=SYSTEM,
            channel=Channel.COUNTER,
            jurisdiction=WONJU,
            kind="online_sales",
            holder_id=holder.pk,
            business_name="길동상회",
            road_address="강원특별자치도 원주시 단구로 170 101동 1203호",
            at_residence=at_residence,
            granted_on=date(2024, 3, 1),
        )
    )
    return int(result.value["permit_id"])
