"""Situation-room API: public status, component health, incidents, alerts, edge and backup
reports, service plans. Reads need ``ops.room`` (operators, sysadmins) except the public
status; writes are commands with their own permissions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from minwon.accounts.actors import actor_for_request
from minwon.kernel import execute
from minwon.kernel.errors import NotFound
from minwon.kernel.types import NATION, Channel, Command
from minwon.ops import commands as c
from minwon.ops import health, plans, policies, queries
from minwon.ops.models import Alert, AlertRule, EdgeNode, Incident, ServicePlan
from minwon.web.api import AUTH, command_id

router = Router(tags=["ops"])


class ErrorOut(Schema):
    code: str
    message: str
    message_en: str
    field: str | None = None


ERRORS: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
}


def require_room(request: HttpRequest) -> None:
    """Operators and sysadmins only (``policies.require_room``)."""
    policies.require_room(actor_for_request(request))


def run(
    request: HttpRequest,
    cls: type[Command],
    *,
    jurisdiction: str = NATION,
    channel: Channel = Channel.ONLINE,
    **fields: Any,
) -> Any:
    result = execute(
        cls(
            actor=actor_for_request(request),
            channel=channel,
            jurisdiction=jurisdiction,
            command_id=command_id(request),
            **fields,
        )
    )
    return result.value


class StatusIncidentOut(Schema):
    id: int
    title: str
    level: str
    public_status: str
    affected_services: list[str]
    affected_offices: list[str]
    continuity_offices: list[str]
    updated_at: str


class PublicStatusOut(Schema):
    level: str = Field(..., description="normal | degraded | outage")
    incidents: list[StatusIncidentOut]
    updated_at: datetime | None


@router.get(
    "/ops/status",
    auth=None,
    response=PublicStatusOut,
    operation_id="OpsPublicStatus",
    summary="공개 서비스 상태와 대체 창구 안내 (public status)",
)
def public_status(request: HttpRequest) -> dict[str, Any]:
    return queries.public_status()


class ComponentOut(Schema):
    key: str
    label: str
    status: str
    detail: str
    since: str | None
    facts: dict[str, Any]


class HealthOut(Schema):
    status: str
    components: list[ComponentOut]
    violations: list[dict[str, Any]]


@router.get(
    "/ops/health",
    auth=AUTH,
    response={200: HealthOut, 401: ErrorOut, 403: ErrorOut},
    operation_id="OpsHealth",
    summary="구성요소 상태 (component health; operators)",
)
def component_health(request: HttpRequest) -> dict[str, Any]:
    require_room(request)
    board = health.board()
    return {
        "status": health.worst(board),
        "components": [x.as_dict() for x in board],
        "violations": [v.as_dict() for v in plans.violations(board)],
    }


class SummaryOut(Schema):
    today: list[dict[str, Any]]
    channels: list[dict[str, Any]]
    regions: list[dict[str, Any]]
    requests: dict[str, Any]
    api_clients: list[dict[str, Any]]
    staff_sessions: int


@router.get(
    "/ops/summary",
    auth=AUTH,
    response={200: SummaryOut, 401: ErrorOut, 403: ErrorOut},
    operation_id="OpsSummary",
    summary="오늘의 처리량 (today's counts against last week; operators)",
)
def summary(request: HttpRequest) -> dict[str, Any]:
    require_room(request)
    return {
        "today": queries.today_vs_last_week(),
        "channels": queries.per_channel(),
        "regions": queries.per_region(),
        "requests": queries.request_stats(),
        "api_clients": queries.api_clients(),
        "staff_sessions": queries.staff_sessions(),
    }


# ---------------------------------------------------------------- incidents


class EntryOut(Schema):
    at: datetime
    kind: str
    author: str
    text: str


class IncidentOut(Schema):
    id: int
    title: str
    state: str
    level: str
    affected_services: list[str]
    affected_offices: list[str]
    continuity_offices: list[str]
    public_status: str
    summary: str
    alert_id: int | None
    opened_by: str
    opened_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    entries: list[EntryOut] = []


class IncidentIn(Schema):
    title: str = Field(..., max_length=120)
    level: str = "degraded"
    affected_services: list[str] = []
    affected_offices: list[str] = []
    continuity_offices: list[str] = []
    public_status: str = Field("", max_length=1000)
    note: str = Field("", max_length=2000)
    alert_id: int | None = None


class IncidentPatch(Schema):
    state: str | None = None
    level: str | None = None
    public_status: str | None = Field(None, max_length=1000)
    affected_services: list[str] | None = None
    affected_offices: list[str] | None = None
    continuity_offices: list[str] | None = None


class NoteIn(Schema):
    text: str = Field(..., max_length=2000)


class ResolveIn(Schema):
    summary: str = Field(..., max_length=4000)


class ResultOut(Schema):
    incident_id: int
    state: str | None = None
    changed: bool | None = None


def _incident(incident_id: int) -> Incident:
    incident = Incident.objects.filter(pk=incident_id).prefetch_related("entries").first()
    if incident is None:
        raise NotFound("장애를 찾을 수 없습니다.", "Incident not found.", field="incident_id")
    return incident


@router.get(
    "/ops/incidents",
    auth=AUTH,
    response={200: list[IncidentOut], 401: ErrorOut, 403: ErrorOut},
    operation_id="OpsIncidentList",
    summary="장애 목록 (incidents)",
)
def incident_list(request: HttpRequest) -> list[Incident]:
    require_room(request)
    return list(Incident.objects.order_by("-opened_at")[:100])


@router.post(
    "/ops/incidents",
    auth=AUTH,
    response={200: ResultOut, **ERRORS},
    operation_id="OpsIncidentOpen",
    summary="장애 선언 (open an incident)",
)
def incident_open(request: HttpRequest, payload: IncidentIn) -> Any:
    return run(request, c.OpenIncident, **payload.dict())


@router.get(
    "/ops/incidents/{incident_id}",
    auth=AUTH,
    response={200: IncidentOut, **ERRORS},
    operation_id="OpsIncidentGet",
    summary="장애와 경과 (an incident and its timeline)",
)
def incident_get(request: HttpRequest, incident_id: int) -> dict[str, Any]:
    require_room(request)
    incident = _incident(incident_id)
    data = IncidentOut.from_orm(incident).dict()
    data["entries"] = list(incident.entries.all())
    return data


@router.patch(
    "/ops/incidents/{incident_id}",
    auth=AUTH,
    response={200: ResultOut, **ERRORS},
    operation_id="OpsIncidentUpdate",
    summary="장애 갱신 (state, public status, offices)",
)
def incident_update(request: HttpRequest, incident_id: int, payload: IncidentPatch) -> Any:
    return run(request, c.UpdateIncident, incident_id=incident_id, **payload.dict())


@router.post(
    "/ops/incidents/{incident_id}/notes",
    auth=AUTH,
    response={200: ResultOut, **ERRORS},
    operation_id="OpsIncidentNote",
    summary="경과 기록 (add a timeline note)",
)
def incident_note(request: HttpRequest, incident_id: int, payload: NoteIn) -> Any:
    return run(request, c.AddIncidentNote, incident_id=incident_id, text=payload.text)


@router.post(
    "/ops/incidents/{incident_id}/resolve",
    auth=AUTH,
    response={200: ResultOut, **ERRORS},
    operation_id="OpsIncidentResolve",
    summary="장애 해결 (resolve with a summary)",
)
def incident_resolve(request: HttpRequest, incident_id: int, payload: ResolveIn) -> Any:
    return run(request, c.ResolveIncident, incident_id=incident_id, summary=payload.summary)


# ---------------------------------------------------------------- alerts


class AlertOut(Schema):
    id: int
    rule: str = Field(..., alias="rule_id")
    severity: str
    message: str
    value: float | None
    opened_at: datetime
    last_seen_at: datetime
    occurrences: int
    cleared_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: str
    ack_note: str


class AckIn(Schema):
    name: str = Field(..., max_length=60, description="확인자 이름 (who takes responsibility)")
    note: str = Field(..., max_length=500)


class AckOut(Schema):
    alert_id: int
    acknowledged_by: str


@router.get(
    "/ops/alerts",
    auth=AUTH,
    response={200: list[AlertOut], 401: ErrorOut, 403: ErrorOut},
    operation_id="OpsAlertList",
    summary="경보 (open alarms first, then the latest acknowledged)",
)
def alert_list(request: HttpRequest) -> list[Alert]:
    require_room(request)
    return queries.open_alerts() + queries.recent_acknowledged(50)


@router.post(
    "/ops/alerts/{alert_id}/acknowledge",
    auth=AUTH,
    response={200: AckOut, **ERRORS},
    operation_id="OpsAlertAcknowledge",
    summary="경보 확인 (acknowledge by name, with a note)",
)
def alert_acknowledge(request: HttpRequest, alert_id: int, payload: AckIn) -> Any:
    return run(request, c.AcknowledgeAlert, alert_id=alert_id, name=payload.name, note=payload.note)


class RuleOut(Schema):
    key: str
    name: str
    kind: str
    threshold: float
    window_minutes: int
    min_volume: int
    severity: str
    enabled: bool
    email_to: str
    updated_by: str
    updated_at: datetime


class RuleIn(Schema):
    threshold: float
    window_minutes: int = Field(..., ge=1, le=1440)
    min_volume: int = Field(0, ge=0)
    severity: str = "major"
    enabled: bool = True
    email_to: str = Field("", max_length=300)


class RuleResult(Schema):
    key: str
    kind: str
    threshold: float


@router.get(
    "/ops/alert-rules",
    auth=AUTH,
    response={200: list[RuleOut], 401: ErrorOut, 403: ErrorOut},
    operation_id="OpsAlertRuleList",
    summary="경보 규칙 (alert rules)",
)
def rule_list(request: HttpRequest) -> list[AlertRule]:
    require_room(request)
    return list(AlertRule.objects.all())


@router.put(
    "/ops/alert-rules/{key}",
    auth=AUTH,
    response={200: RuleResult, **ERRORS},
    operation_id="OpsAlertRuleSet",
    summary="경보 임계값 변경 (administrators)",
)
def rule_set(request: HttpRequest, key: str, payload: RuleIn) -> Any:
    return run(request, c.SetAlertRule, key=key, **payload.dict())


# ---------------------------------------------------------------- edges, backups, plans


class EdgeIn(Schema):
    edge_id: str = Field(..., max_length=60)
    office: str = Field(..., pattern=r"^\d{10}$")
    mode: str = Field(..., description="online | continuity | offline")
    journal_length: int = Field(0, ge=0)
    last_sync_at: datetime | None = None
    version: str = Field("", max_length=40)
    message: str = Field("", max_length=300)


class EdgeResult(Schema):
    edge_id: str
    mode: str
    mode_since: str
    mode_changed: bool


class EdgeOut(Schema):
    edge_id: str
    office: str
    mode: str
    mode_since: datetime
    journal_length: int
    last_sync_at: datetime | None
    reported_at: datetime
    version: str
    message: str


@router.post(
    "/ops/edges/status",
    auth=AUTH,
    response={200: EdgeResult, **ERRORS},
    operation_id="OpsEdgeReport",
    summary="거점 상태 보고 (edge heartbeat; needs ops.report_edge)",
)
def edge_report(request: HttpRequest, payload: EdgeIn) -> Any:
    return run(
        request,
        c.ReportEdgeStatus,
        jurisdiction=payload.office,
        channel=Channel.EDGE,
        **payload.dict(),
    )


@router.get(
    "/ops/edges",
    auth=AUTH,
    response={200: list[EdgeOut], 401: ErrorOut, 403: ErrorOut},
    operation_id="OpsEdgeList",
    summary="거점 목록과 상태 (edges)",
)
def edge_list(request: HttpRequest) -> list[EdgeNode]:
    require_room(request)
    return list(EdgeNode.objects.all())


class BackupIn(Schema):
    repository: str = Field(..., max_length=80)
    kind: str = Field(..., description="full | diff | incr | wal | logical")
    ok: bool
    finished_at: datetime
    started_at: datetime | None = None
    label: str = Field("", max_length=80)
    size_bytes: int | None = Field(None, ge=0)
    message: str = Field("", max_length=300)


class BackupResult(Schema):
    backup_id: int
    ok: bool


@router.post(
    "/ops/backups",
    auth=AUTH,
    response={200: BackupResult, **ERRORS},
    operation_id="OpsBackupRecord",
    summary="백업 결과 기록 (needs ops.record_backup)",
)
def backup_record(request: HttpRequest, payload: BackupIn) -> Any:
    return run(request, c.RecordBackup, channel=Channel.SYSTEM, **payload.dict())


class PlanIn(Schema):
    name: str = Field(..., max_length=80)
    grade: int = Field(..., ge=1, le=4)
    rto_minutes: int = Field(..., ge=0)
    rpo_minutes: int = Field(..., ge=0)
    redundancy: str = Field("", max_length=200)
    monitoring: str = Field("", max_length=200)
    manual_fallback: str = Field("", max_length=4000)
    alternative_channels: str = Field("", max_length=4000)
    retroactive_entry: str = Field("", max_length=4000)
    owner: str = Field("", max_length=80)


class PlanOut(PlanIn):
    key: str
    last_drill_at: datetime | None
    violations: list[dict[str, Any]] = []


class PlanResult(Schema):
    key: str
    grade: int | None = None
    last_drill_at: str | None = None


class DrillIn(Schema):
    drilled_at: datetime
    note: str = Field(..., max_length=300)


@router.get(
    "/ops/services",
    auth=AUTH,
    response={200: list[PlanOut], 401: ErrorOut, 403: ErrorOut},
    operation_id="OpsServiceList",
    summary="서비스 등급·연속성 계획과 위반 사항",
)
def service_list(request: HttpRequest) -> list[dict[str, Any]]:
    require_room(request)
    found: dict[str, list[dict[str, Any]]] = {}
    for v in plans.violations():
        found.setdefault(v.service, []).append(v.as_dict())
    out = []
    for plan in ServicePlan.objects.all():
        data = PlanOut.from_orm(plan).dict()
        data["violations"] = found.get(plan.key, [])
        out.append(data)
    return out


@router.put(
    "/ops/services/{key}",
    auth=AUTH,
    response={200: PlanResult, **ERRORS},
    operation_id="OpsServiceSet",
    summary="서비스 등급·연속성 계획 설정",
)
def service_set(request: HttpRequest, key: str, payload: PlanIn) -> Any:
    return run(request, c.SetServicePlan, key=key, **payload.dict())


@router.post(
    "/ops/services/{key}/drills",
    auth=AUTH,
    response={200: PlanResult, **ERRORS},
    operation_id="OpsServiceDrill",
    summary="연속성 훈련 기록 (record a drill)",
)
def service_drill(request: HttpRequest, key: str, payload: DrillIn) -> Any:
    return run(request, c.RecordDrill, key=key, drilled_at=payload.drilled_at, note=payload.note)
