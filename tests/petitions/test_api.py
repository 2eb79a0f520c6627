"""The petition API over HTTP: catalog, submission with Idempotency-Key, actions, public
tracking with its second factor and throttle, Open311, and scope."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client

from minwon.accounts.models import User
from minwon.kernel import clock, throttle
from minwon.petitions import receipts, tracking
from minwon.petitions.commands import ApplicationItem
from minwon.petitions.models import Application

from .conftest import WONJU, at

pytestmark = pytest.mark.django_db
Apply = Callable[..., dict[str, Any]]

JSON = "application/json"


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_catalog_is_public(catalog_loaded: None) -> None:
    body = Client().get("/api/petition-types").json()
    assert len(body) >= 30
    assert {"code", "period", "fee", "channels", "documents"} <= body[0].keys()
    kiosk = Client().get("/api/petition-types?channel=kiosk").json()
    assert kiosk and all("kiosk" in t["channels"] for t in kiosk)


def test_submit_with_idempotency_key(citizen: User) -> None:
    client = logged_in(citizen)
    payload = {
        "jurisdiction": WONJU,
        "items": [{"type_code": "GRIEVANCE", "form": {"content": "가로등 고장"}}],
    }
    first = client.post("/api/petitions", payload, content_type="application/json",
                        headers={"Idempotency-Key": "k-1"})  # fmt: skip
    again = client.post("/api/petitions", payload, content_type="application/json",
                        headers={"Idempotency-Key": "k-1"})  # fmt: skip
    assert first.status_code == 200, first.content
    assert first.json()["receipt_number"] == again.json()["receipt_number"]
    assert Application.objects.count() == 1


@pytest.mark.parametrize(
    ("items", "field"),
    [
        ([{"type_code": "NOPE"}], "items[0].type_code"),
        ([{"type_code": "SEAL_CERT", "documents": ["신분증"]}], "channel"),
        ([{"type_code": "RESTAURANT_REPORT"}], "items[0].documents"),
        ([], "items"),
    ],
)
def test_bad_submissions_are_clear_400s(citizen: User, items: list[Any], field: str) -> None:
    response = logged_in(citizen).post(
        "/api/petitions", {"jurisdiction": WONJU, "items": items}, content_type="application/json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == field and body["message"] and body["message_en"]
    assert not Application.objects.exists()


def test_anonymous_cannot_submit(catalog_loaded: None) -> None:
    response = Client().post("/api/petitions", {"jurisdiction": WONJU, "items": [{"type_code": "GRIEVANCE"}]},
                             content_type="application/json")  # fmt: skip
    assert response.status_code in (401, 403)


def test_actions_and_refused_transition_over_http(apply: Apply, officer: User) -> None:
    number = apply("GRIEVANCE")["receipt_number"]
    client = logged_in(officer)
    ok = client.post(f"/api/petitions/{number}/start-review", {}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["state"] == "in_review"
    wrong = client.post(f"/api/petitions/{number}/deliver", {}, content_type="application/json")
    assert wrong.status_code == 409 and wrong.json()["code"] == "invalid_transition"
    missing = client.post(f"/api/petitions/{number}/decide", {}, content_type="application/json")
    assert missing.status_code == 400 and missing.json()["field"] == "outcome"
    unknown = client.post(f"/api/petitions/{number}/explode", {}, content_type="application/json")
    assert unknown.status_code == 404


def test_officer_of_another_city_cannot_read(apply: Apply, make_staff: Callable[..., User]) -> None:
    """Out of scope answers exactly like a receipt number that does not exist."""
    number = apply("GRIEVANCE")["receipt_number"]
    client = logged_in(make_staff("officer", "5211000000"))
    response = client.get(f"/api/petitions/{number}")
    absent = client.get("/api/petitions/20260309-9999999")
    assert response.status_code == absent.status_code == 404
    assert response.json() == absent.json()


def test_tracking_needs_the_second_factor(apply: Apply, citizen: User) -> None:
    number = apply("GRIEVANCE")["receipt_number"]
    client = Client()
    assert client.post(f"/api/track/{number}", {}, content_type=JSON).status_code == 400
    wrong = client.post(
        f"/api/track/{number}", {"name": "김민원", "birth_date": "1999-01-01"}, content_type=JSON
    )
    assert wrong.status_code == 404 and wrong.json()["code"] == "no_match"
    factor = {"name": citizen.display_name, "birth_date": citizen.birth_date.isoformat()}
    by_name = client.post(f"/api/track/{number}", factor, content_type=JSON)
    assert by_name.status_code == 200, by_name.content
    assert by_name.json()["petitions"][0]["steps"][0]["action"] == "received"
    by_pin = client.post(
        f"/api/track/{number}", {"pin": receipts.pin_for(number)}, content_type=JSON
    )
    assert by_pin.status_code == 200
    assert "김민원" not in by_pin.content.decode()


@pytest.mark.personal_url_probe
@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ({"pin": "482913"}, "pin", "확인번호(PIN)는 주소(URL)에 넣을 수 없습니다"),
        ({"name": "김민원", "birth_date": "1990-01-01"}, "birth_date", "생년월일은 주소(URL)에"),
    ],
)
def test_tracking_by_get_with_a_factor_in_the_url_is_refused_untried(
    apply: Apply, query: dict[str, str], field: str, words: str
) -> None:
    number = apply("GRIEVANCE")["receipt_number"]
    client = Client(REMOTE_ADDR="198.51.100.40")
    if field == "pin":
        query = {"pin": receipts.pin_for(number)}  # even the right one
    response = client.get(f"/api/track/{number}", query)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "personal_data_in_url" and body["field"] == field
    assert words in body["message"] and "URL" in body["message_en"]
    assert query[field] not in response.content.decode()
    # Never acted on: no look-up was tried, so no attempt was counted.
    assert throttle.attempts(tracking.ADDRESS, "ip:198.51.100.40") == 0


def test_tracking_locks_the_prober_not_the_applicant(apply: Apply) -> None:
    number = apply("GRIEVANCE")["receipt_number"]
    prober = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(tracking.PROBE.limit):
        assert (
            prober.post(f"/api/track/{number}", {"pin": "000000"}, content_type=JSON).status_code
            == 404
        )
    blocked = prober.post(
        f"/api/track/{number}", {"pin": receipts.pin_for(number)}, content_type=JSON
    )
    assert blocked.status_code == 429 and blocked.json()["code"] == "rate_limited"
    # The applicant, from their own address, still gets in with the right PIN.
    applicant = Client(REMOTE_ADDR="198.51.100.20")
    assert (
        applicant.post(
            f"/api/track/{number}", {"pin": receipts.pin_for(number)}, content_type=JSON
        ).status_code
        == 200
    )


def test_a_correct_factor_costs_no_attempt(apply: Apply) -> None:
    number = apply("GRIEVANCE")["receipt_number"]
    client = Client(REMOTE_ADDR="198.51.100.21")
    for _ in range(tracking.PROBE.limit - 1):
        assert (
            client.post(f"/api/track/{number}", {"pin": "000000"}, content_type=JSON).status_code
            == 404
        )
    for _ in range(3):
        assert (
            client.post(
                f"/api/track/{number}", {"pin": receipts.pin_for(number)}, content_type=JSON
            ).status_code
            == 200
        )
    key = f"ip:198.51.100.21|rcpt:{number}"
    assert throttle.attempts(tracking.PROBE, key) == tracking.PROBE.limit - 1


def test_enumeration_from_one_ip_is_stopped(catalog_loaded: None) -> None:
    client = Client()
    codes = []
    limit = tracking.ADDRESS.limit
    for n in range(limit + 3):
        number = receipts.new_receipt_number(WONJU, date(2026, 3, 9), f"{n:08d}")
        codes.append(
            client.post(f"/api/track/{number}", {"pin": "123456"}, content_type=JSON).status_code
        )
    assert set(codes[:limit]) == {404} and set(codes[limit:]) == {429}
    # Only evaluated look-ups stay counted: the refused ones were handed back.
    assert throttle.attempts(tracking.ADDRESS, "ip:127.0.0.1") == limit


def test_malformed_receipt_is_a_400_before_any_lookup(catalog_loaded: None) -> None:
    response = Client().post(
        "/api/track/51130-260309-ABCDEFGH-Q", {"pin": "123456"}, content_type=JSON
    )
    assert response.status_code == 400 and response.json()["field"] == "receipt_number"


def test_open311_shows_only_category_and_status(apply: Apply) -> None:
    number = apply("GRIEVANCE")["receipt_number"]
    services = Client().get("/api/open311/v2/services.json").json()
    assert any(s["service_code"] == "GRIEVANCE" for s in services)
    req = Client().get(f"/api/open311/v2/requests/{number}-1.json")
    assert req.status_code == 200
    assert req.json() == [
        {"service_request_id": f"{number}-1", "status": "open", "service_name": "일반민원"}
    ]
    assert "민원여권과" not in req.content.decode() and "배정" not in req.content.decode()


@pytest.mark.parametrize("code", ["BASIC_LIVELIHOOD", "DISABILITY_REGISTRATION"])
def test_open311_answers_a_sensitive_type_as_an_absent_number(apply: Apply, code: str) -> None:
    from minwon.petitions.models import PetitionType

    ptype = PetitionType.objects.get(code=code)
    assert ptype.sensitive
    handed = [
        d["name"] for d in ptype.documents if d["source"] == "applicant" and d.get("required")
    ]
    number = apply(ApplicationItem(type_code=code, documents=handed,
                                   form={f["name"]: "1" for f in ptype.fields}))["receipt_number"]  # fmt: skip
    absent = receipts.new_receipt_number(WONJU, date(2026, 3, 9), "ZZZZ9999")
    sensitive = Client().get(f"/api/open311/v2/requests/{number}-1.json")
    missing = Client().get(f"/api/open311/v2/requests/{absent}-1.json")
    no_item = Client().get(f"/api/open311/v2/requests/{number}-9.json")
    assert sensitive.status_code == missing.status_code == no_item.status_code == 404
    assert sensitive.content == missing.content == no_item.content


def test_openapi_declares_the_operations(catalog_loaded: None) -> None:
    schema = Client().get("/api/openapi.json").json()
    ops = {op["operationId"]: op for path in schema["paths"].values() for op in path.values()}
    for name in ("PetitionTypeList", "PetitionSubmit", "PetitionGet", "PetitionAction",
                 "PetitionTrack", "Open311Services", "Open311Request"):  # fmt: skip
        assert name in ops
    assert {"400", "404", "429"} <= set(ops["PetitionTrack"]["responses"])
    assert {"400", "403", "404", "409"} <= set(ops["PetitionAction"]["responses"])


def test_counter_submit_seals_the_rrn(
    catalog_loaded: None, make_staff: Callable[..., User]
) -> None:
    from minwon.kernel import rrn
    from minwon.kernel.models import CommandRecord

    number = rrn.with_check_digit("920823212345")
    with clock.frozen_at(at("2026-03-09T10:00")):
        response = logged_in(make_staff("counter_clerk", WONJU)).post(
            "/api/petitions",
            {"jurisdiction": WONJU, "channel": "counter", "applicant_name": "이서연", "rrn": number,
             "items": [{"type_code": "SEAL_CERT", "documents": ["신분증"]}]},
            content_type="application/json",
        )  # fmt: skip
    assert response.status_code == 200, response.content
    assert number not in str(CommandRecord.objects.values_list("payload", flat=True)[::1])
