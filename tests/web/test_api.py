"""The API shell: schema, token log-in, JSON errors, Idempotency-Key, health endpoints."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client
from ninja import Schema

from minwon.kernel.models import CommandRecord, DeclaredHoliday
from minwon.kernel.types import NATION
from tests.conftest import PASSWORD, WONJU

pytestmark = pytest.mark.django_db


def token_for(client: Client, username: str) -> str:
    response = client.post(
        "/api/auth/token",
        json.dumps({"username": username, "password": PASSWORD}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return str(response.json()["token"])


def test_openapi_schema_loads() -> None:
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/auth/token" in schema["paths"]
    assert Client().get("/api/docs").status_code == 200


def test_token_log_in_and_bearer_use(make_staff) -> None:  # type: ignore[no-untyped-def]
    user = make_staff("sysadmin", "0000000000")
    client = Client()
    token = token_for(client, user.username)
    me = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["actor"] == f"staff:{user.pk}"
    assert client.get("/api/me", headers={"Authorization": "Bearer nonsense"}).status_code == 401


def test_wrong_password_is_json_401_with_korean_and_english(make_staff) -> None:  # type: ignore[no-untyped-def]
    user = make_staff("counter_clerk", WONJU)
    response = Client().post(
        "/api/auth/token",
        json.dumps({"username": user.username, "password": "nope"}),
        content_type="application/json",
    )
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "bad_credentials"
    assert "비밀번호" in body["message"] and "password" in body["message_en"]
    assert body["field"] == "password"


def test_malformed_body_is_400_naming_the_field() -> None:
    response = Client().post(
        "/api/auth/token", json.dumps({"username": "x"}), content_type="application/json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_failed"
    assert body["field"] == "password"
    assert "입력값" in body["message"]


def test_idempotency_key_replays_and_refuses_other_content(make_staff) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    headers = {
        "Authorization": f"Bearer {token_for(client, make_staff('sysadmin', '0000000000').username)}"
    }
    body = {"date": "2026-12-24", "name": "임시공휴일"}

    def post(payload: dict[str, object], key: str) -> object:
        return client.post(
            "/api/holidays", json.dumps(payload), content_type="application/json",
            headers={**headers, "Idempotency-Key": key},
        )  # fmt: skip

    first = post(body, "k-1")
    again = post(body, "k-1")
    assert first.status_code == again.status_code == 200  # type: ignore[attr-defined]
    assert DeclaredHoliday.objects.count() == 1
    assert CommandRecord.objects.filter(name="DeclareHoliday").count() == 1
    clash = post({**body, "name": "다른 이름"}, "k-1")
    assert clash.status_code == 409  # type: ignore[attr-defined]
    assert clash.json()["code"] == "idempotency_key_reused"  # type: ignore[attr-defined]
    assert DeclaredHoliday.objects.get().name == "임시공휴일"


def test_forbidden_is_json_403(make_staff) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    token = token_for(client, make_staff("counter_clerk", WONJU).username)
    response = client.post(
        "/api/holidays", json.dumps({"date": "2026-12-24", "name": "x"}), content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )  # fmt: skip
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert DeclaredHoliday.objects.count() == 0


def test_agency_key(jurisdictions_loaded: None) -> None:
    import secrets

    from minwon.accounts.commands import RegisterAgencyClient
    from minwon.kernel import execute
    from minwon.kernel.types import Actor, Channel
    from minwon.web.api import key_hash

    key = "agx1." + secrets.token_urlsafe(24)
    execute(
        RegisterAgencyClient(
            actor=Actor.system("t"), channel=Channel.SYSTEM, jurisdiction=WONJU,
            name="국민연금공단", prefix="agx1", key_hash=key_hash(key), permissions=["sharing.read"],
        )
    )  # fmt: skip
    me = Client().get("/api/me", headers={"X-Api-Key": key})
    assert me.status_code == 200
    assert me.json()["kind"] == "agency"
    assert Client().get("/api/me", headers={"X-Api-Key": "agx1.wrong"}).status_code == 401


def test_jurisdiction_endpoints(jurisdictions_loaded: None) -> None:
    client = Client()
    assert (
        client.get("/api/jurisdictions/5113000000").json()["full_name"] == "강원특별자치도 원주시"
    )
    retired = client.get("/api/jurisdictions/4213000000").json()
    assert retired["successor"] == "5113000000"
    missing = client.get("/api/jurisdictions/1234567890")
    assert missing.status_code == 400 and missing.json()["field"] == "code"
    dongs = client.get(
        "/api/jurisdictions", {"parent": "4415000000", "level": "eupmyeondong"}
    ).json()
    assert len(dongs) >= 10
    assert client.get("/api/calendar/2026-09-25").json() == {
        "date": "2026-09-25",
        "name": "추석",
        "working_day": False,
    }


def test_health_endpoints() -> None:
    client = Client()
    assert client.get("/healthz").json()["status"] == "ok"
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"]["migrations"] == "ok"
    metrics = client.get("/metrics")
    assert metrics.status_code == 200
    assert b"minwon_http_requests_total" in metrics.content


def test_security_headers() -> None:
    response = Client().get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_locked_out_api_log_in_is_json_429(make_staff) -> None:  # type: ignore[no-untyped-def]
    user = make_staff("counter_clerk", WONJU)
    client = Client()
    for _ in range(6):
        response = client.post(
            "/api/auth/token",
            json.dumps({"username": user.username, "password": "wrong"}),
            content_type="application/json",
        )
    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"
    good = client.post(
        "/api/auth/token",
        json.dumps({"username": user.username, "password": PASSWORD}),
        content_type="application/json",
    )
    assert good.status_code == 429


def test_huge_numbers_are_400_not_500(make_staff) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    token = token_for(client, make_staff("officer", WONJU).username)
    huge = 2**70
    response = client.get(
        "/api/vehicles",
        {"owner_id": huge, "purpose": "확인"},
        headers={"Authorization": f"Bearer {token}"},
    )
    # SQLite cannot bind it (400 out_of_range); PostgreSQL compares it and finds nothing (200).
    assert response.status_code in (200, 400), response.content
    if response.status_code == 400:
        assert response.json()["code"] == "out_of_range"
    else:
        assert response.json() == []
    client.force_login(make_staff("officer", WONJU))
    page = client.get(f"/inbox/{huge}/")
    assert page.status_code in (302, 400, 404)


def test_a_date_time_without_offset_is_400_naming_the_field(make_staff) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    token = token_for(client, make_staff("sysadmin", NATION).username)
    body = {"repository": "main", "kind": "full", "ok": True}

    def post(finished_at: str) -> Any:
        return client.post(
            "/api/ops/backups", {**body, "finished_at": finished_at},
            content_type="application/json", headers={"Authorization": f"Bearer {token}"},
        )  # fmt: skip

    naive = post("2026-01-01T00:00:00")
    assert naive.status_code == 400, naive.content
    assert naive.json()["code"] == "naive_datetime" and naive.json()["field"] == "finished_at"
    assert "시간대" in naive.json()["message"] and "UTC offset" in naive.json()["message_en"]
    assert post("2026-01-01T00:00:00+09:00").status_code == 200
    assert post("2026-01-01T00:00:00Z").status_code == 200


class Entry(Schema):
    occurred_at: datetime


class Batch(Schema):
    entries: list[Entry]


def test_the_refusal_reaches_date_times_nested_in_any_operation_input() -> None:
    from minwon.kernel.errors import ValidationFailed
    from minwon.web.api import refuse_naive_times

    def replay(request: Any, payload: Batch) -> str:
        return "ran"

    def plain(request: Any, name: str) -> str:
        return name

    assert refuse_naive_times(plain) is plain  # nothing to check, nothing wrapped
    checked = refuse_naive_times(replay)
    aware = Entry(occurred_at=datetime(2026, 1, 1, tzinfo=UTC))
    assert checked(None, payload=Batch(entries=[aware])) == "ran"
    naive = Entry(occurred_at=datetime(2026, 1, 1))
    with pytest.raises(ValidationFailed) as refused:
        checked(None, payload=Batch(entries=[aware, naive]))
    assert refused.value.field == "entries.1.occurred_at"


def test_metrics_only_for_an_allowed_address_or_the_bearer_token(settings) -> None:  # type: ignore[no-untyped-def]
    settings.MINWON_METRICS_TOKEN = "scrape-secret-2026"
    settings.MINWON_METRICS_ALLOW = ["127.0.0.1", "10.20.0.0/16"]
    outside = Client(REMOTE_ADDR="203.0.113.9")
    refused = outside.get("/metrics")
    assert refused.status_code == 401 and b"minwon_" not in refused.content
    assert refused["WWW-Authenticate"] == 'Bearer realm="metrics"'
    wrong = outside.get("/metrics", headers={"Authorization": "Bearer scrape-secret-2025"})
    assert wrong.status_code == 401
    scraped = outside.get("/metrics", headers={"Authorization": "Bearer scrape-secret-2026"})
    assert scraped.status_code == 200 and b"minwon_http_requests_total" in scraped.content
    assert Client(REMOTE_ADDR="10.20.3.4").get("/metrics").status_code == 200
    settings.MINWON_METRICS_TOKEN = ""
    no_token = outside.get("/metrics", headers={"Authorization": "Bearer "})
    assert no_token.status_code == 401


def test_dynamic_answers_are_not_stored_static_files_are_cached(make_staff) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(make_staff("officer", WONJU))
    for url in ("/staff/", "/api/jurisdictions/5113000000", "/"):
        answer = client.get(url)
        assert "no-store" in answer["Cache-Control"], (url, answer.status_code)
    token = client.post(
        "/api/auth/token",
        json.dumps({"username": "nobody", "password": "x"}),
        content_type="application/json",
    )
    assert "no-store" in token["Cache-Control"]
    css = client.get("/static/minwon/minwon.css")
    assert css.status_code == 200 and "no-store" not in css.get("Cache-Control", "")
