"""Alerts: an error burst fires one alarm that stays until acknowledged by name with a
note, is not duplicated, is e-mailed once through the outbox; the drop-against-last-week
rule fires on replayed history; thresholds are for administrators."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.http import HttpResponse
from django.test import RequestFactory

from minwon.kernel import clock, execute, outbox
from minwon.kernel.errors import Forbidden
from minwon.kernel.types import NATION, Actor, Channel
from minwon.ops import alerts, rollups
from minwon.ops.commands import FireAlert, SetAlertRule
from minwon.ops.middleware import RequestMetricsMiddleware
from minwon.ops.models import Alert, MetricMinute
from tests.conftest import actor_of
from tests.ops.conftest import issue

T = datetime(2026, 3, 16, 11, 0, 30, tzinfo=clock.SEOUL)
SYSTEM = Actor.system("test")


def burst(*, ok: int, failed: int) -> None:
    """Requests through the real middleware: ``failed`` of them answer 500."""
    factory = RequestFactory()
    for status in [200] * ok + [500] * failed:
        middleware = RequestMetricsMiddleware(
            lambda request, status=status: HttpResponse(status=status)
        )
        middleware(factory.get("/api/petitions"))
    rollups.flush()


def error_alerts() -> list[Alert]:
    return list(Alert.objects.filter(rule_id="error-rate"))


@pytest.mark.django_db
def test_error_burst_fires_once_stays_until_acknowledged(
    client: Any, operator: Any, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with clock.frozen_at(T):
        alerts.ensure_rules()
        execute(SetAlertRule(actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=NATION, key="error-rate",
                             threshold=0.05, window_minutes=5, min_volume=20, severity="critical", email_to="duty@ops.example.kr"))  # fmt: skip
        burst(ok=5, failed=1)
        alerts.tick(force=True)
        assert error_alerts() == []  # below the minimum volume: no alarm for 6 requests

        burst(ok=30, failed=10)
        alerts.tick(force=True)
        alerts.tick(force=True)
        assert len(error_alerts()) == 1
        alert = error_alerts()[0]
        assert alert.severity == "critical" and "오류율" in alert.message
        # A repeat through the handler (another process racing) only counts the occurrence.
        again = execute(FireAlert(actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=NATION,
                                  rule_key="error-rate", fingerprint="error-rate", value=0.3, message="again"))  # fmt: skip
        assert again.value == {"alert_id": alert.pk, "deduplicated": True}
        assert len(error_alerts()) == 1

    outbox.deliver_batch()
    outbox.deliver_batch()
    sent = [m for m in mail.outbox if "오류율" in m.subject]
    assert len(sent) == 1 and sent[0].to == ["duty@ops.example.kr"]

    # The burst ends: the condition clears, but the alarm stays on the wall.
    with clock.frozen_at(T + timedelta(minutes=20)):
        burst(ok=30, failed=0)
        alerts.tick(force=True)
        alert.refresh_from_db()
        assert alert.cleared_at is not None and alert.acknowledged_at is None
        client.force_login(operator)
        room = client.get("/ops/live/alerts")
        assert f'data-alert="{alert.pk}"' in room.content.decode()

        # Acknowledging needs a name and a note.
        url = f"/api/ops/alerts/{alert.pk}/acknowledge"
        bad = client.post(
            url, json.dumps({"name": "김당직", "note": "  "}), content_type="application/json"
        )
        assert bad.status_code == 400 and bad.json()["field"] == "note"
        ok = client.post(
            url,
            json.dumps({"name": "김당직", "note": "WAS 1호기 재시작"}),
            content_type="application/json",
        )
        assert ok.status_code == 200, ok.content
        alert.refresh_from_db()
        assert alert.acknowledged_by.startswith("김당직") and alert.ack_note == "WAS 1호기 재시작"
        assert f'data-alert="{alert.pk}"' not in client.get("/ops/live/alerts").content.decode()
        twice = client.post(
            url, json.dumps({"name": "박당직", "note": "x"}), content_type="application/json"
        )
        assert twice.status_code == 409

    # A new burst after acknowledgement is a new alarm.
    with clock.frozen_at(T + timedelta(minutes=40)):
        burst(ok=20, failed=20)
        alerts.tick(force=True)
        assert len(error_alerts()) == 2


@pytest.mark.django_db
def test_acknowledge_from_the_room_form(client: Any, operator: Any) -> None:
    with clock.frozen_at(T):
        alerts.ensure_rules()
        burst(ok=10, failed=20)
        alerts.tick(force=True)
    alert = error_alerts()[0]
    client.force_login(operator)
    response = client.post(
        f"/ops/alerts/{alert.pk}/acknowledge", {"name": "", "note": "x"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert "확인자 이름" in response.content.decode()
    response = client.post(
        f"/ops/alerts/{alert.pk}/acknowledge",
        {"name": "이당직", "note": "확인"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    alert.refresh_from_db()
    assert alert.acknowledged_at is not None


def _replay_history(last_week: int, this_hour: int) -> None:
    """Issuances a week ago and this hour, then rollups rebuilt from the command table —
    history replayed, not counted live."""
    week_ago = T - timedelta(days=7)
    for i in range(last_week):
        issue(
            at=week_ago - timedelta(minutes=50) + timedelta(seconds=60 * i)
        )  # up to 50 a minute apart
    for i in range(this_hour):
        issue(at=T - timedelta(minutes=30) + timedelta(seconds=i))
    rollups.discard_pending()
    MetricMinute.objects.all().delete()
    rollups.replay_commands(T - timedelta(days=8), T)


@pytest.mark.django_db
def test_drop_against_same_weekday_last_week_fires_on_replayed_data(
    jurisdictions_loaded: None,
) -> None:
    _replay_history(last_week=40, this_hour=5)
    with clock.frozen_at(T):
        alerts.ensure_rules()
        alerts.tick(force=True)
    drop = Alert.objects.get(rule_id="issuance-drop")
    assert drop.value == pytest.approx(1 - 5 / 40, abs=0.01)
    assert "지난주" in drop.message


@pytest.mark.django_db
def test_no_drop_alarm_when_issuances_hold_up(jurisdictions_loaded: None) -> None:
    _replay_history(last_week=40, this_hour=35)
    with clock.frozen_at(T):
        alerts.ensure_rules()
        alerts.tick(force=True)
    assert not Alert.objects.filter(rule_id="issuance-drop").exists()


@pytest.mark.django_db
def test_only_administrators_change_thresholds(operator: Any, make_staff: Any) -> None:
    alerts.ensure_rules()
    command = dict(
        channel=Channel.ONLINE, jurisdiction=NATION, key="latency", threshold=1.0, window_minutes=5
    )
    with pytest.raises(Forbidden):
        execute(SetAlertRule(actor=actor_of(operator), **command))  # type: ignore[arg-type]
    admin = make_staff("sysadmin", NATION)
    execute(SetAlertRule(actor=actor_of(admin), **command))  # type: ignore[arg-type]
    from minwon.ops.models import AlertRule

    assert AlertRule.objects.get(pk="latency").threshold == 1.0
