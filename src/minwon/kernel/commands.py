"""The kernel's own commands: loading the administrative divisions, declaring holidays and
sending dead outbox deliveries back to the queue."""

from __future__ import annotations

import dataclasses
from datetime import date

from minwon.kernel import calendar, jurisdictions
from minwon.kernel.bus import Context
from minwon.kernel.errors import ValidationFailed
from minwon.kernel.models import DeclaredHoliday, Jurisdiction, OutboxDelivery
from minwon.kernel.permissions import KernelPermission
from minwon.kernel.registry import handler
from minwon.kernel.types import NATION, Command
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


@dataclasses.dataclass(frozen=True, kw_only=True)
class DeclareHoliday(Command):
    """Declare a 임시공휴일 (or withdraw one): deadlines stop counting on that day."""

    permission = KernelPermission.MANAGE_CALENDAR
    day: date
    name: str
    withdraw: bool = False


@handler(DeclareHoliday)
def declare_holiday(cmd: DeclareHoliday, *, ctx: Context) -> dict[str, str]:
    name = cmd.name.strip()
    if not cmd.withdraw and not name:
        raise ValidationFailed(
            "공휴일 이름을 입력하세요.", "Enter the holiday's name.", field="name"
        )
    if cmd.withdraw:
        DeclaredHoliday.objects.filter(date=cmd.day).delete()
    else:
        DeclaredHoliday.objects.update_or_create(
            date=cmd.day,
            defaults={"name": name, "declared_by": str(ctx.actor), "declared_at": ctx.recorded_at},
        )
    calendar.invalidate()
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
