"""토지대장 commands: register a parcel (신규등록), transfer it (소유권 변동), record its
개별공시지가 for a year, and bulk import. A parcel's 법정동 code must fall under a
시·군·구 (or 구) in force; that office keeps the register (``jurisdiction``)."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from minwon.kernel import clock
from minwon.kernel.bus import Context
from minwon.kernel.errors import Conflict, NotFound, ValidationFailed
from minwon.kernel.models import Jurisdiction
from minwon.kernel.registry import handler
from minwon.kernel.types import Command
from minwon.land.permissions import LandPermission
from minwon.registry.bulk import insert_rows, reserve_ids
from minwon.registry.models import Person

from .events import ParcelRegistered, ParcelsImported, ParcelTransferred
from .models import LandCategory, LandPrice, Parcel, ParcelOwnership

CAUSES = ("매매", "상속", "증여", "수용", "분할", "신규등록", "기타")


def register_office(legal_dong_code: str, *, field: str = "legal_dong_code") -> Jurisdiction:
    """The 시·군·구 (or 일반구) in force whose code shares the 법정동 code's first 5 digits."""
    code = (legal_dong_code or "").strip()
    unit = None
    if len(code) == 10 and code.isdigit():
        unit = Jurisdiction.objects.filter(
            code=f"{code[:5]}00000",
            level__in=[Jurisdiction.Level.SIGUNGU, Jurisdiction.Level.GU],
            valid_to__isnull=True,
        ).first()
    if unit is None:
        raise ValidationFailed(
            "법정동 코드가 올바르지 않거나 현행 시·군·구에 속하지 않습니다.",
            "The 법정동 code is not 10 digits under a 시·군·구 in force.",
            field=field,
            code="unknown_address_code",
        )
    return unit


def _area(value: str, field: str) -> Decimal:
    try:
        area = Decimal(value)
    except (InvalidOperation, TypeError):
        area = Decimal(0)
    if not area.is_finite() or area <= 0 or area >= Decimal("1e10"):
        raise ValidationFailed("면적이 올바르지 않습니다.", "Invalid area.", field=field)
    return area.quantize(Decimal("0.01"))


@dataclasses.dataclass(frozen=True, kw_only=True)
class RegisterParcel(Command):
    """신규등록 of a parcel (e.g. after 분할 or 등록전환) with its first owner."""

    legal_dong_code: str
    legal_dong_name: str
    mountain: bool = False
    main_no: int
    sub_no: int = 0
    category: str
    area_m2: str
    owner_id: int
    acquired_on: date
    cause: str = "신규등록"


@dataclasses.dataclass(frozen=True, kw_only=True)
class TransferParcel(Command):
    """소유권 변동 (매매, 상속 …) on ``transferred_on``."""

    parcel_id: int
    new_owner_id: int
    transferred_on: date
    cause: str = "매매"


@dataclasses.dataclass(frozen=True, kw_only=True)
class SetLandPrice(Command):
    """개별공시지가 결정·공시 for one parcel and year."""

    parcel_id: int
    year: int
    won_per_m2: int


@dataclasses.dataclass(frozen=True)
class ParcelRow:
    legal_dong_code: str
    legal_dong_name: str
    main_no: int
    sub_no: int
    category: str
    area_m2: str
    owner_id: int
    acquired_on: date
    prices: list[tuple[int, int]]
    mountain: bool = False
    cause: str = "매매"


@dataclasses.dataclass(frozen=True, kw_only=True)
class ImportParcels(Command):
    permission = LandPermission.IMPORT
    rows: list[ParcelRow]


def _check_no(main_no: int, sub_no: int, prefix: str = "") -> None:
    if not 1 <= main_no <= 9999:
        raise ValidationFailed(
            "본번은 1~9999입니다.", "Main number 1-9999.", field=f"{prefix}main_no"
        )
    if not 0 <= sub_no <= 9999:
        raise ValidationFailed(
            "부번은 0~9999입니다.", "Sub number 0-9999.", field=f"{prefix}sub_no"
        )


@handler(RegisterParcel)
def register_parcel(cmd: RegisterParcel, *, ctx: Context) -> dict[str, Any]:
    unit = register_office(cmd.legal_dong_code)
    ctx.require("land.register", unit.code)
    _check_no(cmd.main_no, cmd.sub_no)
    if cmd.category not in LandCategory.values:
        raise ValidationFailed(
            "지목이 올바르지 않습니다.", "Unknown land category.", field="category"
        )
    area = _area(cmd.area_m2, "area_m2")
    if cmd.cause not in CAUSES:
        raise ValidationFailed("원인이 올바르지 않습니다.", "Unknown cause.", field="cause")
    if not Person.objects.filter(pk=cmd.owner_id).exists():
        raise NotFound("소유자를 찾을 수 없습니다.", "Owner not found.", field="owner_id")
    if Parcel.objects.filter(
        legal_dong_code=cmd.legal_dong_code,
        mountain=cmd.mountain,
        main_no=cmd.main_no,
        sub_no=cmd.sub_no,
    ).exists():
        raise Conflict("이미 등록된 필지입니다.", "Parcel already registered.", field="main_no")
    parcel = Parcel.objects.create(
        legal_dong_code=cmd.legal_dong_code,
        legal_dong_name=cmd.legal_dong_name.strip()[:60],
        mountain=cmd.mountain,
        main_no=cmd.main_no,
        sub_no=cmd.sub_no,
        category=cmd.category,
        area_m2=area,
        owner_id=cmd.owner_id,
        jurisdiction=unit,
    )
    ParcelOwnership.objects.create(
        parcel=parcel, owner_id=cmd.owner_id, from_on=cmd.acquired_on, cause=cmd.cause
    )
    ctx.emit(ParcelRegistered(parcel_id=parcel.pk, pnu=parcel.pnu))
    return {"parcel_id": parcel.pk, "pnu": parcel.pnu}


@handler(TransferParcel)
def transfer_parcel(cmd: TransferParcel, *, ctx: Context) -> dict[str, Any]:
    parcel = Parcel.objects.select_for_update().filter(pk=cmd.parcel_id).first()
    if parcel is None:
        raise NotFound("필지를 찾을 수 없습니다.", "Parcel not found.", field="parcel_id")
    ctx.require("land.register", parcel.jurisdiction_id)
    if cmd.cause not in CAUSES:
        raise ValidationFailed("원인이 올바르지 않습니다.", "Unknown cause.", field="cause")
    if cmd.transferred_on > clock.local(ctx.occurred_at).date():
        raise ValidationFailed(
            "미래의 날짜는 입력할 수 없습니다.", "Date in the future.", field="transferred_on"
        )
    if not Person.objects.filter(pk=cmd.new_owner_id).exists():
        raise NotFound(
            "새 소유자를 찾을 수 없습니다.", "New owner not found.", field="new_owner_id"
        )
    if cmd.new_owner_id == parcel.owner_id:
        raise Conflict(
            "이미 이 사람의 토지입니다.", "Already owned by this person.", field="new_owner_id"
        )
    ParcelOwnership.objects.filter(parcel=parcel, to_on__isnull=True).update(
        to_on=cmd.transferred_on
    )
    ParcelOwnership.objects.create(
        parcel=parcel, owner_id=cmd.new_owner_id, from_on=cmd.transferred_on, cause=cmd.cause
    )
    Parcel.objects.filter(pk=parcel.pk).update(owner_id=cmd.new_owner_id)
    ctx.emit(ParcelTransferred(parcel_id=parcel.pk, owner_id=cmd.new_owner_id))
    return {"parcel_id": parcel.pk, "owner_id": cmd.new_owner_id}


@handler(SetLandPrice)
def set_land_price(cmd: SetLandPrice, *, ctx: Context) -> dict[str, Any]:
    parcel = Parcel.objects.filter(pk=cmd.parcel_id).first()
    if parcel is None:
        raise NotFound("필지를 찾을 수 없습니다.", "Parcel not found.", field="parcel_id")
    ctx.require("land.price", parcel.jurisdiction_id)
    if not 1990 <= cmd.year <= clock.now().year + 1:
        raise ValidationFailed("기준연도가 올바르지 않습니다.", "Invalid year.", field="year")
    if not 0 < cmd.won_per_m2 < 10**9:
        raise ValidationFailed(
            "공시지가가 올바르지 않습니다.", "Invalid price.", field="won_per_m2"
        )
    LandPrice.objects.update_or_create(
        parcel=parcel, year=cmd.year, defaults={"won_per_m2": cmd.won_per_m2}
    )
    return {"parcel_id": parcel.pk, "year": cmd.year, "won_per_m2": cmd.won_per_m2}


@handler(ImportParcels)
def import_parcels(cmd: ImportParcels, *, ctx: Context) -> dict[str, Any]:
    if not 1 <= len(cmd.rows) <= 5000:
        raise ValidationFailed(
            "한 번에 1~5000필지까지입니다.", "1-5000 rows per command.", field="rows"
        )
    units: dict[str, Jurisdiction] = {}
    for n, row in enumerate(cmd.rows):
        prefix = f"rows.{n}."
        key = row.legal_dong_code[:5]
        if key not in units:
            units[key] = register_office(row.legal_dong_code, field=f"{prefix}legal_dong_code")
            ctx.require("land.import", units[key].code)
        _check_no(row.main_no, row.sub_no, prefix)
        if row.category not in LandCategory.values:
            raise ValidationFailed(
                "지목이 올바르지 않습니다.", "Unknown category.", field=f"{prefix}category"
            )
        _area(row.area_m2, f"{prefix}area_m2")
    # Written as sets (COPY / multi-row INSERT) with ids reserved first: the demo gives a
    # parcel to about every third household, and model instances were most of its time.
    ids = reserve_ids(Parcel, len(cmd.rows))
    rows = list(zip(ids, cmd.rows, strict=True))
    insert_rows(
        Parcel,
        ("id", "legal_dong_code", "legal_dong_name", "mountain", "main_no", "sub_no", "category",
         "area_m2", "owner_id", "jurisdiction_id"),
        (
            (pk, r.legal_dong_code, r.legal_dong_name, r.mountain, r.main_no, r.sub_no,
             r.category, _area(r.area_m2, "area_m2"), r.owner_id,
             units[r.legal_dong_code[:5]].pk)
            for pk, r in rows
        ),
    )  # fmt: skip
    insert_rows(
        ParcelOwnership,
        ("parcel_id", "owner_id", "from_on", "cause"),
        ((pk, r.owner_id, r.acquired_on, r.cause) for pk, r in rows),
    )
    insert_rows(
        LandPrice,
        ("parcel_id", "year", "won_per_m2"),
        ((pk, year, price) for pk, r in rows for year, price in r.prices),
    )
    ctx.emit(ParcelsImported(parcel_ids=ids))
    return {"parcel_ids": ids}
