"""The health board (상태판): every component with green/amber/red and since when.

Components: app processes (heartbeat rows), the outbox worker (backlog, dead letters, last
delivery), the database (role; replication from ``pg_stat_replication`` on PostgreSQL),
the Patroni cluster and its etcd (when ``MINWON_PATRONI_URLS`` lists Patroni REST URLs),
each edge node (``ReportEdgeStatus``) and the backup repository (``RecordBackup``).

Checks are cheap reads, cached for a few seconds per process because the room polls.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
import urllib.request
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Max, Min

from minwon.kernel import clock
from minwon.kernel.models import OutboxDelivery
from minwon.ops.models import BackupRun, ComponentState, EdgeNode, ProcessHeartbeat

GREEN, AMBER, RED = "green", "amber", "red"
#: 확인 중: nothing observed yet since start — neither healthy nor failed (it settles).
UNKNOWN = "unknown"
RANK = {GREEN: 0, UNKNOWN: 1, AMBER: 2, RED: 3}
PROCESS_ALIVE = timedelta(minutes=5)
EDGE_STALE = timedelta(minutes=15)
BACKUP_MAX_AGE = timedelta(hours=float(os.environ.get("MINWON_BACKUP_MAX_AGE_HOURS", "26")))
CACHE_SECONDS = 3.0


@dataclasses.dataclass
class Component:
    """One line of the board."""

    key: str
    label: str
    status: str
    detail: str
    since: datetime | None = None
    facts: dict[str, Any] = dataclasses.field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "status": self.status,
            "detail": self.detail,
            "since": self.since.isoformat() if self.since else None,
            "facts": self.facts,
        }


def _replaced(row: ProcessHeartbeat, alive: list[ProcessHeartbeat]) -> bool:
    """A silent process whose host has since started a process that is alive was
    restarted (a deploy, ``make run`` again, a worker recycled), not hung."""
    return any(a.host == row.host and a.started_at >= row.seen_at for a in alive)


def app_processes(now: datetime, *, observer_started: datetime | None = None) -> Component:
    """App server processes from their heartbeats. Until one has reported since the
    observing process started (and for at most ``PROCESS_ALIVE``), the state is 확인 중,
    not "no process": at start the workers have simply not flushed yet."""
    from minwon.ops import rollups

    rows = list(ProcessHeartbeat.objects.filter(role="web", seen_at__gte=now - timedelta(hours=1)))
    alive = [r for r in rows if r.seen_at >= now - PROCESS_ALIVE]
    stale = [r for r in rows if r.seen_at < now - PROCESS_ALIVE and not _replaced(r, alive)]
    started = observer_started or rollups.started_at()
    facts = {"alive": [r.process for r in alive], "stale": [r.process for r in stale]}
    if not alive and now - started < PROCESS_ALIVE:
        return Component(
            "app", "앱 서버 프로세스", UNKNOWN, "확인 중: 프로세스의 첫 생존 신호를 기다립니다",
            facts=facts,
        )  # fmt: skip
    status = GREEN if alive and not stale else AMBER if alive else RED
    detail = f"동작 {len(alive)}개" + (f", 응답 없음 {len(stale)}개" if stale else "")
    return Component(
        "app",
        "앱 서버 프로세스",
        status,
        detail,
        facts=facts,
    )


def worker(now: datetime) -> Component:
    pending = OutboxDelivery.objects.filter(state=OutboxDelivery.State.PENDING)
    overdue = pending.filter(next_attempt_at__lt=now - timedelta(minutes=2))
    dead = OutboxDelivery.objects.filter(state=OutboxDelivery.State.DEAD).count()
    oldest = overdue.aggregate(v=Min("next_attempt_at"))["v"]
    last = OutboxDelivery.objects.aggregate(v=Max("delivered_at"))["v"]
    backlog = pending.count()
    if oldest is not None and now - oldest > timedelta(minutes=10):
        status = RED
    elif dead or oldest is not None:
        status = AMBER
    else:
        status = GREEN
    detail = f"대기 {backlog}건, 실패 보류 {dead}건"
    if last is not None:
        detail += f", 마지막 전달 {clock.local(last):%H:%M:%S}"
    return Component(
        "worker",
        "이벤트 전달(worker)",
        status,
        detail,
        facts={
            "backlog": backlog,
            "dead": dead,
            "last_delivery": last.isoformat() if last else None,
        },
    )


def database() -> list[Component]:
    """The database, and on PostgreSQL its replication as the primary sees it."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return [
            Component(
                "database",
                "데이터베이스",
                GREEN,
                "내장 SQLite (복제 없음)",
                facts={
                    "vendor": connection.vendor,
                    "role": "embedded",
                    "standbys": [],
                    "synchronous": False,
                },
            )
        ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), current_setting('synchronous_standby_names')")
        in_recovery, sync_names = cursor.fetchone()
        standbys: list[dict[str, Any]] = []
        if not in_recovery:
            cursor.execute(
                "SELECT application_name, state, sync_state,"
                " COALESCE(EXTRACT(EPOCH FROM replay_lag), 0)"
                " FROM pg_stat_replication ORDER BY application_name"
            )
            standbys = [
                {"name": r[0], "state": r[1], "sync_state": r[2], "lag_seconds": float(r[3])}
                for r in cursor.fetchall()
            ]
    role = "replica" if in_recovery else "primary"
    db = Component(
        "database",
        "데이터베이스",
        GREEN,
        f"PostgreSQL {role}",
        facts={
            "vendor": "postgresql",
            "role": role,
            "standbys": standbys,
            "synchronous": any(s["sync_state"] in ("sync", "quorum") for s in standbys),
            "synchronous_standby_names": sync_names,
        },
    )
    if in_recovery:
        return [db]
    streaming = [s for s in standbys if s["state"] == "streaming"]
    lag = max((s["lag_seconds"] for s in standbys), default=0.0)
    if not standbys:
        rep = Component("replication", "DB 복제", AMBER, "대기 서버 없음")
    elif not db.facts["synchronous"] or len(streaming) < len(standbys):
        rep = Component(
            "replication", "DB 복제", AMBER, f"대기 서버 {len(standbys)}대, 동기 복제 아님"
        )
    else:
        rep = Component(
            "replication", "DB 복제", GREEN, f"동기 복제 {len(streaming)}대, 지연 {lag:.1f}초"
        )
    rep.facts = {"standbys": standbys, "max_lag_seconds": lag}
    return [db, rep]


def _get_json(url: str, timeout: float = 1.0) -> Any:
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - operator-configured URL
        return json.loads(response.read().decode())


def cluster(urls: list[str], now: datetime) -> list[Component]:
    """Patroni's view of the cluster (``/cluster``) and of its DCS (``/patroni``)."""
    members: list[dict[str, Any]] = []
    dcs_seen: float | None = None
    errors = []
    for url in urls:
        base = url.rstrip("/")
        try:
            if not members:
                members = list(_get_json(f"{base}/cluster").get("members", []))
            info = _get_json(f"{base}/patroni")
            if info.get("dcs_last_seen"):
                dcs_seen = max(dcs_seen or 0.0, float(info["dcs_last_seen"]))
        except (OSError, ValueError) as exc:
            errors.append(f"{base}: {type(exc).__name__}")
    leader = [m for m in members if m.get("role") == "leader"]
    unhealthy = [m for m in members if m.get("state") not in ("running", "streaming")]
    if not members:
        status, detail = RED, "Patroni 응답 없음"
    elif not leader:
        status, detail = RED, "리더 없음"
    elif unhealthy or errors:
        status, detail = AMBER, f"구성원 {len(members)}, 이상 {len(unhealthy)}"
    else:
        status, detail = GREEN, f"리더 {leader[0].get('name')}, 구성원 {len(members)}"
    out = [
        Component(
            "cluster",
            "Patroni 클러스터",
            status,
            detail,
            facts={"members": members, "errors": errors},
        )
    ]
    # Patroni stamps dcs_last_seen with its host's wall clock, not the project's clock.
    age = clock.wall().timestamp() - dcs_seen if dcs_seen else None
    etcd_status = RED if age is None or age > 60 else AMBER if age > 20 else GREEN
    etcd_detail = "DCS 응답 없음" if age is None else f"마지막 응답 {age:.0f}초 전"
    out.append(
        Component("etcd", "etcd (DCS)", etcd_status, etcd_detail, facts={"age_seconds": age})
    )
    return out


def edges(now: datetime) -> list[Component]:
    out = []
    for edge in EdgeNode.objects.all():
        stale = now - edge.reported_at > EDGE_STALE
        if edge.mode == EdgeNode.Mode.OFFLINE or stale:
            status = RED
        elif edge.mode == EdgeNode.Mode.CONTINUITY or edge.journal_length > 0:
            status = AMBER
        else:
            status = GREEN
        detail = f"{edge.get_mode_display()}, 미전송 {edge.journal_length}건"
        if stale:
            detail += f", 보고 없음(마지막 {clock.local(edge.reported_at):%m-%d %H:%M})"
        out.append(
            Component(
                f"edge:{edge.edge_id}",
                f"거점 {edge.edge_id}",
                status,
                detail,
                since=edge.mode_since,
                facts={
                    "office": edge.office,
                    "mode": edge.mode,
                    "journal_length": edge.journal_length,
                },
            )
        )
    return out


def backup(now: datetime) -> Component:
    last_ok = BackupRun.objects.filter(ok=True).order_by("-finished_at").first()
    last_any = BackupRun.objects.order_by("-finished_at").first()
    if last_ok is None:
        return Component(
            "backup", "백업 저장소", RED, "성공한 백업 기록 없음", facts={"last_ok": None}
        )
    age = now - last_ok.finished_at
    status = GREEN if age <= BACKUP_MAX_AGE else AMBER if age <= 2 * BACKUP_MAX_AGE else RED
    detail = f"마지막 성공 {clock.local(last_ok.finished_at):%m-%d %H:%M} ({last_ok.kind}, {last_ok.repository})"
    if last_any is not None and not last_any.ok:
        status = max(status, AMBER, key=RANK.__getitem__)
        detail += f"; 최근 실패 {clock.local(last_any.finished_at):%m-%d %H:%M}"
    return Component(
        "backup",
        "백업 저장소",
        status,
        detail,
        facts={"last_ok": last_ok.finished_at.isoformat(), "age_hours": age.total_seconds() / 3600},
    )


def patroni_urls() -> list[str]:
    return [u.strip() for u in os.environ.get("MINWON_PATRONI_URLS", "").split(",") if u.strip()]


_cache: tuple[float, list[Component]] | None = None


def board(*, use_cache: bool = True) -> list[Component]:
    """Every component, with the "since" the room last saw its colour change."""
    global _cache
    if use_cache and _cache is not None and time.monotonic() - _cache[0] < CACHE_SECONDS:
        return _cache[1]
    now = clock.now()
    components = [app_processes(now), worker(now), *database()]
    urls = patroni_urls()
    if urls:
        components.extend(cluster(urls, now))
    components.extend(edges(now))
    components.append(backup(now))
    states = {s.component: s for s in ComponentState.objects.all()}
    for c in components:
        seen = states.get(c.key)
        if c.since is None:
            c.since = seen.since if seen is not None and seen.status == c.status else None
    _cache = (time.monotonic(), components)
    return components


def observe(components: list[Component]) -> None:
    """Remember when each component changed colour (telemetry; see ``ops.models``)."""
    now = clock.now()
    states = {s.component: s for s in ComponentState.objects.all()}
    for c in components:
        seen = states.get(c.key)
        if seen is None or seen.status != c.status:
            ComponentState.objects.update_or_create(
                component=c.key,
                defaults={
                    "status": c.status,
                    "since": now,
                    "checked_at": now,
                    "detail": c.detail[:300],
                },
            )
            if not c.key.startswith("edge:"):
                c.since = now
        else:
            ComponentState.objects.filter(pk=c.key).update(checked_at=now, detail=c.detail[:300])


def worst(components: list[Component]) -> str:
    return max((c.status for c in components), key=RANK.__getitem__, default=GREEN)


def clear_cache() -> None:
    global _cache
    _cache = None
