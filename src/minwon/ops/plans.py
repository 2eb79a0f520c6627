"""System grades (정보시스템 등급) and continuity plans checked against reality.

Each grade sets what a service of that grade needs. A plan declares its own RTO/RPO (which
must be within the grade's), and the system checks what it can observe: synchronous
replication on the database, enough live app processes, a successful backup younger than
the RPO, a drill within the grade's drill interval, and a complete written plan.

| grade | max RTO | max RPO | sync replication | app processes | drill every | backup age if RPO 0 |
|---|---|---|---|---|---|---|
| 1 | 2 h | 0 | required | ≥ 2 | quarter (92 d) | 26 h |
| 2 | 8 h | 1 h | — | ≥ 2 | quarter (92 d) | — |
| 3 | 24 h | 24 h | — | ≥ 1 | half year | — |
| 4 | 72 h | 7 d | — | ≥ 1 | year | — |

RPO 0 can only be met by synchronous replication; its backups are then checked against
the daily schedule (26 h, a day plus slack). Any other RPO needs a successful backup (or
WAL-archive check, recorded with kind ``wal``) younger than the RPO.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Any

from minwon.kernel import clock
from minwon.ops.models import BackupRun, ServicePlan


@dataclasses.dataclass(frozen=True)
class Grade:
    max_rto_minutes: int
    max_rpo_minutes: int
    sync_replication: bool
    min_app_processes: int
    drill_days: int


GRADES: dict[int, Grade] = {
    1: Grade(120, 0, True, 2, 92),
    2: Grade(480, 60, False, 2, 92),
    3: Grade(1440, 1440, False, 1, 183),
    4: Grade(4320, 10080, False, 1, 365),
}
DAILY_BACKUP = timedelta(hours=26)


@dataclasses.dataclass(frozen=True)
class Violation:
    """One way a plan does not hold, shown in the room (계획 위반)."""

    service: str
    service_name: str
    grade: int
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def check_plan(plan: ServicePlan, facts: dict[str, Any], now: datetime) -> list[Violation]:
    """Violations of one plan, given observed ``facts``: ``synchronous`` (bool),
    ``app_processes`` (int) and ``last_backup`` (datetime or None)."""
    grade = GRADES.get(plan.grade)
    out: list[Violation] = []

    def add(code: str, message: str) -> None:
        out.append(Violation(plan.key, plan.name, plan.grade, code, message))

    if grade is None:
        add("grade", f"알 수 없는 등급 {plan.grade}")
        return out
    if plan.rto_minutes > grade.max_rto_minutes:
        add(
            "rto",
            f"목표 복구 시간 {plan.rto_minutes}분이 {plan.grade}등급 기준 {grade.max_rto_minutes}분을 넘습니다.",
        )
    if plan.rpo_minutes > grade.max_rpo_minutes:
        add(
            "rpo",
            f"목표 복구 시점 {plan.rpo_minutes}분이 {plan.grade}등급 기준 {grade.max_rpo_minutes}분을 넘습니다.",
        )
    if (grade.sync_replication or plan.rpo_minutes == 0) and not facts.get("synchronous"):
        add(
            "sync_replication",
            f"{plan.grade}등급(RPO 0) 서비스인데 데이터베이스 동기 복제가 없습니다.",
        )
    processes = facts.get("app_processes", 0)
    if processes is not None and int(processes) < grade.min_app_processes:
        add(
            "redundancy",
            f"동작 중인 앱 서버가 {processes}개로, {grade.min_app_processes}개 이상이어야 합니다.",
        )
    last_backup = facts.get("last_backup")
    allowed = DAILY_BACKUP if plan.rpo_minutes == 0 else timedelta(minutes=plan.rpo_minutes)
    if last_backup is None:
        add("backup", "성공한 백업 기록이 없습니다.")
    elif now - last_backup > allowed:
        hours = (now - last_backup).total_seconds() / 3600
        add(
            "backup",
            f"마지막 성공 백업이 {hours:.1f}시간 전으로, 허용 {allowed.total_seconds() / 3600:g}시간을 넘었습니다.",
        )
    if plan.last_drill_at is None:
        add("drill", "연속성 훈련 기록이 없습니다.")
    elif now - plan.last_drill_at > timedelta(days=grade.drill_days):
        add(
            "drill",
            f"마지막 훈련이 {(now - plan.last_drill_at).days}일 전입니다 (기준 {grade.drill_days}일).",
        )
    missing = [
        label
        for label, value in (
            ("수작업 대체 절차", plan.manual_fallback),
            ("대체 창구", plan.alternative_channels),
            ("소급 입력 절차", plan.retroactive_entry),
            ("책임자", plan.owner),
        )
        if not value.strip()
    ]
    if missing:
        add("plan_incomplete", "연속성 계획에 빠진 항목: " + ", ".join(missing))
    return out


def observed_facts(components: list[Any] | None = None) -> dict[str, Any]:
    """What the checks need, taken from the health board."""
    from minwon.ops import health

    board = components if components is not None else health.board()
    by_key = {c.key: c for c in board}
    db = by_key.get("database")
    app = by_key.get("app")
    last = (
        BackupRun.objects.filter(ok=True)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    return {
        "synchronous": bool(db and db.facts.get("synchronous")),
        # None while the board is still 확인 중 (nothing has reported since start).
        "app_processes": (
            None
            if app and app.status == health.UNKNOWN
            else len(app.facts.get("alive", []))
            if app
            else 0
        ),
        "last_backup": last,
    }


def violations(components: list[Any] | None = None) -> list[Violation]:
    now = clock.now()
    facts = observed_facts(components)
    out: list[Violation] = []
    for plan in ServicePlan.objects.all():
        out.extend(check_plan(plan, facts, now))
    return out
