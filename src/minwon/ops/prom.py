"""Gauges read from the database at scrape time, for ``/metrics``.

Counters (commands, requests, room categories) live in each process and add up through
prometheus_client's multiprocess mode. State that belongs to the whole installation — the
outbox backlog, edges, replication, backups, open alarms — is read once per scrape here,
so every process reports the same value and nothing is double counted.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count
from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from minwon.ops import health, queries
from minwon.ops.models import Alert, BackupRun, EdgeNode, Incident

STATUS_VALUE = {health.UNKNOWN: -1, health.GREEN: 0, health.AMBER: 1, health.RED: 2}


class OpsCollector(Collector):
    """Installation-wide gauges (see module docstring)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        components = health.board()
        status = GaugeMetricFamily(
            "minwon_component_status",
            "Health board colour: -1 not yet observed (확인 중), 0 green, 1 amber, 2 red",
            labels=["component"],
        )
        for c in components:
            status.add_metric([c.key], STATUS_VALUE[c.status])
        yield status
        facts = {c.key: c.facts for c in components}
        worker = facts.get("worker", {})
        yield GaugeMetricFamily(
            "minwon_outbox_backlog", "Outbox deliveries pending", value=worker.get("backlog", 0)
        )
        yield GaugeMetricFamily(
            "minwon_outbox_dead", "Outbox deliveries parked as dead", value=worker.get("dead", 0)
        )
        db = facts.get("database", {})
        yield GaugeMetricFamily(
            "minwon_db_primary",
            "1 when the app's database connection is a primary",
            value=int(db.get("role") != "replica"),
        )
        lag = GaugeMetricFamily(
            "minwon_replication_lag_seconds",
            "Replay lag per standby",
            labels=["standby", "sync_state"],
        )
        for s in db.get("standbys", []):
            lag.add_metric([s["name"], s["sync_state"]], s["lag_seconds"])
        yield lag
        cluster = GaugeMetricFamily(
            "minwon_cluster_member_running", "Patroni members", labels=["member", "role"]
        )
        for m in facts.get("cluster", {}).get("members", []):
            cluster.add_metric(
                [str(m.get("name")), str(m.get("role"))],
                int(m.get("state") in ("running", "streaming")),
            )
        yield cluster
        edge_mode = GaugeMetricFamily(
            "minwon_edge_mode",
            "Edge mode (1 for the current one)",
            labels=["edge", "office", "mode"],
        )
        journal = GaugeMetricFamily(
            "minwon_edge_journal_length", "Edge journal entries not yet applied", labels=["edge"]
        )
        for e in EdgeNode.objects.all():
            edge_mode.add_metric([e.edge_id, e.office, e.mode], 1)
            journal.add_metric([e.edge_id], e.journal_length)
        yield edge_mode
        yield journal
        last = (
            BackupRun.objects.filter(ok=True)
            .order_by("-finished_at")
            .values_list("finished_at", flat=True)
            .first()
        )
        yield GaugeMetricFamily(
            "minwon_backup_last_success_timestamp",
            "Unix time of the last good backup",
            value=last.timestamp() if last else 0,
        )
        alerts = GaugeMetricFamily(
            "minwon_alerts_open", "Alarms not yet acknowledged", labels=["severity"]
        )
        for row in (
            Alert.objects.filter(acknowledged_at__isnull=True)
            .values("severity")
            .annotate(n=Count("id"))
        ):
            alerts.add_metric([row["severity"]], row["n"])
        yield alerts
        yield GaugeMetricFamily(
            "minwon_incidents_open",
            "Incidents not resolved",
            value=Incident.objects.exclude(state=Incident.State.RESOLVED).count(),
        )
        yield GaugeMetricFamily(
            "minwon_staff_sessions",
            "Staff who logged in within one session length",
            value=queries.staff_sessions(),
        )


def live_registry() -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(OpsCollector())
    return registry
