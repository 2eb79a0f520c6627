"""The kernel's own commands: loading the administrative divisions, declaring holidays and
sending dead outbox deliveries back to the queue."""

from __future__ import annotations

import dataclasses
from datetime import date

from django.db import transaction

from minwon.kernel import calendar, jurisdictions
from minwon.kernel.bus import Context
from minwon.kernel.errors import Conflict, ValidationFailed
from minwon.kernel.models import DeclaredHoliday, Jurisdiction, OutboxDelivery
from minwon.kernel.permissions import KernelPermission
from minwon.kernel.registry import handler, register_event
from minwon.kernel.types import NATION, Command, Event
from minwon.ops.permissions import OpsPermission


@dataclasses.dataclass(frozen=True, kw_only=True)
class ImportJurisdictions(Command):
    """Load or update 행정구역 from the code list: new codes are added, changed names and end
    dates updated; nothing is deleted, because records keep pointing at retired codes."""

    permission = KernelPermission.MANAGE_JURISDICTIONS
    rows: list[dict[str, str]]


@handler(ImportJurisdictions)
def import_jurisdictions(cmd: ImportJurisdictions, *, ctx: Context) -> dict[str, int]:
    rows = cmd.rows
    try:
        paths = jurisdictions.build_paths(rows)
    except ValueError as exc:
        raise ValidationFailed(
            f"행정구역 자료가 올바르지 않습니다: {exc}", f"Invalid code list: {exc}", field="rows"
        ) from None
    names = {r["code"]: r["name"] for r in rows}
    parents = {r["code"]: r["parent_code"] for r in rows}

    def full_name(code: str) -> str:
        chain = []
        while code:
            chain.append(names[code])
            code = parents.get(code, "")
        return " ".join(reversed(chain))

    Jurisdiction.objects.update_or_create(
        code=NATION,
        defaults={
            "name": "대한민국",
            "full_name": "대한민국",
            "level": "nation",
            "path": f"{NATION}/",
            "valid_from": date(1948, 8, 15),
        },
    )
    existing = {j.code: j for j in Jurisdiction.objects.all()}
    created = updated = 0
    # Parents before children; successors are linked in a second pass.
    for row in sorted(rows, key=lambda r: len(paths[r["code"]])):
        code = row["code"]
        values = {
            "name": row["name"],
            "full_name": full_name(code),
            "level": row["level"],
            "parent_id": row["parent_code"] or NATION,
            "path": paths[code],
            "valid_from": date.fromisoformat(row["valid_from"]),
            "valid_to": date.fromisoformat(row["valid_to"]) if row["valid_to"] else None,
        }
        unit = existing.get(code)
        if unit is None:
            Jurisdiction.objects.create(code=code, **values)
            created += 1
        elif any(getattr(unit, k) != v for k, v in values.items()):
            Jurisdiction.objects.filter(pk=code).update(**values)
            updated += 1
    for row in rows:
        if row["successor_code"]:
            Jurisdiction.objects.filter(pk=row["code"]).update(successor_id=row["successor_code"])
    jurisdictions.clear_cache()
    return {"created": created, "updated": updated, "total": len(rows)}


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class CalendarChanged(Event):
    """A day stopped (or started again) being a working day: every open deadline whose
    window holds it is counted anew (``petitions.events`` moves them, petition by petition,
    inside the declaration's transaction)."""

    day: str
    name: str
    withdrawn: bool


@dataclasses.dataclass(frozen=True, kw_only=True)
class DeclareHoliday(Command):
    """Declare a 임시공휴일 (or withdraw one): deadlines stop counting on that day, and the
    open deadlines that counted it move (``CalendarChanged``)."""

    permission = KernelPermission.MANAGE_CALENDAR
    day: date
    name: str
    withdraw: bool = False


def _holiday_name(cmd: DeclareHoliday) -> str:
    name = cmd.name.strip()
    if not cmd.withdraw and not name:
        raise ValidationFailed(
            "공휴일 이름을 입력하세요.", "Enter the holiday's name.", field="name"
        )
    if len(name) > 60:
        raise ValidationFailed(
            "공휴일 이름은 60자 이내로 입력하세요.", "The holiday's name is too long.", field="name"
        )
    return name


def _check_change(cmd: DeclareHoliday) -> str:
    """The previous state of the day: a declaration on a day already closed, or the
    withdrawal of a day nobody declared, would change nothing and is refused."""
    declared = DeclaredHoliday.objects.filter(date=cmd.day).first()
    if cmd.withdraw and declared is None:
        raise Conflict(
            "지정된 임시공휴일이 아닙니다.", "No holiday was declared on this day.",
            field="day", code="not_declared",
        )  # fmt: skip
    if not cmd.withdraw and declared is None and not calendar.is_working_day(cmd.day):
        raise Conflict(
            f"{cmd.day.month}월 {cmd.day.day}일은 이미 쉬는 날입니다"
            f"({calendar.holiday_name(cmd.day) or '주말'}).",
            "That day is already closed.",
            field="day",
            code="already_closed",
        )
    return declared.name if declared is not None else ""


@handler(DeclareHoliday)
def declare_holiday(cmd: DeclareHoliday, *, ctx: Context) -> dict[str, str]:
    name = _holiday_name(cmd)
    previous = _check_change(cmd)
    if cmd.withdraw:
        DeclaredHoliday.objects.filter(date=cmd.day).delete()
    else:
        DeclaredHoliday.objects.update_or_create(
            date=cmd.day,
            defaults={"name": name, "declared_by": str(ctx.actor), "declared_at": ctx.recorded_at},
        )
    # Now for this transaction (the deadlines below count with the new calendar), and again
    # after it ends, so that a rolled-back declaration does not linger in the cache.
    calendar.invalidate()
    transaction.on_commit(calendar.invalidate)
    if cmd.withdraw or not previous:
        ctx.emit(
            CalendarChanged(day=cmd.day.isoformat(), name=name or previous, withdrawn=cmd.withdraw)
        )
    return {"date": cmd.day.isoformat(), "state": "withdrawn" if cmd.withdraw else "declared"}


@dataclasses.dataclass(frozen=True, kw_only=True)
class RetryDeadDeliveries(Command):
    """An operator sends parked (dead) outbox deliveries back to the queue."""

    permission = OpsPermission.MANAGE_OUTBOX
    delivery_ids: list[int] = dataclasses.field(default_factory=list)


@handler(RetryDeadDeliveries)
def retry_dead_deliveries(cmd: RetryDeadDeliveries, *, ctx: Context) -> dict[str, int]:
    dead = OutboxDelivery.objects.filter(state=OutboxDelivery.State.DEAD)
    if cmd.delivery_ids:
        dead = dead.filter(pk__in=cmd.delivery_ids)
    count = dead.update(
        state=OutboxDelivery.State.PENDING, attempts=0, next_attempt_at=ctx.recorded_at
    )
    return {"requeued": count}
