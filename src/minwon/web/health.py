"""Liveness, readiness and metrics endpoints for load balancers and Prometheus."""

from __future__ import annotations

import json
import os
import time
from typing import Any

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess
from prometheus_client import REGISTRY as DEFAULT_REGISTRY

from minwon.web.policies import can_scrape_metrics

_migrations_ok_at = 0.0


def healthz(request: HttpRequest) -> HttpResponse:
    """The process answers: ``{"status": "ok", "pid": …}``, the bytes made once per
    process (a load balancer asks this many times a second)."""
    pid = os.getpid()
    if _healthz_body[0] != pid:  # first call, or a worker forked after the import
        _healthz_body[:] = [pid, json.dumps({"status": "ok", "pid": pid}).encode()]
    return HttpResponse(_healthz_body[1], content_type="application/json")


_healthz_body: list[Any] = [None, b""]


def _migrations_applied() -> bool:
    global _migrations_ok_at
    if time.monotonic() - _migrations_ok_at < 30:
        return True
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        _migrations_ok_at = time.monotonic()
    return not plan


def readyz(request: HttpRequest) -> JsonResponse:
    """The database answers and every migration is applied."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {type(exc).__name__}"
        return JsonResponse({"status": "unavailable", "checks": checks}, status=503)
    if _migrations_applied():
        checks["migrations"] = "ok"
    else:
        checks["migrations"] = "pending"
        return JsonResponse({"status": "unavailable", "checks": checks}, status=503)
    return JsonResponse({"status": "ok", "checks": checks})


def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text format; adds up all processes when PROMETHEUS_MULTIPROC_DIR is set.
    Only for scrapers ``web.policies.can_scrape_metrics`` admits (401 otherwise)."""
    if not can_scrape_metrics(request):
        refused = HttpResponse("metrics: bearer token or allowed address required\n", status=401)
        refused["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return refused
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry = DEFAULT_REGISTRY
    from minwon.ops.prom import live_registry  # installation-wide gauges, read at scrape time

    body = generate_latest(registry) + generate_latest(live_registry())
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
