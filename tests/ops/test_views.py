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


@pytest.mark.django_db
def test_room_shows_sharing_per_agency_and_purpose_and_the_notice_campaigns(
    client: Any, operator: Any, jurisdictions_loaded: None
) -> None:
    import uuid
    from datetime import datetime

    from minwon.kernel import clock, execute
    from minwon.kernel.types import Channel
    from minwon.notices.campaigns import IssueTaxCampaign
    from minwon.sharing.commands import RecordSharingDenial
    from tests.notices.conftest import PERIOD, resident, vehicle_bills
    from tests.registry.factories import SYSTEM

    # A Tuesday morning in Seoul, half a minute in (the minute's rollup is before "now").
    with clock.frozen_at(datetime(2026, 6, 2, 10, 0, 30, tzinfo=clock.SEOUL)):
        for _ in range(2):
            execute(RecordSharingDenial(
                actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=NATION, requester="ag-x",
                requester_name="국민연금공단", code="purpose_not_allowed", message="목적 불가",
                item="tax_clearance", purpose="납세 여부 확인", reference=uuid.uuid4(),
            ))  # fmt: skip
        people = [resident(email="")[0] for _ in range(3)]
        vehicle_bills(people)
        execute(IssueTaxCampaign(actor=SYSTEM, channel=Channel.ONLINE, jurisdiction=WONJU,
                                 period=PERIOD))  # fmt: skip
        client.force_login(operator)
        html = client.get("/ops/live/summary").content.decode()
    sharing = html.split('data-testid="room-sharing"')[1].split("</table>")[0]
    assert "국민연금공단" in sharing and "납세 여부 확인" in sharing
    assert '<td class="num ops-down">2</td>' in sharing and "평균 처리" in sharing
    campaigns = html.split('data-testid="room-notice-campaigns"')[1].split("</table>")[0]
    assert "자동차세" in campaigns and '<td class="num">3</td>' in campaigns
