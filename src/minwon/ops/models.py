"""The situation room's tables (상황실).

Two kinds live here, and they are written differently on purpose:

- **Telemetry** — ``MetricMinute`` (per-minute rollups), ``ProcessHeartbeat`` and
  ``ComponentState``. These are observations of the machine, not acts of a person: they
  are written by ``minwon.ops.rollups`` and ``minwon.ops.health`` with plain SQL upserts,
  never through ``execute()``. Routing them through the kernel would put one command, one
  audit-chain link and one idempotency row per process per flush interval into the audit
  log (tens of thousands a day), serialise every flush on the audit chain's head row, and
  make the act of *measuring* commands itself a command that is measured. See
  ``docs/benchmarks/ops.md``.
- **Domain state** — incidents, alerts, alert rules, edges, backups and service plans.
  People (or the HA/edge machinery acting as a named client) change them, so every change
  goes through a command in ``minwon.ops.commands`` and lands in the audit chain.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class MetricMinute(models.Model):
    """One minute of one counter (분 단위 집계), summed over every app process.

    ``n`` counts occurrences; ``total`` sums a measured value (request seconds). Processes
    add into a row with ``INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n``, so two
    processes flushing the same minute add up instead of overwriting each other.
    """

    minute = models.DateTimeField("분")
    metric = models.CharField("지표", max_length=24)
    key = models.CharField("항목", max_length=80, blank=True, default="")
    channel = models.CharField("경로", max_length=12, blank=True, default="")
    jurisdiction = models.CharField("시·군·구", max_length=10, blank=True, default="")
    outcome = models.CharField("결과", max_length=32, blank=True, default="")
    n = models.BigIntegerField(default=0)
    total = models.FloatField(default=0.0)

    class Meta:
        verbose_name = "분 단위 지표"
        verbose_name_plural = "분 단위 지표"
        constraints = [
            models.UniqueConstraint(
                fields=["minute", "metric", "key", "channel", "jurisdiction", "outcome"],
                name="ops_metric_minute_once",
            )
        ]
        indexes = [models.Index(fields=["metric", "minute"])]


class ProcessHeartbeat(models.Model):
    """An app process saying it is alive (telemetry): refreshed on every rollup flush."""

    process = models.CharField("프로세스", max_length=120, primary_key=True)
    role = models.CharField("역할", max_length=20, default="web")
    host = models.CharField(max_length=80)
    pid = models.IntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "프로세스 생존 신호"
        verbose_name_plural = "프로세스 생존 신호"


class ComponentState(models.Model):
    """The last colour seen for one health-board component and since when (telemetry), so
    the room can say "red since 09:12" rather than just "red"."""

    component = models.CharField("구성요소", max_length=80, primary_key=True)
    status = models.CharField("상태", max_length=8)
    since = models.DateTimeField("이후")
    checked_at = models.DateTimeField()
    detail = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        verbose_name = "구성요소 상태"
        verbose_name_plural = "구성요소 상태"


class Lease(models.Model):
    """A short lease so only one process at a time runs the periodic evaluation."""

    name = models.CharField(max_length=40, primary_key=True)
    holder = models.CharField(max_length=120)
    expires_at = models.DateTimeField()


class EdgeNode(models.Model):
    """An office's edge node (거점 서버) as it last reported itself (``ReportEdgeStatus``)."""

    class Mode(models.TextChoices):
        ONLINE = "online", "정상 연결"
        CONTINUITY = "continuity", "연속성 모드"
        OFFLINE = "offline", "연결 끊김"

    edge_id = models.CharField("거점 ID", max_length=60, primary_key=True)
    office = models.CharField("관할 기관", max_length=10)
    mode = models.CharField("모드", max_length=12, choices=Mode.choices)
    mode_since = models.DateTimeField("모드 시작")
    journal_length = models.IntegerField("미전송 기록 수", default=0)
    last_sync_at = models.DateTimeField("마지막 동기화", null=True, blank=True)
    reported_at = models.DateTimeField("보고 시각")
    version = models.CharField(max_length=40, blank=True, default="")
    message = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        verbose_name = "거점(엣지) 노드"
        verbose_name_plural = "거점(엣지) 노드"
        ordering = ["edge_id"]


class BackupRun(models.Model):
    """One backup the HA machinery ran (pgBackRest full/diff/incr, or WAL archive check),
    recorded with ``RecordBackup`` so plans can check "a backup younger than the RPO"."""

    repository = models.CharField("저장소", max_length=80)
    kind = models.CharField("종류", max_length=12)
    label = models.CharField(max_length=80, blank=True, default="")
    ok = models.BooleanField("성공")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField("완료 시각", db_index=True)
    size_bytes = models.BigIntegerField(null=True, blank=True)
    message = models.CharField(max_length=300, blank=True, default="")
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = "백업 기록"
        verbose_name_plural = "백업 기록"
        ordering = ["-finished_at"]


class ServicePlan(models.Model):
    """A service's system grade (정보시스템 등급, 1–4) and its 서비스 연속성 계획: manual
    fallback, alternative channels, retroactive entry (소급 입력), owner and last drill.
    ``minwon.ops.plans`` checks it against what the system observes."""

    key = models.SlugField("서비스", max_length=40, primary_key=True)
    name = models.CharField("이름", max_length=80)
    grade = models.PositiveSmallIntegerField("등급")
    rto_minutes = models.PositiveIntegerField("목표 복구 시간(분)")
    rpo_minutes = models.PositiveIntegerField("목표 복구 시점(분)")
    redundancy = models.CharField("이중화", max_length=200, blank=True, default="")
    monitoring = models.CharField("감시", max_length=200, blank=True, default="")
    manual_fallback = models.TextField("수작업 대체 절차", blank=True, default="")
    alternative_channels = models.TextField("대체 창구", blank=True, default="")
    retroactive_entry = models.TextField("소급 입력 절차", blank=True, default="")
    owner = models.CharField("책임자", max_length=80, blank=True, default="")
    last_drill_at = models.DateTimeField("마지막 훈련", null=True, blank=True)
    drill_note = models.CharField(max_length=300, blank=True, default="")
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = "서비스 등급·연속성 계획"
        verbose_name_plural = "서비스 등급·연속성 계획"
        ordering = ["grade", "key"]


class AlertRule(models.Model):
    """A rule over the metrics with a threshold an administrator may change."""

    key = models.SlugField(max_length=40, primary_key=True)
    name = models.CharField("이름", max_length=80)
    kind = models.CharField("종류", max_length=24)
    threshold = models.FloatField("임계값")
    window_minutes = models.PositiveIntegerField("구간(분)", default=5)
    min_volume = models.PositiveIntegerField("최소 건수", default=0)
    severity = models.CharField("심각도", max_length=8, default="major")
    enabled = models.BooleanField("사용", default=True)
    email_to = models.CharField("알림 메일", max_length=300, blank=True, default="")
    updated_by = models.CharField(max_length=120, blank=True, default="")
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = "경보 규칙"
        verbose_name_plural = "경보 규칙"
        ordering = ["key"]


class Alert(models.Model):
    """An alarm that fired. It stays in the room until a person acknowledges it by name
    with a note — even when the condition has cleared (the 2023 lesson: a closed alarm
    window hid the fault). One open alarm per fingerprint: repeats bump ``occurrences``."""

    rule = models.ForeignKey(AlertRule, on_delete=models.PROTECT, related_name="alerts")
    fingerprint = models.CharField(max_length=120)
    severity = models.CharField(max_length=8)
    message = models.CharField(max_length=300)
    value = models.FloatField(null=True)
    opened_at = models.DateTimeField(db_index=True)
    last_seen_at = models.DateTimeField()
    occurrences = models.PositiveIntegerField(default=1)
    cleared_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.CharField(max_length=120, blank=True, default="")
    ack_note = models.CharField(max_length=500, blank=True, default="")
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "경보"
        verbose_name_plural = "경보"
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["fingerprint"],
                condition=Q(acknowledged_at__isnull=True),
                name="ops_alert_one_open_per_fingerprint",
            )
        ]


class Incident(models.Model):
    """장애 (incident): what is broken, where, which offices work in continuity mode, and
    the public status text (대체 창구 안내) shown to citizens and offered to edges."""

    class State(models.TextChoices):
        OPEN = "open", "대응 중"
        MONITORING = "monitoring", "복구 확인 중"
        RESOLVED = "resolved", "해결"

    class Level(models.TextChoices):
        NORMAL = "normal", "정상"
        DEGRADED = "degraded", "일부 장애"
        OUTAGE = "outage", "서비스 중단"

    title = models.CharField("제목", max_length=120)
    state = models.CharField("상태", max_length=12, choices=State.choices, default=State.OPEN)
    level = models.CharField("공개 수준", max_length=10, choices=Level.choices)
    affected_services = models.JSONField("영향 서비스", default=list)
    affected_offices = models.JSONField("영향 기관", default=list)
    continuity_offices = models.JSONField("연속성 모드 기관", default=list)
    public_status = models.TextField("대체 창구 안내", blank=True, default="")
    summary = models.TextField("결과 요약", blank=True, default="")
    alert = models.ForeignKey(Alert, null=True, blank=True, on_delete=models.SET_NULL)
    opened_by = models.CharField(max_length=120)
    opened_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "장애"
        verbose_name_plural = "장애"
        ordering = ["-opened_at"]


class IncidentEntry(models.Model):
    """One line of an incident's timeline (경과): opened, note, status change, resolved."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="entries")
    at = models.DateTimeField()
    kind = models.CharField(max_length=12)
    author = models.CharField(max_length=120)
    text = models.TextField()

    class Meta:
        verbose_name = "장애 경과"
        verbose_name_plural = "장애 경과"
        ordering = ["at", "id"]
