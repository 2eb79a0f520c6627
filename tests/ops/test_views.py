"""Who sees the room, the health API, edge and backup reports, and /metrics."""

from __future__ import annotations

import json
from typing import Any

import pytest

from minwon.kernel.types import NATION
from minwon.ops.models import EdgeNode
from tests.conftest import WONJU
from tests.ops.conftest import issue

PAGES = ["/ops/", "/ops/live/summary", "/ops/live/health", "/ops/live/alerts", "/ops/live/series.json",
         "/ops/incidents/", "/ops/services/", "/ops/rules/"]  # fmt: skip


@pytest.mark.django_db
def test_only_operators_and_sysadmins_see_the_room(
    client: Any, make_staff: Any, make_citizen: Any
) -> None:
    for page in PAGES:
        response = client.get(page)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], page
    for user in (
        make_staff("counter_clerk", WONJU),
        make_staff("auditor", WONJU),
        make_staff("department_head", WONJU),
        make_citizen(),
    ):
        client.force_login(user)
        for page in PAGES:
            assert client.get(page).status_code == 403, (user.username, page)
        assert client.get("/api/ops/health").status_code == 403
        assert client.get("/api/ops/incidents").status_code == 403
    for role in ("operator", "sysadmin"):
        client.force_login(make_staff(role, NATION))
        for page in PAGES:
            assert client.get(page).status_code == 200, (role, page)
        body = client.get("/api/ops/health").json()
        assert {c["key"] for c in body["components"]} >= {"app", "worker", "database", "backup"}


@pytest.mark.django_db
def test_room_shows_todays_counts(client: Any, operator: Any) -> None:
    issue()
    issue()
    client.force_login(operator)
    html = client.get("/ops/live/summary").content.decode()
    assert 'data-testid="today-issuances">2<' in html
    summary = client.get("/api/ops/summary").json()
    assert {r["key"]: r["today"] for r in summary["today"]}["issuances"] == 2
    series = client.get("/ops/live/series.json").json()
    assert sum(series["issuances"]) == 2


@pytest.mark.django_db
def test_edge_reports_and_backups(client: Any, operator: Any) -> None:
    client.force_login(operator)
    report = {
        "edge_id": "wonju-city-hall",
        "office": WONJU,
        "mode": "continuity",
        "journal_length": 12,
    }
    response = client.post(
        "/api/ops/edges/status", json.dumps(report), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["mode_changed"] is True
    again = client.post(
        "/api/ops/edges/status",
        json.dumps({**report, "journal_length": 3}),
        content_type="application/json",
    )
    assert again.json()["mode_changed"] is False
    edge = EdgeNode.objects.get()
    assert edge.journal_length == 3 and edge.mode == "continuity"
    bad = client.post(
        "/api/ops/edges/status",
        json.dumps({**report, "mode": "asleep"}),
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["field"] == "mode"
    bad = client.post(
        "/api/ops/edges/status",
        json.dumps({**report, "edge_id": "원주 청사"}),
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["field"] == "edge_id"

    health = {c["key"]: c for c in client.get("/api/ops/health").json()["components"]}
    assert health["edge:wonju-city-hall"]["status"] == "amber"
    assert health["backup"]["status"] == "red"
    backup = {
        "repository": "repo1",
        "kind": "full",
        "ok": True,
        "finished_at": "2020-01-01T03:00:00+09:00",
    }
    assert (
        client.post(
            "/api/ops/backups", json.dumps(backup), content_type="application/json"
        ).status_code
        == 200
    )
    future = {**backup, "finished_at": "2999-01-01T00:00:00+09:00"}
    bad = client.post("/api/ops/backups", json.dumps(future), content_type="application/json")
    assert bad.status_code == 400 and bad.json()["field"] == "finished_at"


@pytest.mark.django_db
def test_clerks_cannot_report_edges(client: Any, make_staff: Any) -> None:
    client.force_login(make_staff("counter_clerk", WONJU))
    report = {"edge_id": "wonju", "office": WONJU, "mode": "online"}
    response = client.post(
        "/api/ops/edges/status", json.dumps(report), content_type="application/json"
    )
    assert response.status_code == 403
    assert not EdgeNode.objects.exists()


@pytest.mark.django_db
def test_metrics_endpoint_has_room_gauges_and_counters(client: Any) -> None:
    issue()
    text = client.get("/metrics").content.decode()
    assert "minwon_outbox_backlog" in text
    assert "minwon_component_status" in text
    assert 'minwon_room_events_total{category="issuances"' in text
