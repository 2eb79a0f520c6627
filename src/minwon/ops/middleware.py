"""Request metrics: latency and status per route, for ``/metrics`` and the situation room.

Prometheus gets the per-route counters and histogram; the room's rollups get, per minute,
requests by area (citizen, staff, api …) and status class with their summed latency, a
coarse latency histogram (for the p95 on the wall screen) and API calls by client.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from prometheus_client import Counter, Histogram

from minwon.kernel import clock
from minwon.ops import rollups

REQUESTS = Counter(
    "minwon_http_requests_total",
    "HTTP requests by route, method and status",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "minwon_http_request_seconds",
    "HTTP request latency by route",
    ["route"],
    buckets=(0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
API_CALLS = Counter(
    "minwon_api_calls_total",
    "JSON API calls by client (agency name, staff token, session or anonymous) and status",
    ["client", "status"],
)

AREAS = (
    ("/api/", "api"),
    ("/staff/", "staff"),
    ("/ops/", "ops"),
    ("/kiosk/", "kiosk"),
    ("/admin/", "admin"),
    ("/verify/", "citizen"),
)
SKIPPED = ("/static/", "/metrics", "/healthz", "/readyz", "/favicon.ico")


def area_of(path: str) -> str:
    for prefix, area in AREAS:
        if path.startswith(prefix):
            return area
    return "citizen"


def api_client(request: HttpRequest) -> str:
    """Who called the API: the agency client's name, or the kind of staff/citizen caller."""
    actor = getattr(request, "minwon_actor", None)
    if actor is None:
        user = getattr(request, "user", None)
        return "session" if user is not None and user.is_authenticated else "anonymous"
    kind = str(actor.kind)
    if kind == "agency":
        return f"agency:{actor.name}"[:80]
    return kind


# The labelled children, found once: ``labels()`` validates and locks on every call. Routes
# are the URL map's patterns (a bounded set), so these stay small.
_latency: dict[str, Any] = {}
_requests: dict[tuple[str, str, int], Any] = {}
_api_calls: dict[tuple[str, str], Any] = {}


class RequestMetricsMiddleware:
    """Outermost middleware, so it measures everything below it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        seconds = time.perf_counter() - started
        match = getattr(request, "resolver_match", None)
        route = match.route if match is not None and match.route else "unmatched"
        status = response.status_code
        latency = _latency.get(route)
        if latency is None:
            latency = _latency[route] = LATENCY.labels(route)
        key = (route, request.method or "", status)
        counter = _requests.get(key)
        if counter is None:
            counter = _requests[key] = REQUESTS.labels(route, key[1], str(status))
        latency.observe(seconds)
        counter.inc()
        path = request.path
        if not path.startswith(SKIPPED):
            klass = f"{status // 100}xx"
            area = area_of(path)
            # One reading of the clock for the request's rows: they belong to one minute.
            now = clock.now()
            rollups.record("request", key=area, outcome=klass, total=seconds, at=now)
            rollups.record("latency", key=rollups.latency_bucket(seconds), at=now)
            if area == "api":
                client = api_client(request)
                calls = _api_calls.get((client, klass))
                if calls is None:
                    # Clients are the agencies' names and a few caller kinds: a bounded set.
                    calls = _api_calls[(client, klass)] = API_CALLS.labels(client, klass)
                calls.inc()
                rollups.record("api", key=client, outcome=klass, at=now)
            rollups.maybe_flush()
        return response
