"""Incident commands (장애 대응): open, note, update (state, public status, affected
services and offices, offices declared in continuity mode) and resolve with a summary.

Every change writes a line to the incident's timeline in the same transaction, and a
change of what the public is told emits ``PublicStatusChanged`` so edge nodes can refresh
their alternative-channel message (대체 창구 안내) without polling.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from minwon.kernel.bus import Context
from minwon.kernel.errors import Conflict, NotFound
from minwon.kernel.registry import handler, register_event
from minwon.kernel.types import Command, Event
from minwon.ops.commands.common import choice, codes, text
from minwon.ops.models import Alert, Incident, IncidentEntry
from minwon.ops.permissions import OpsPermission

LEVELS = tuple(Incident.Level.values)
STATES = (Incident.State.OPEN.value, Incident.State.MONITORING.value)


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class PublicStatusChanged(Event):
    """What citizens are told changed; edges take their 대체 창구 안내 from it."""

    incident_id: int
    level: str
    public_status: str
    continuity_offices: list[str]
    resolved: bool = False


def _services(values: list[str]) -> list[str]:
    out = []
    for value in values:
        item = text(value, field="affected_services", label="영향 서비스", max_length=60)
        if item not in out:
            out.append(item)
    return out


def _entry(incident: Incident, ctx: Context, kind: str, body: str) -> None:
    IncidentEntry.objects.create(
        incident=incident,
        at=ctx.recorded_at,
        kind=kind,
        author=ctx.actor.name or str(ctx.actor),
        text=body,
    )


def _open_incident(incident_id: int) -> Incident:
    incident = Incident.objects.select_for_update().filter(pk=incident_id).first()
    if incident is None:
        raise NotFound("장애를 찾을 수 없습니다.", "Incident not found.", field="incident_id")
    if incident.state == Incident.State.RESOLVED:
        raise Conflict(
            "이미 해결된 장애입니다.", "The incident is already resolved.", field="incident_id"
        )
    return incident


def _announce(ctx: Context, incident: Incident, *, resolved: bool = False) -> None:
    ctx.emit(
        PublicStatusChanged(
            incident_id=incident.pk,
            level="normal" if resolved else incident.level,
            public_status="" if resolved else incident.public_status,
            continuity_offices=[] if resolved else list(incident.continuity_offices),
            resolved=resolved,
        )
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class OpenIncident(Command):
    """Declare an incident, by hand or from an alarm (``alert_id``)."""

    permission = OpsPermission.INCIDENTS
    title: str
    level: str = "degraded"
    affected_services: list[str] = dataclasses.field(default_factory=list)
    affected_offices: list[str] = dataclasses.field(default_factory=list)
    continuity_offices: list[str] = dataclasses.field(default_factory=list)
    public_status: str = ""
    note: str = ""
    alert_id: int | None = None


@handler(OpenIncident)
def open_incident(cmd: OpenIncident, *, ctx: Context) -> dict[str, Any]:
    title = text(cmd.title, field="title", label="제목", max_length=120)
    level = choice(cmd.level, field="level", label="공개 수준", allowed=LEVELS)
    alert = None
    if cmd.alert_id is not None:
        alert = Alert.objects.filter(pk=cmd.alert_id).first()
        if alert is None:
            raise NotFound("경보를 찾을 수 없습니다.", "Alert not found.", field="alert_id")
    incident = Incident.objects.create(
        title=title,
        level=level,
        affected_services=_services(cmd.affected_services),
        affected_offices=codes(cmd.affected_offices, field="affected_offices", label="영향 기관"),
        continuity_offices=codes(
            cmd.continuity_offices, field="continuity_offices", label="연속성 모드 기관"
        ),
        public_status=text(
            cmd.public_status,
            field="public_status",
            label="대체 창구 안내",
            max_length=1000,
            required=False,
        ),
        alert=alert,
        opened_by=ctx.actor.name or str(ctx.actor),
        opened_at=ctx.recorded_at,
        updated_at=ctx.recorded_at,
    )
    opened = f"장애 선언: {title}" + (f" (경보 #{alert.pk}: {alert.message})" if alert else "")
    _entry(incident, ctx, "opened", opened)
    note = text(cmd.note, field="note", label="메모", max_length=2000, required=False)
    if note:
        _entry(incident, ctx, "note", note)
    if incident.continuity_offices:
        _entry(
            incident,
            ctx,
            "continuity",
            "연속성 모드 선언: " + ", ".join(incident.continuity_offices),
        )
    _announce(ctx, incident)
    return {"incident_id": incident.pk, "state": incident.state}


@dataclasses.dataclass(frozen=True, kw_only=True)
class AddIncidentNote(Command):
    """A line in the timeline: what was seen, done or decided, and when."""

    permission = OpsPermission.INCIDENTS
    incident_id: int
    text: str


@handler(AddIncidentNote)
def add_incident_note(cmd: AddIncidentNote, *, ctx: Context) -> dict[str, Any]:
    body = text(cmd.text, field="text", label="메모", max_length=2000)
    incident = _open_incident(cmd.incident_id)
    _entry(incident, ctx, "note", body)
    Incident.objects.filter(pk=incident.pk).update(updated_at=ctx.recorded_at)
    return {"incident_id": incident.pk}


@dataclasses.dataclass(frozen=True, kw_only=True)
class UpdateIncident(Command):
    """Change state, public level and text, affected services/offices or the offices in
    continuity mode. Fields left ``None`` stay as they are."""

    permission = OpsPermission.INCIDENTS
    incident_id: int
    state: str | None = None
    level: str | None = None
    public_status: str | None = None
    affected_services: list[str] | None = None
    affected_offices: list[str] | None = None
    continuity_offices: list[str] | None = None


@handler(UpdateIncident)
def update_incident(cmd: UpdateIncident, *, ctx: Context) -> dict[str, Any]:
    incident = _open_incident(cmd.incident_id)
    changes: list[str] = []
    public_before = (incident.level, incident.public_status, list(incident.continuity_offices))
    if cmd.state is not None and cmd.state != incident.state:
        incident.state = choice(cmd.state, field="state", label="상태", allowed=STATES)
        changes.append(f"상태: {incident.get_state_display()}")
    if cmd.level is not None and cmd.level != incident.level:
        incident.level = choice(cmd.level, field="level", label="공개 수준", allowed=LEVELS)
        changes.append(f"공개 수준: {incident.get_level_display()}")
    if cmd.public_status is not None:
        status = text(
            cmd.public_status,
            field="public_status",
            label="대체 창구 안내",
            max_length=1000,
            required=False,
        )
        if status != incident.public_status:
            incident.public_status = status
            changes.append(f"대체 창구 안내: {status or '(없음)'}")
    if cmd.affected_services is not None:
        incident.affected_services = _services(cmd.affected_services)
        changes.append("영향 서비스: " + (", ".join(incident.affected_services) or "(없음)"))
    if cmd.affected_offices is not None:
        incident.affected_offices = codes(
            cmd.affected_offices, field="affected_offices", label="영향 기관"
        )
        changes.append("영향 기관: " + (", ".join(incident.affected_offices) or "(없음)"))
    if cmd.continuity_offices is not None:
        offices = codes(
            cmd.continuity_offices, field="continuity_offices", label="연속성 모드 기관"
        )
        if offices != incident.continuity_offices:
            incident.continuity_offices = offices
            changes.append("연속성 모드 기관: " + (", ".join(offices) or "(해제)"))
    if not changes:
        return {"incident_id": incident.pk, "changed": False}
    incident.updated_at = ctx.recorded_at
    incident.save()
    _entry(incident, ctx, "update", "; ".join(changes))
    if (incident.level, incident.public_status, list(incident.continuity_offices)) != public_before:
        _announce(ctx, incident)
    return {"incident_id": incident.pk, "changed": True}


@dataclasses.dataclass(frozen=True, kw_only=True)
class ResolveIncident(Command):
    """Close the incident with a summary (원인, 조치, 재발 방지); the public notice ends."""

    permission = OpsPermission.INCIDENTS
    incident_id: int
    summary: str


@handler(ResolveIncident)
def resolve_incident(cmd: ResolveIncident, *, ctx: Context) -> dict[str, Any]:
    summary = text(cmd.summary, field="summary", label="결과 요약", max_length=4000)
    incident = _open_incident(cmd.incident_id)
    incident.state = Incident.State.RESOLVED
    incident.summary = summary
    incident.resolved_at = ctx.recorded_at
    incident.updated_at = ctx.recorded_at
    incident.save()
    _entry(incident, ctx, "resolved", f"해결: {summary}")
    _announce(ctx, incident, resolved=True)
    return {"incident_id": incident.pk, "state": incident.state}
