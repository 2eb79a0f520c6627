"""지방세 commands: issue a bill (부과), record its payment (수납), and bulk import. The
mailing address (송달 주소) is the taxpayer's address when issued; ``tax.events`` keeps the
open bills' address current when the taxpayer moves."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from minwon.kernel import clock, jurisdictions
from minwon.kernel.bus import Context
from minwon.kernel.errors import Conflict, NotFound, ValidationFailed
from minwon.kernel.registry import handler
from minwon.kernel.types import Command
from minwon.registry.bulk import insert_rows
from minwon.registry.queries import CurrentAddress, current_address
from minwon.tax.permissions import TaxPermission

from .models import TaxBill, TaxItem


@dataclasses.dataclass(frozen=True, kw_only=True)
class IssueTaxBill(Command):
    """부과: a bill to a taxpayer, levied by ``jurisdiction`` (the 시·군·구)."""

    permission = TaxPermission.LEVY
    taxpayer_id: int
    item: str
    period: str
    amount: int
    due_on: date
    vehicle_id: int | None = None
    parcel_id: int | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class RecordTaxPayment(Command):
    """수납: the bill was paid on ``paid_on``."""

    bill_id: int
    paid_on: date


@dataclasses.dataclass(frozen=True)
class TaxBillRow:
    taxpayer_id: int
    item: str
    period: str
    amount: int
    due_on: date
    issued_on: date
    paid_on: date | None = None
    vehicle_id: int | None = None
    parcel_id: int | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class ImportTaxBills(Command):
    """Bulk 부과 (demo, migration): ``jurisdiction`` is the levying 시·군·구."""

    permission = TaxPermission.IMPORT
    rows: list[TaxBillRow]


#: ``TaxItem.values`` builds a list at every call; an import checks thousands of rows.
_ITEMS = frozenset(TaxItem.values)


def _check(item: str, amount: int, period: str, prefix: str = "") -> None:
    if item not in _ITEMS:
        raise ValidationFailed(
            "세목이 올바르지 않습니다.", "Unknown tax item.", field=f"{prefix}item"
        )
    if not 0 < amount <= 10**12:
        raise ValidationFailed(
            "세액이 올바르지 않습니다.", "Invalid amount.", field=f"{prefix}amount"
        )
    if not period.strip() or len(period) > 20:
        raise ValidationFailed(
            "과세 기간을 입력하세요.", "Enter the period.", field=f"{prefix}period"
        )


def _number(jurisdiction: str, bill_id: int) -> str:
    return f"{jurisdiction[:5]}-{bill_id:010d}"


@handler(IssueTaxBill)
def issue_tax_bill(cmd: IssueTaxBill, *, ctx: Context) -> dict[str, Any]:
    _check(cmd.item, cmd.amount, cmd.period)
    unit = jurisdictions.get(cmd.jurisdiction)
    address = current_address(cmd.taxpayer_id)
    if address is None:
        raise NotFound("납세자를 찾을 수 없습니다.", "Taxpayer not found.", field="taxpayer_id")
    bill = TaxBill.objects.create(
        number=f"tmp-{ctx.command.command_id.hex[:24]}",
        taxpayer_id=cmd.taxpayer_id,
        item=cmd.item,
        period=cmd.period.strip(),
        amount=cmd.amount,
        due_on=cmd.due_on,
        vehicle_id=cmd.vehicle_id,
        parcel_id=cmd.parcel_id,
        mailing_address=address.full,
        jurisdiction=unit,
        issued_on=clock.local(ctx.occurred_at).date(),
    )
    bill.number = _number(unit.code, bill.pk)
    bill.save(update_fields=["number"])
    return {"bill_id": bill.pk, "number": bill.number}


@handler(RecordTaxPayment)
def record_tax_payment(cmd: RecordTaxPayment, *, ctx: Context) -> dict[str, Any]:
    bill = TaxBill.objects.select_for_update().filter(pk=cmd.bill_id).first()
    if bill is None:
        raise NotFound("고지서를 찾을 수 없습니다.", "Bill not found.", field="bill_id")
    ctx.require("tax.collect", bill.jurisdiction_id)
    if bill.paid_on is not None:
        raise Conflict("이미 납부된 고지서입니다.", "Already paid.", field="bill_id")
    if cmd.paid_on > clock.local(ctx.occurred_at).date():
        raise ValidationFailed(
            "미래의 날짜는 입력할 수 없습니다.", "Date in the future.", field="paid_on"
        )
    bill.paid_on = cmd.paid_on
    bill.save(update_fields=["paid_on"])
    return {"bill_id": bill.pk, "paid_on": cmd.paid_on.isoformat()}


@handler(ImportTaxBills)
def import_tax_bills(cmd: ImportTaxBills, *, ctx: Context) -> dict[str, Any]:
    if not 1 <= len(cmd.rows) <= 10000:
        raise ValidationFailed(
            "한 번에 1~10000건까지입니다.", "1-10000 rows per command.", field="rows"
        )
    from minwon.registry.models import Residence

    unit = jurisdictions.get(cmd.jurisdiction)
    ids = {r.taxpayer_id for r in cmd.rows}
    addresses = {
        pid: CurrentAddress(road, detail, code)
        for pid, road, detail, code in Residence.objects.filter(
            person_id__in=ids, moved_out_on__isnull=True
        ).values_list("person_id", "road_address", "address_detail", "jurisdiction_id")
    }
    for n, row in enumerate(cmd.rows):
        _check(row.item, row.amount, row.period, prefix=f"rows.{n}.")
        if row.taxpayer_id not in addresses:
            raise NotFound(
                "납세자를 찾을 수 없습니다.", "Taxpayer not found.", field=f"rows.{n}.taxpayer_id"
            )
    # Written as a set (COPY / multi-row INSERT): a demo of a million residents bills
    # about as many, and model instances were most of this command's time.
    prefix = f"{unit.code[:5]}-i{ctx.command.command_id.hex[:8]}"
    count = insert_rows(
        TaxBill,
        ("number", "taxpayer_id", "item", "period", "amount", "due_on", "paid_on", "vehicle_id",
         "parcel_id", "mailing_address", "jurisdiction_id", "issued_on"),
        (
            (f"{prefix}-{n:05d}", r.taxpayer_id, r.item, r.period, r.amount, r.due_on, r.paid_on,
             r.vehicle_id, r.parcel_id, addresses[r.taxpayer_id].full, unit.pk, r.issued_on)
            for n, r in enumerate(cmd.rows)
        ),
    )  # fmt: skip
    return {"bills": count}
