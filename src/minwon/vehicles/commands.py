"""자동차 등록 commands: register a vehicle (신규등록), transfer its ownership (이전등록), and
the bulk import the demo and data migrations use. The 사용본거지 is the owner's current
address, taken from the registry at registration and transfer and kept current by the
move-in subscriber in ``vehicles.events``."""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from typing import Any

from minwon.kernel import clock
from minwon.kernel.bus import Context
from minwon.kernel.errors import Conflict, NotFound, ValidationFailed
from minwon.kernel.registry import handler
from minwon.kernel.types import Command
from minwon.registry.bulk import insert_rows, reserve_ids
from minwon.registry.models import Person, PersonStatus
from minwon.registry.queries import CurrentAddress, current_address
from minwon.vehicles.permissions import VehiclesPermission

from .events import VehicleRegistered, VehiclesImported, VehicleTransferred
from .models import Vehicle, VehicleOwnership

PLATE = re.compile(r"^\d{2,3}[가-힣]\d{4}$")
VIN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
CAUSES = ("매매", "증여", "상속", "기타")


@dataclasses.dataclass(frozen=True, kw_only=True)
class RegisterVehicle(Command):
    """신규등록 of a vehicle to an owner (a registered, living resident)."""

    plate: str
    vin: str
    model_name: str
    model_year: int
    kind: str = "승용"
    owner_id: int
    registered_on: date


@dataclasses.dataclass(frozen=True, kw_only=True)
class TransferVehicle(Command):
    """이전등록: a new owner; the 사용본거지 becomes the new owner's address."""

    vehicle_id: int
    new_owner_id: int
    transferred_on: date
    cause: str = "매매"


@dataclasses.dataclass(frozen=True)
class VehicleRow:
    plate: str
    vin: str
    model_name: str
    model_year: int
    owner_id: int
    registered_on: date
    kind: str = "승용"


@dataclasses.dataclass(frozen=True, kw_only=True)
class ImportVehicles(Command):
    """Bulk 신규등록 (demo, migration)."""

    permission = VehiclesPermission.IMPORT
    rows: list[VehicleRow]


def _owner_address(owner_id: int, field: str) -> tuple[Person, CurrentAddress]:
    owner = Person.objects.filter(pk=owner_id, status=PersonStatus.ACTIVE).first()
    address = current_address(owner_id) if owner is not None else None
    if owner is None or address is None:
        raise NotFound(
            "소유자가 될 주민을 찾을 수 없습니다.", "Owner not found among residents.", field=field
        )
    return owner, address


def _check(plate: str, vin: str, model_year: int, registered_on: date, prefix: str = "") -> None:
    if not PLATE.match(plate):
        raise ValidationFailed(
            "자동차등록번호 형식이 올바르지 않습니다 (예: 123가4567).",
            "Invalid plate (e.g. 123가4567).",
            field=f"{prefix}plate",
        )
    if not VIN.match(vin):
        raise ValidationFailed(
            "차대번호는 17자리(영문 대문자·숫자, I·O·Q 제외)입니다.",
            "A VIN is 17 characters (A-Z without I, O, Q, and digits).",
            field=f"{prefix}vin",
        )
    if not 1950 <= model_year <= clock.now().year + 1:
        raise ValidationFailed(
            "연식이 올바르지 않습니다.", "Invalid model year.", field=f"{prefix}model_year"
        )
    if registered_on > clock.now().date():
        raise ValidationFailed(
            "미래의 날짜는 입력할 수 없습니다.",
            "Date in the future.",
            field=f"{prefix}registered_on",
        )


@handler(RegisterVehicle)
def register_vehicle(cmd: RegisterVehicle, *, ctx: Context) -> dict[str, Any]:
    _check(cmd.plate, cmd.vin, cmd.model_year, cmd.registered_on)
    owner, address = _owner_address(cmd.owner_id, "owner_id")
    ctx.require("vehicles.register", address.jurisdiction_code)
    if (
        Vehicle.objects.filter(plate=cmd.plate).exists()
        or Vehicle.objects.filter(vin=cmd.vin).exists()
    ):
        raise Conflict(
            "이미 등록된 번호판 또는 차대번호입니다.",
            "Plate or VIN already registered.",
            field="plate",
        )
    vehicle = Vehicle.objects.create(
        plate=cmd.plate,
        vin=cmd.vin,
        model_name=cmd.model_name.strip()[:60] or "-",
        model_year=cmd.model_year,
        kind=cmd.kind,
        owner=owner,
        base_address=address.full,
        jurisdiction_id=address.jurisdiction_code,
        registered_on=cmd.registered_on,
    )
    VehicleOwnership.objects.create(
        vehicle=vehicle, owner=owner, from_on=cmd.registered_on, cause="신규"
    )
    ctx.emit(VehicleRegistered(vehicle_id=vehicle.pk, jurisdiction=vehicle.jurisdiction_id))
    return {"vehicle_id": vehicle.pk, "plate": vehicle.plate}


@handler(TransferVehicle)
def transfer_vehicle(cmd: TransferVehicle, *, ctx: Context) -> dict[str, Any]:
    vehicle = Vehicle.objects.select_for_update().filter(pk=cmd.vehicle_id).first()
    if vehicle is None:
        raise NotFound("자동차를 찾을 수 없습니다.", "Vehicle not found.", field="vehicle_id")
    if cmd.cause not in CAUSES:
        raise ValidationFailed("이전 원인이 올바르지 않습니다.", "Unknown cause.", field="cause")
    if cmd.transferred_on > clock.local(ctx.occurred_at).date():
        raise ValidationFailed(
            "미래의 날짜는 입력할 수 없습니다.", "Date in the future.", field="transferred_on"
        )
    owner, address = _owner_address(cmd.new_owner_id, "new_owner_id")
    ctx.require("vehicles.register", address.jurisdiction_code)
    if owner.pk == vehicle.owner_id:
        raise Conflict(
            "이미 이 사람의 차량입니다.", "Already owned by this person.", field="new_owner_id"
        )
    VehicleOwnership.objects.filter(vehicle=vehicle, to_on__isnull=True).update(
        to_on=cmd.transferred_on
    )
    VehicleOwnership.objects.create(
        vehicle=vehicle, owner=owner, from_on=cmd.transferred_on, cause=cmd.cause
    )
    vehicle.owner = owner
    vehicle.base_address = address.full
    vehicle.jurisdiction_id = address.jurisdiction_code
    vehicle.save(update_fields=["owner", "base_address", "jurisdiction"])
    ctx.emit(
        VehicleTransferred(
            vehicle_id=vehicle.pk, owner_id=owner.pk, jurisdiction=vehicle.jurisdiction_id
        )
    )
    return {"vehicle_id": vehicle.pk, "owner_id": owner.pk}


@handler(ImportVehicles)
def import_vehicles(cmd: ImportVehicles, *, ctx: Context) -> dict[str, Any]:
    if not 1 <= len(cmd.rows) <= 5000:
        raise ValidationFailed(
            "한 번에 1~5000대까지입니다.", "1-5000 rows per command.", field="rows"
        )
    from minwon.registry.models import Residence

    owner_ids = {r.owner_id for r in cmd.rows}
    addresses = {
        pid: CurrentAddress(road, detail, code)
        for pid, road, detail, code in Residence.objects.filter(
            person_id__in=owner_ids, moved_out_on__isnull=True
        ).values_list("person_id", "road_address", "address_detail", "jurisdiction_id")
    }
    for n, row in enumerate(cmd.rows):
        _check(row.plate, row.vin, row.model_year, row.registered_on, prefix=f"rows.{n}.")
        if row.owner_id not in addresses:
            raise NotFound(
                "소유자를 찾을 수 없습니다.", "Owner not found.", field=f"rows.{n}.owner_id"
            )
    for code in {a.jurisdiction_code for a in addresses.values()}:
        ctx.require("vehicles.import", code)
    # Written as sets (COPY / multi-row INSERT) with ids reserved first: the demo registers
    # a vehicle for about every other adult, and model instances were most of its time.
    ids = reserve_ids(Vehicle, len(cmd.rows))
    insert_rows(
        Vehicle,
        ("id", "plate", "vin", "model_name", "model_year", "kind", "owner_id", "base_address",
         "jurisdiction_id", "registered_on"),
        (
            (pk, r.plate, r.vin, r.model_name, r.model_year, r.kind, r.owner_id,
             addresses[r.owner_id].full, addresses[r.owner_id].jurisdiction_code, r.registered_on)
            for pk, r in zip(ids, cmd.rows, strict=True)
        ),
    )  # fmt: skip
    insert_rows(
        VehicleOwnership,
        ("vehicle_id", "owner_id", "from_on", "cause"),
        ((pk, r.owner_id, r.registered_on, "신규") for pk, r in zip(ids, cmd.rows, strict=True)),
    )
    ctx.emit(VehiclesImported(vehicle_ids=ids))
    return {"vehicle_ids": ids}
