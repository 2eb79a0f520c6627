"""Alert rules over the metrics, and the periodic tick that evaluates them.

``evaluate()`` is a pure read: it returns the findings (what is wrong now). ``tick()``
turns them into commands — ``FireAlert`` for a finding without an open alarm,
``ClearAlert`` for an open alarm whose condition went away — so alarms are audited, the
e-mail goes out through the outbox, and a repeat of the same finding does nothing
(de-duplicated by fingerprint, again inside the handler against races). An alarm stays
open until a person acknowledges it, even after it clears.

One process at a time runs the tick (a lease row); ``minwon ops_tick --loop`` runs it every
``TICK_SECONDS``, and the room's own polling runs it too when it is due.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import socket
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction

from minwon.kernel import clock, execute
from minwon.kernel.errors import DomainError
from minwon.kernel.types import NATION, Actor, Channel
from minwon.ops import health, queries
from minwon.ops.models import Alert, AlertRule, EdgeNode, Lease

log = logging.getLogger(__name__)

SYSTEM = Actor.system("ops")
TICK_SECONDS = float(os.environ.get("MINWON_OPS_TICK_SECONDS", "15"))

#: Rule kinds and what their threshold means.
KINDS: dict[str, str] = {
    "error_rate": "5xx 응답 비율 (0–1)",
    "latency_p95": "응답 시간 95백분위 (초)",
    "outbox_backlog": "전달 지연 중인 이벤트 (건)",
    "dead_letters": "전달 실패 보류 이벤트 (건)",
    "replication_lag": "DB 복제 지연 (초)",
    "edge_continuity": "거점 연속성 모드 지속 (분)",
    "backup_age": "마지막 성공 백업 이후 (시간)",
    "issuance_drop": "지난주 같은 요일·시간 대비 발급 감소율 (0–1)",
}

DEFAULT_RULES: list[dict[str, Any]] = [
    {
        "key": "error-rate",
        "name": "오류율 급증",
        "kind": "error_rate",
        "threshold": 0.05,
        "window_minutes": 5,
        "min_volume": 20,
        "severity": "critical",
    },
    {
        "key": "latency",
        "name": "응답 지연",
        "kind": "latency_p95",
        "threshold": 2.5,
        "window_minutes": 5,
        "min_volume": 20,
        "severity": "major",
    },
    {
        "key": "outbox-backlog",
        "name": "이벤트 전달 지연",
        "kind": "outbox_backlog",
        "threshold": 100,
        "window_minutes": 1,
        "min_volume": 0,
        "severity": "major",
    },
    {
        "key": "dead-letters",
        "name": "이벤트 전달 실패",
        "kind": "dead_letters",
        "threshold": 1,
        "window_minutes": 1,
        "min_volume": 0,
        "severity": "minor",
    },
    {
        "key": "replication-lag",
        "name": "DB 복제 지연",
        "kind": "replication_lag",
        "threshold": 30,
        "window_minutes": 1,
        "min_volume": 0,
        "severity": "critical",
    },
    {
        "key": "edge-continuity",
        "name": "거점 연속성 모드",
        "kind": "edge_continuity",
        "threshold": 0,
        "window_minutes": 1,
        "min_volume": 0,
        "severity": "major",
    },
    {
        "key": "backup-age",
        "name": "백업 누락",
        "kind": "backup_age",
        "threshold": 26,
        "window_minutes": 1,
        "min_volume": 0,
        "severity": "major",
    },
    {
        "key": "issuance-drop",
        "name": "발급 급감 (지난주 대비)",
        "kind": "issuance_drop",
        "threshold": 0.5,
        "window_minutes": 60,
        "min_volume": 30,
        "severity": "critical",
    },
    {
        "key": "staff-lockout",
        "name": "직원 계정 잠김",
        "kind": "staff_lockout",
        "threshold": 1,
        "window_minutes": 15,
        "min_volume": 0,
        "severity": "major",
    },
]


@dataclasses.dataclass(frozen=True)
class Finding:
    """A rule's condition holds now."""

    rule: str
    fingerprint: str
    value: float
    message: str


def _error_rate(rule: AlertRule, now: datetime) -> list[Finding]:
    stats = queries.request_stats(rule.window_minutes, now)
    if stats["requests"] < rule.min_volume or stats["error_rate"] < rule.threshold:
        return []
    return [Finding(rule.key, rule.key, stats["error_rate"],
                    f"최근 {rule.window_minutes}분 오류율 {stats['error_rate'] * 100:.1f}% ({stats['errors']}/{stats['requests']})")]  # fmt: skip


def _latency(rule: AlertRule, now: datetime) -> list[Finding]:
    stats = queries.request_stats(rule.window_minutes, now)
    if stats["requests"] < rule.min_volume or stats["p95_seconds"] < rule.threshold:
        return []
    return [
        Finding(
            rule.key,
            rule.key,
            stats["p95_seconds"],
            f"최근 {rule.window_minutes}분 응답 시간 p95 ≥ {stats['p95_seconds']:g}초",
        )
    ]


def _board_fact(key: str, fact: str) -> Any:
    for component in health.board():
        if component.key == key:
            return component.facts.get(fact)
    return None


def _outbox(rule: AlertRule, now: datetime) -> list[Finding]:
    from minwon.kernel.models import OutboxDelivery

    late = OutboxDelivery.objects.filter(
        state=OutboxDelivery.State.PENDING,
        next_attempt_at__lt=now - timedelta(minutes=rule.window_minutes),
    ).count()
    if late < max(rule.threshold, 1):
        return []
    return [
        Finding(
            rule.key, rule.key, late, f"{rule.window_minutes}분 넘게 전달되지 않은 이벤트 {late}건"
        )
    ]


def _dead(rule: AlertRule, now: datetime) -> list[Finding]:
    from minwon.kernel.models import OutboxDelivery

    dead = OutboxDelivery.objects.filter(state=OutboxDelivery.State.DEAD).count()
    if dead < max(rule.threshold, 1):
        return []
    return [Finding(rule.key, rule.key, dead, f"전달 실패로 보류된 이벤트 {dead}건")]


def _replication(rule: AlertRule, now: datetime) -> list[Finding]:
    lag = _board_fact("replication", "max_lag_seconds")
    if lag is None or lag < rule.threshold:
        return []
    return [Finding(rule.key, rule.key, lag, f"DB 복제 지연 {lag:.0f}초")]


def _edges(rule: AlertRule, now: datetime) -> list[Finding]:
    out = []
    for edge in EdgeNode.objects.exclude(mode=EdgeNode.Mode.ONLINE):
        minutes = (now - edge.mode_since).total_seconds() / 60
        if minutes >= rule.threshold:
            out.append(
                Finding(
                    rule.key,
                    f"{rule.key}:{edge.edge_id}",
                    minutes,
                    f"거점 {edge.edge_id}({edge.office}) {edge.get_mode_display()} {minutes:.0f}분째",
                )
            )
    return out


def _backup(rule: AlertRule, now: datetime) -> list[Finding]:
    from minwon.ops.models import BackupRun

    last = (
        BackupRun.objects.filter(ok=True)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    hours = None if last is None else (now - last).total_seconds() / 3600
    if hours is not None and hours < rule.threshold:
        return []
    text = "성공한 백업 기록 없음" if hours is None else f"마지막 성공 백업 {hours:.1f}시간 전"
    return [Finding(rule.key, rule.key, hours if hours is not None else -1, text)]


def _drop(rule: AlertRule, now: datetime) -> list[Finding]:
    """The 2023 signal: issuances in the last window far below the same window a week ago."""
    window = timedelta(minutes=rule.window_minutes)
    current = queries.total("category", now - window, now, key="issuances")
    baseline = queries.total(
        "category", now - queries.WEEK - window, now - queries.WEEK, key="issuances"
    )
    if baseline < max(rule.min_volume, 1) or current >= baseline * (1 - rule.threshold):
        return []
    drop = 1 - current / baseline
    return [Finding(rule.key, rule.key, round(drop, 3),
                    f"최근 {rule.window_minutes}분 발급 {current}건, 지난주 같은 시간 {baseline}건 (−{drop * 100:.0f}%)")]  # fmt: skip


def _lockouts(rule: AlertRule, now: datetime) -> list[Finding]:
    """Staff accounts locked out from an address right now (django-axes' attempt table):
    raised the moment a lock-out happens (``accounts.lockout``), kept while it lasts."""
    from axes.models import AccessAttempt
    from django.conf import settings

    from minwon.accounts.lockout import fingerprint
    from minwon.accounts.models import User

    since = now - timedelta(hours=float(settings.AXES_COOLOFF_TIME))
    locked = AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
    ).values_list("username", "ip_address", "failures_since_start")
    staff = dict(
        User.objects.filter(
            username__in={u for u, _, _ in locked}, kind=User.Kind.STAFF
        ).values_list("username", "pk")
    )
    return [
        Finding(rule.key, fingerprint(staff[u], ip or ""), float(n),
                f"직원 계정 로그인 잠김: {u} (접속 주소 {ip}, 비밀번호 연속 실패)")
        for u, ip, n in locked if u in staff
    ]  # fmt: skip


EVALUATORS = {
    "staff_lockout": _lockouts,
    "error_rate": _error_rate,
    "latency_p95": _latency,
    "outbox_backlog": _outbox,
    "dead_letters": _dead,
    "replication_lag": _replication,
    "edge_continuity": _edges,
    "backup_age": _backup,
    "issuance_drop": _drop,
}


def evaluate(now: datetime | None = None) -> list[Finding]:
    now = now or clock.now()
    out: list[Finding] = []
    for rule in AlertRule.objects.filter(enabled=True):
        fn = EVALUATORS.get(rule.kind)
        if fn is not None:
            out.extend(fn(rule, now))
    return out


def ensure_rules() -> None:
    """Install the default rules once (through a command, so it is audited)."""
    from minwon.ops.commands.alerts import InstallDefaultAlertRules

    existing = set(AlertRule.objects.values_list("key", flat=True))
    if any(r["key"] not in existing for r in DEFAULT_RULES):
        execute(InstallDefaultAlertRules(actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=NATION))


def apply_findings(findings: list[Finding]) -> dict[str, int]:
    """Fire what is new, clear what went away; repeats of an open alarm change nothing."""
    from minwon.ops.commands.alerts import ClearAlert, FireAlert

    fired = cleared = 0
    open_alerts = {a.fingerprint: a for a in Alert.objects.filter(acknowledged_at__isnull=True)}
    current = {f.fingerprint for f in findings}
    for f in findings:
        seen = open_alerts.get(f.fingerprint)
        if seen is not None and seen.cleared_at is None:
            continue
        try:
            execute(
                FireAlert(
                    actor=SYSTEM,
                    channel=Channel.SYSTEM,
                    jurisdiction=NATION,
                    rule_key=f.rule,
                    fingerprint=f.fingerprint,
                    value=f.value,
                    message=f.message,
                )
            )
            fired += 1
        except (IntegrityError, DomainError):
            log.info("alert %s fired concurrently elsewhere", f.fingerprint)
    for fingerprint, alert in open_alerts.items():
        if fingerprint not in current and alert.cleared_at is None:
            execute(
                ClearAlert(
                    actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=NATION, alert_id=alert.pk
                )
            )
            cleared += 1
    return {"findings": len(findings), "fired": fired, "cleared": cleared}


def acquire_lease(name: str, seconds: float) -> bool:
    """Take the lease ``name`` for ``seconds`` unless another process holds it."""
    now = clock.now()
    holder = f"{socket.gethostname()}:{os.getpid()}"
    until = now + timedelta(seconds=seconds)
    with transaction.atomic():
        Lease.objects.get_or_create(
            name=name, defaults={"holder": "", "expires_at": now - timedelta(seconds=1)}
        )
        taken = Lease.objects.filter(name=name, expires_at__lte=now).update(
            holder=holder, expires_at=until
        )
    return bool(taken)


def tick(*, force: bool = False) -> dict[str, int] | None:
    """One evaluation round: health colours, default rules, alerts, rollup pruning.
    Returns None when another process ran it recently (lease held)."""
    from minwon.ops import rollups

    if not force and not acquire_lease("ops-tick", TICK_SECONDS):
        return None
    rollups.flush()
    health.clear_cache()
    components = health.board(use_cache=False)
    with transaction.atomic():
        health.observe(components)
    ensure_rules()
    result = apply_findings(evaluate())
    if clock.now().minute == 0:
        rollups.prune()
    return result
