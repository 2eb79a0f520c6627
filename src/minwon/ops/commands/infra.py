"""What other machinery reports to the room, and the plans it is checked against.

- ``ReportEdgeStatus``: an office's edge node says how it is (online, continuity mode,
  offline), how many journal entries wait to be applied centrally, and when it last synced.
  The continuity app's edges call it (API ``POST /api/ops/edges/status``).
- ``RecordBackup``: the HA tooling records a backup run (pgBackRest full/diff/incr, or a
  WAL-archive check as ``wal``) with its outcome, so plans can check backup age.
- ``SetServicePlan`` / ``RecordDrill``: a service's grade and 서비스 연속성 계획, and the
  drills that prove it.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime, timedelta
from typing import Any

from minwon.kernel import jurisdictions
from minwon.kernel.bus import Context
from minwon.kernel.errors import NotFound, ValidationFailed
from minwon.kernel.registry import handler
from minwon.kernel.types import Command
from minwon.ops.commands.common import choice, number, text
from minwon.ops.models import BackupRun, EdgeNode, ServicePlan
from minwon.ops.permissions import OpsPermission

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
BACKUP_KINDS = ("full", "diff", "incr", "wal", "logical")


def _slug(value: str, field: str, label: str, max_length: int = 60) -> str:
    if not _SLUG.match(value or "") or len(value) > max_length:
        raise ValidationFailed(
            f"{label}은(는) 영문 소문자, 숫자, -, _ 로 {max_length}자 이하여야 합니다.",
            f"{field} must be lowercase letters, digits, - or _ (at most {max_length}).",
            field=field,
        )
    return value


def _not_future(moment: datetime | None, now: datetime, field: str) -> None:
    if moment is not None and moment > now + timedelta(minutes=5):
        raise ValidationFailed(
            "미래 시각은 입력할 수 없습니다.", f"{field} lies in the future.", field=field
        )


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReportEdgeStatus(Command):
    """An edge node's heartbeat: its mode, journal length and last sync (거점 상태 보고)."""

    permission = OpsPermission.REPORT_EDGE
    edge_id: str
    office: str
    mode: str
    journal_length: int = 0
    last_sync_at: datetime | None = None
    version: str = ""
    message: str = ""


@handler(ReportEdgeStatus)
def report_edge_status(cmd: ReportEdgeStatus, *, ctx: Context) -> dict[str, Any]:
    edge_id = _slug(cmd.edge_id, "edge_id", "거점 ID")
    mode = choice(cmd.mode, field="mode", label="모드", allowed=tuple(EdgeNode.Mode.values))
    office = jurisdictions.get(cmd.office, field="office").code
    number(cmd.journal_length, field="journal_length", label="미전송 기록 수", low=0, high=10**9)
    _not_future(cmd.last_sync_at, ctx.recorded_at, "last_sync_at")
    edge = EdgeNode.objects.select_for_update().filter(pk=edge_id).first()
    changed = edge is None or edge.mode != mode
    since = ctx.recorded_at if changed or edge is None else edge.mode_since
    EdgeNode.objects.update_or_create(
        edge_id=edge_id,
        defaults={
            "office": office,
            "mode": mode,
            "mode_since": since,
            "journal_length": cmd.journal_length,
            "last_sync_at": cmd.last_sync_at,
            "reported_at": ctx.recorded_at,
            "version": text(
                cmd.version, field="version", label="버전", max_length=40, required=False
            ),
            "message": text(
                cmd.message, field="message", label="메시지", max_length=300, required=False
            ),
        },
    )
    return {
        "edge_id": edge_id,
        "mode": mode,
        "mode_since": since.isoformat(),
        "mode_changed": changed,
    }


@dataclasses.dataclass(frozen=True, kw_only=True)
class RecordBackup(Command):
    """A backup run finished (or failed) in ``repository``."""

    permission = OpsPermission.RECORD_BACKUP
    repository: str
    kind: str
    ok: bool
    finished_at: datetime
    started_at: datetime | None = None
    label: str = ""
    size_bytes: int | None = None
    message: str = ""


@handler(RecordBackup)
def record_backup(cmd: RecordBackup, *, ctx: Context) -> dict[str, Any]:
    repository = text(cmd.repository, field="repository", label="저장소", max_length=80)
    kind = choice(cmd.kind, field="kind", label="백업 종류", allowed=BACKUP_KINDS)
    _not_future(cmd.finished_at, ctx.recorded_at, "finished_at")
    if cmd.started_at is not None and cmd.started_at > cmd.finished_at:
        raise ValidationFailed(
            "시작 시각이 완료 시각보다 늦습니다.",
            "started_at is after finished_at.",
            field="started_at",
        )
    if cmd.size_bytes is not None:
        number(cmd.size_bytes, field="size_bytes", label="크기", low=0, high=1e18)
    run = BackupRun.objects.create(
        repository=repository,
        kind=kind,
        ok=cmd.ok,
        label=text(cmd.label, field="label", label="백업 이름", max_length=80, required=False),
        started_at=cmd.started_at,
        finished_at=cmd.finished_at,
        size_bytes=cmd.size_bytes,
        message=text(cmd.message, field="message", label="메시지", max_length=300, required=False),
        recorded_at=ctx.recorded_at,
    )
    return {"backup_id": run.pk, "ok": run.ok}


@dataclasses.dataclass(frozen=True, kw_only=True)
class SetServicePlan(Command):
    """Set a service's grade (1–4), its RTO/RPO and its 서비스 연속성 계획."""

    permission = OpsPermission.PLANS
    key: str
    name: str
    grade: int
    rto_minutes: int
    rpo_minutes: int
    redundancy: str = ""
    monitoring: str = ""
    manual_fallback: str = ""
    alternative_channels: str = ""
    retroactive_entry: str = ""
    owner: str = ""


@handler(SetServicePlan)
def set_service_plan(cmd: SetServicePlan, *, ctx: Context) -> dict[str, Any]:
    key = _slug(cmd.key, "key", "서비스 키", 40)
    number(cmd.grade, field="grade", label="등급", low=1, high=4)
    number(cmd.rto_minutes, field="rto_minutes", label="목표 복구 시간(분)", low=0, high=525600)
    number(cmd.rpo_minutes, field="rpo_minutes", label="목표 복구 시점(분)", low=0, high=525600)
    ServicePlan.objects.update_or_create(
        key=key,
        defaults={
            "name": text(cmd.name, field="name", label="서비스 이름", max_length=80),
            "grade": int(cmd.grade),
            "rto_minutes": int(cmd.rto_minutes),
            "rpo_minutes": int(cmd.rpo_minutes),
            "redundancy": text(
                cmd.redundancy, field="redundancy", label="이중화", max_length=200, required=False
            ),
            "monitoring": text(
                cmd.monitoring, field="monitoring", label="감시", max_length=200, required=False
            ),
            "manual_fallback": text(
                cmd.manual_fallback,
                field="manual_fallback",
                label="수작업 대체 절차",
                max_length=4000,
                required=False,
            ),
            "alternative_channels": text(
                cmd.alternative_channels,
                field="alternative_channels",
                label="대체 창구",
                max_length=4000,
                required=False,
            ),
            "retroactive_entry": text(
                cmd.retroactive_entry,
                field="retroactive_entry",
                label="소급 입력 절차",
                max_length=4000,
                required=False,
            ),
            "owner": text(cmd.owner, field="owner", label="책임자", max_length=80, required=False),
            "updated_at": ctx.recorded_at,
        },
    )
    return {"key": key, "grade": int(cmd.grade)}


@dataclasses.dataclass(frozen=True, kw_only=True)
class RecordDrill(Command):
    """A continuity drill (모의훈련) was run for a service."""

    permission = OpsPermission.PLANS
    key: str
    drilled_at: datetime
    note: str


@handler(RecordDrill)
def record_drill(cmd: RecordDrill, *, ctx: Context) -> dict[str, Any]:
    note = text(cmd.note, field="note", label="훈련 내용", max_length=300)
    _not_future(cmd.drilled_at, ctx.recorded_at, "drilled_at")
    plan = ServicePlan.objects.select_for_update().filter(pk=cmd.key).first()
    if plan is None:
        raise NotFound("서비스 계획을 찾을 수 없습니다.", "Service plan not found.", field="key")
    if plan.last_drill_at is None or cmd.drilled_at > plan.last_drill_at:
        plan.last_drill_at = cmd.drilled_at
        plan.drill_note = note
        plan.updated_at = ctx.recorded_at
        plan.save()
    return {
        "key": plan.key,
        "last_drill_at": plan.last_drill_at.isoformat() if plan.last_drill_at else None,
    }
