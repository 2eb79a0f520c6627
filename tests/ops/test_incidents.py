"""Incident lifecycle, its timeline, and the public status (대체 창구 안내) reaching the
citizen pages and the public API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.template import engines
from django.test import RequestFactory

from minwon.kernel import execute
from minwon.kernel.errors import Conflict, ValidationFailed
from minwon.kernel.models import OutboxEvent
from minwon.kernel.types import NATION, Channel
from minwon.ops.commands import AddIncidentNote, OpenIncident, ResolveIncident, UpdateIncident
from minwon.ops.models import Incident
from tests.conftest import WONJU, actor_of

GUIDE = "원주시 민원은 시청 1층 종합민원실 창구와 무인민원발급기를 이용해 주세요."


def _cmd(operator: Any, cls: type, **fields: Any) -> Any:
    return execute(
        cls(actor=actor_of(operator), channel=Channel.ONLINE, jurisdiction=NATION, **fields)
    ).value


@pytest.mark.django_db
def test_incident_lifecycle_and_public_status(client: Any, operator: Any) -> None:
    assert client.get("/api/ops/status").json() == {
        "level": "normal",
        "incidents": [],
        "updated_at": None,
    }

    opened = _cmd(operator, OpenIncident, title="정부24 연계 장애", level="degraded",
                  affected_services=["certificates"], affected_offices=[WONJU], note="17:03 발급 실패 급증 확인")  # fmt: skip
    incident_id = opened["incident_id"]
    _cmd(operator, AddIncidentNote, incident_id=incident_id, text="행정안전부 통합관제에 통보")
    _cmd(operator, UpdateIncident, incident_id=incident_id, level="outage", public_status=GUIDE,
         continuity_offices=[WONJU], state="monitoring")  # fmt: skip

    status = client.get("/api/ops/status").json()
    assert status["level"] == "outage"
    assert status["incidents"][0]["public_status"] == GUIDE
    assert status["incidents"][0]["continuity_offices"] == [WONJU]
    fragment = client.get("/ops/public-status").content.decode()
    assert GUIDE in fragment and "is-outage" in fragment
    # Edges hear about it from the outbox.
    assert OutboxEvent.objects.filter(name="PublicStatusChanged").count() == 2

    with pytest.raises(ValidationFailed) as excinfo:
        _cmd(operator, ResolveIncident, incident_id=incident_id, summary=" ")
    assert excinfo.value.field == "summary"
    _cmd(
        operator,
        ResolveIncident,
        incident_id=incident_id,
        summary="연계 서버 인증서 만료, 교체 후 정상화",
    )

    incident = Incident.objects.get(pk=incident_id)
    assert incident.state == "resolved" and incident.resolved_at is not None
    kinds = [e.kind for e in incident.entries.all()]
    assert kinds == ["opened", "note", "note", "update", "resolved"]
    assert client.get("/api/ops/status").json()["incidents"] == []
    assert GUIDE not in client.get("/ops/public-status").content.decode()
    with pytest.raises(Conflict):
        _cmd(operator, AddIncidentNote, incident_id=incident_id, text="late")

    client.force_login(operator)
    detail = client.get(f"/api/ops/incidents/{incident_id}").json()
    assert [e["kind"] for e in detail["entries"]] == kinds
    page = client.get(f"/ops/incidents/{incident_id}/").content.decode()
    assert "연계 서버 인증서 만료" in page


@pytest.mark.django_db
def test_public_status_reaches_a_citizen_page(client: Any, operator: Any) -> None:
    """The slot a citizen page includes in its banner loads the status fragment."""
    _cmd(operator, OpenIncident, title="전산망 장애", level="degraded", public_status=GUIDE)
    page = engines["django"].from_string(
        '{% extends "citizen/base_citizen.html" %}{% block banner %}{% include "ops/public_status_slot.html" %}{% endblock %}'
    )
    request = RequestFactory().get("/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    html = page.render({}, request)
    assert 'hx-get="/ops/public-status"' in html
    assert GUIDE in client.get("/ops/public-status").content.decode()
    # The context-processor way shows the same text.
    from minwon.ops.context import public_status

    included = engines["django"].from_string(
        '{% include "ops/public_status.html" with status=ops_public_status %}'
    )
    assert GUIDE in included.render(public_status(request), request)
    assert public_status(RequestFactory().get("/staff/")) == {}


@pytest.mark.django_db
def test_open_from_the_page_with_bad_input_changes_nothing(client: Any, operator: Any) -> None:
    client.force_login(operator)
    response = client.post(
        "/ops/incidents/", {"title": "장애", "level": "degraded", "affected_offices": "12345"}
    )
    assert response.status_code == 400
    assert "10자리" in response.content.decode()
    assert not Incident.objects.exists()
    response = client.post("/ops/incidents/", {"title": "장애", "level": "degraded", "affected_offices": WONJU,
                                               "public_status": GUIDE, "affected_services": "certificates, petitions"})  # fmt: skip
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert incident.affected_services == ["certificates", "petitions"]
    response = client.post(
        f"/ops/incidents/{incident.pk}/", {"action": "note", "n-text": "조치 중"}
    )
    assert response.status_code == 302
    assert incident.entries.filter(kind="note", text="조치 중").exists()


@pytest.mark.django_db
def test_incident_api_errors_name_the_field(client: Any, operator: Any) -> None:
    client.force_login(operator)
    bad = client.post(
        "/api/ops/incidents",
        json.dumps({"title": "x", "level": "panic"}),
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["field"] == "level"
    missing = client.post(
        "/api/ops/incidents/999/notes", json.dumps({"text": "x"}), content_type="application/json"
    )
    assert missing.status_code == 404
    ok = client.post(
        "/api/ops/incidents",
        json.dumps({"title": "DB 지연", "level": "degraded"}),
        content_type="application/json",
    )
    assert ok.status_code == 200
    patch = client.patch(
        f"/api/ops/incidents/{ok.json()['incident_id']}",
        json.dumps({"public_status": GUIDE}),
        content_type="application/json",
    )
    assert patch.status_code == 200 and patch.json()["changed"] is True
