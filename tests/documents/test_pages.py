"""Pages and API through the Django test client: verification (with its rate limit), the
API's issue/download/idempotency contract, the counter page and the kiosk flow."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from minwon.documents.models import Issuance, IssuedFile
from minwon.kernel import clock
from tests.conftest import WONJU, kiosk_client, prove
from tests.documents.conftest import HEAD_RRN, STRANGER_RRN, card, kiosk

pytestmark = pytest.mark.django_db


def test_api_issue_is_idempotent_and_downloadable(
    household: dict[str, Any], make_citizen: Any
) -> None:
    citizen = make_citizen(HEAD_RRN, name="김세대")
    client = Client()
    client.force_login(citizen)
    body = {"cert_type": "resident_copy", "subject": "self"}
    first = client.post(
        "/api/certificates", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert first.status_code == 200, first.content
    again = client.post(
        "/api/certificates", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert again.json()["document_number"] == first.json()["document_number"]
    assert Issuance.objects.count() == 1
    pdf = client.get(first.json()["download_url"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content == IssuedFile.objects.get().content()
    assert Client().get(first.json()["download_url"]).status_code in (401, 404)
    listed = client.get("/api/certificates").json()
    assert [r["document_number"] for r in listed] == [first.json()["document_number"]]


def test_api_errors_name_the_field(household: dict[str, Any], make_citizen: Any) -> None:
    client = Client()
    client.force_login(make_citizen(STRANGER_RRN))
    bad = client.post("/api/certificates", {"cert_type": "nope"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["field"] == "cert_type"
    refused = client.post(
        "/api/certificates", {"cert_type": "resident_copy", "subject": str(household["head"].pk)},
        content_type="application/json",
    )  # fmt: skip
    assert refused.status_code == 403 and refused.json()["field"] == "subject"


def test_api_verify_by_number_and_file(household: dict[str, Any]) -> None:
    value = kiosk("resident_copy", HEAD_RRN).value
    number = value["document_number"]
    client = Client()
    ok = client.get(f"/api/verify/{number}", {"code": value["verification_code"]})
    assert ok.status_code == 200 and ok.json()["status"] == "genuine"
    assert client.get(f"/api/verify/{number}", {"code": "AAAAAAAA"}).json()["status"] == "unknown"
    assert client.get("/api/verify/123", {"code": "x"}).status_code == 400
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = IssuedFile.objects.get(pk=number).content()
    up = client.post("/api/verify", {"file": SimpleUploadedFile("a.pdf", pdf, "application/pdf")})
    assert up.json()["status"] == "genuine"
    bad = bytearray(pdf)
    bad[500] ^= 1
    up = client.post(
        "/api/verify", {"file": SimpleUploadedFile("a.pdf", bytes(bad), "application/pdf")}
    )
    assert up.json()["status"] == "altered"


def test_verification_is_rate_limited_per_address(
    household: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MINWON_RATE_VERIFY", "5/60")
    client = Client()
    codes = [
        client.get("/api/verify/1234567890123452", {"code": "AAAAAAAA"}).status_code
        for _ in range(7)
    ]
    assert codes[:5] == [200] * 5 and codes[5:] == [429, 429]
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.get("/api/verify/1234567890123452", {"code": "AAAAAAAA"}).status_code == 200
    page = client.post("/verify/", {"action": "number", "number": "1234567890123452", "code": "A"})
    assert page.status_code == 429


def test_verify_page_shows_the_issuance_facts(household: dict[str, Any]) -> None:
    value = kiosk("resident_copy", HEAD_RRN).value
    page = Client().post(
        "/verify/",
        {
            "action": "number",
            "number": value["document_number"],
            "code": value["verification_code"],
        },
    )
    text = page.content.decode()
    assert (
        page.status_code == 200 and "진본입니다" in text and "원주시장" in text and "김*대" in text
    )


def test_counter_page_issues_with_a_delegate(household: dict[str, Any], make_staff: Any) -> None:
    clerk = make_staff("counter_clerk", WONJU)
    client = Client()
    client.force_login(clerk)
    response = client.post(
        "/staff/certificates/",
        {
            "cert_type": "resident_abstract", "subject": str(household["head"].pk),
            "applicant_rrn": STRANGER_RRN, "delegate_name": "박타인",
            "power_of_attorney": "위임-7", "payment_method": "cash", "include_relationship": "on",
        },
    )  # fmt: skip
    assert response.status_code == 200, response.content.decode()[:2000]
    row = Issuance.objects.get()
    assert row.relation == "delegate" and row.fee == 400 and row.channel == "counter"
    assert client.get(f"/certificates/{row.document_number}.pdf").status_code == 200


def test_kiosk_flow_with_client(household: dict[str, Any]) -> None:
    client = kiosk_client()
    assert client.post("/kiosk/identity/", {"name": "김세대", "rrn": "123"}).status_code == 400
    assert prove(client, "/kiosk/identity/", HEAD_RRN, "김세대").status_code == 302
    assert (
        client.post(
            "/kiosk/certificates/resident_copy/", {"subject": "self", "include_relationship": "on"}
        ).status_code
        == 302
    )
    done = client.post("/kiosk/pay/", card())
    assert done.status_code == 302
    number = Issuance.objects.get().document_number
    assert client.get(f"/kiosk/print/{number}.pdf").status_code == 200
    client.get("/kiosk/reset/")
    assert client.get(f"/kiosk/print/{number}.pdf").status_code == 404


def _visible_text(html: str) -> str:
    body = html.split("<main", 1)[-1]
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def test_verify_page_writes_the_issue_time_in_seoul_and_the_channel_in_words(
    household: dict[str, Any],
) -> None:
    with clock.frozen_at(datetime(2026, 12, 1, 9, 51, 35, 701509, tzinfo=UTC)):
        value = kiosk("resident_copy", HEAD_RRN).value
    page = Client().post(
        "/verify/",
        {
            "action": "number",
            "number": value["document_number"],
            "code": value["verification_code"],
        },
    )
    text = _visible_text(page.content.decode())
    assert "발급 일시 2026년 12월 1일 (화) 18:51" in text, text
    assert "발급 경로 무인민원발급기" in text
    assert "+00:00" not in text and "T09:51" not in text and "kiosk" not in text
    assert "(normal)" not in text and "정상 발급" in text


def test_online_issue_result_says_free_in_korean(
    household: dict[str, Any], make_citizen: Any
) -> None:
    client = Client()
    client.force_login(make_citizen(number=HEAD_RRN, name="김세대"))
    page = client.post("/certificates/", {"cert_type": "resident_copy", "subject": "self"})
    text = _visible_text(page.content.decode())
    assert page.status_code == 200 and "발급되었습니다" in text
    assert "수수료 무료" in text
    assert "(free)" not in text and "0원" not in text


def test_a_citizen_chooses_the_subject_among_their_household(
    household: dict[str, Any], make_citizen: Any
) -> None:
    client = Client()
    client.force_login(make_citizen(number=HEAD_RRN, name="김세대"))
    html = client.get("/certificates/").content.decode()
    spouse = household["spouse"]
    assert '<option value="self">본인 (김세대)</option>' in html
    assert f'<option value="{spouse.pk}">이배우 (세대원 · 배우자) — 등본·초본만</option>' in html
    assert str(household["stranger"].pk) not in re.findall(r'<option value="(\d+)"', html)
    assert 'value="self"' not in html.replace('<option value="self"', "")  # nothing to type

    page = client.post("/certificates/", {"cert_type": "resident_abstract", "subject": spouse.pk})
    assert page.status_code == 200 and "발급되었습니다" in page.content.decode()
    assert Issuance.objects.get().subject_ref == str(spouse.pk)

    refused = client.post("/certificates/", {"cert_type": "tax_payment", "subject": spouse.pk})
    text = _visible_text(refused.content.decode())
    assert refused.status_code == 400 and "(항목: 발급 대상)" in text
    stranger = client.post(
        "/certificates/", {"cert_type": "resident_copy", "subject": household["stranger"].pk}
    )
    assert stranger.status_code == 400 and Issuance.objects.count() == 1


def test_a_stranger_at_the_kiosk_gets_no_household(household: dict[str, Any]) -> None:
    """Finding 1: a made-up name with the household head's number gets no code, so no
    certificate; the holder proven by a code (substantial) still cannot reveal numbers."""
    from django.core import mail

    from minwon.accounts.identity import register_demo_contact

    register_demo_contact(HEAD_RRN, name="김세대", email="head@carrier.example")
    stranger = kiosk_client(client=Client(REMOTE_ADDR="203.0.113.70"))
    assert stranger.post("/kiosk/identity/", {"name": "아무개", "rrn": HEAD_RRN}).status_code == 200
    assert mail.outbox == []
    for guess in ("000000", "999999"):
        assert stranger.post("/kiosk/identity/", {"code": guess}).status_code == 400
    assert stranger.get("/kiosk/certificates/")["Location"] == "/kiosk/identity/"
    holder = kiosk_client()
    assert prove(holder, "/kiosk/identity/", HEAD_RRN, "김세대").status_code == 302
    holder.post("/kiosk/certificates/resident_copy/",
                {"subject": "self", "include_relationship": "on", "show_rrn_back": "on"})  # fmt: skip
    refused = holder.post("/kiosk/pay/", card())
    assert refused.status_code == 403 and "높은 수준의 본인확인" in refused.content.decode()
    assert not Issuance.objects.exists()


def test_kiosk_assurance_comes_from_the_proofing_not_the_form(household: dict[str, Any]) -> None:
    with pytest.raises(Exception, match="high-assurance"):
        kiosk("resident_copy", HEAD_RRN, show_rrn_back=True, assurance="substantial")
