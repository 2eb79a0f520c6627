"""Kiosk petition pages: identity through the verifier, only kiosk-allowed types offered,
a type not allowed at a kiosk refused with a message, bad input a 4xx naming the field
with nothing stored, and a filed application with its receipt number and PIN on screen."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from minwon.accounts import kiosks
from minwon.kernel import clock, offices, rrn, throttle
from minwon.notices.models import InboxMessage
from minwon.payments.models import Payment
from minwon.petitions import queries, receipts
from minwon.petitions.models import Application, PetitionStep
from tests.conftest import kiosk_client, prove

from .conftest import WONJU, at

pytestmark = pytest.mark.django_db
NUMBER = rrn.with_check_digit("850515212345")


@pytest.fixture
def kiosk(catalog_loaded: None) -> Client:
    """A kiosk session past the identity check."""
    client = kiosk_client()
    response = prove(client, "/kiosk/petitions/", NUMBER, "이키오")
    assert response.status_code == 302 and response["Location"] == "/kiosk/petitions/types/"
    return client


def test_home_links_to_petitions(catalog_loaded: None) -> None:
    assert 'href="/kiosk/petitions/"' in kiosk_client().get("/kiosk/").content.decode()


def test_identity_is_required_first(catalog_loaded: None) -> None:
    client = kiosk_client()
    assert client.get("/kiosk/petitions/types/")["Location"] == "/kiosk/petitions/"
    assert client.get("/kiosk/petitions/types/GRIEVANCE/")["Location"] == "/kiosk/petitions/"
    refused = client.post("/kiosk/petitions/", {"name": "이키오", "rrn": "123"})
    assert refused.status_code == 400 and 'data-field="rrn"' in refused.content.decode()
    assert client.get("/kiosk/petitions/types/").status_code == 302


def test_offers_exactly_the_kiosk_types(kiosk: Client) -> None:
    page = kiosk.get("/kiosk/petitions/types/").content.decode()
    offered = set(re.findall(r'data-type-code="([A-Z_]+)"', page))
    allowed = {t.code for t in queries.petition_types(channel="kiosk")}
    assert offered == allowed
    assert {"GRIEVANCE", "LARGE_WASTE"} <= offered and "SEAL_CERT" not in offered
    assert "MOVE_IN_REPORT" not in offered


def test_type_not_allowed_at_a_kiosk_is_refused(kiosk: Client) -> None:
    for method in (kiosk.get, kiosk.post):
        response = method("/kiosk/petitions/types/SEAL_CERT/")
        assert response.status_code == 400
        page = response.content.decode()
        assert "무인민원발급기에서 신청할 수 없습니다" in page and 'data-field="type_code"' in page
        assert "(항목: 신청할 민원)" in page and "항목: type_code" not in page
    assert kiosk.get("/kiosk/petitions/types/NO_SUCH/").status_code == 404
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    ("code", "data", "field"),
    [
        ("LARGE_WASTE", {}, "items[0].form.items"),
        ("LARGE_WASTE", {"f:items": "많이"}, "items[0].form.items"),
        ("RENTAL_REPORT", {}, "items[0].documents"),
        ("RESIDENT_COPY", {"documents": ["신분증", "위조 서류"]}, "items[0].documents"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(
    kiosk: Client, code: str, data: dict[str, object], field: str
) -> None:
    response = kiosk.post(f"/kiosk/petitions/types/{code}/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert f'data-field="{field}"' in page and 'aria-invalid="true"' in page
    words = re.search(r"\(항목: ([^)<]+)\)", page)
    assert words and "[" not in words.group(1) and "." not in words.group(1), words
    assert kiosk.get("/kiosk/petitions/confirm/")["Location"] == "/kiosk/petitions/"
    assert not Application.objects.exists() and not PetitionStep.objects.exists()


def test_files_a_petition_and_shows_the_receipt(kiosk: Client) -> None:
    response = kiosk.post(
        "/kiosk/petitions/types/LARGE_WASTE/", {"f:items": "2", "content": "소파"}
    )
    assert response["Location"] == "/kiosk/petitions/confirm/"
    confirm = kiosk.get("/kiosk/petitions/confirm/").content.decode()
    assert "대형폐기물 배출 신고" in confirm and "이키오" in confirm and "소파" in confirm
    assert kiosk.post("/kiosk/petitions/confirm/")["Location"] == "/kiosk/petitions/pay/"
    pay = kiosk.get("/kiosk/petitions/pay/").content.decode()
    assert "3,000원" in pay and not Application.objects.exists()  # a fee: the card first
    limit = {"card_number": "4000 0000 0000 0002", "card_expiry": "12/29"}
    with clock.frozen_at(at("2026-03-09T10:00")):
        refused = kiosk.post("/kiosk/petitions/pay/", limit)
        assert refused.status_code == 400 and "한도 초과" in refused.content.decode()
        assert not Application.objects.exists() and not Payment.objects.exists()
        done = kiosk.post("/kiosk/petitions/pay/",
                          {"card_number": "5555555555554444", "card_expiry": "12/29"})  # fmt: skip
    application = Application.objects.get()
    assert done["Location"] == f"/kiosk/petitions/done/{application.receipt_number}/"
    payment = Payment.objects.get()
    assert (payment.reference, payment.amount, payment.channel) == (
        application.receipt_number, 3000, "kiosk"
    )  # fmt: skip
    assert (application.channel, application.jurisdiction_id) == ("kiosk", WONJU)
    assert application.applicant_name == "이키오" and application.applicant_user_id is None
    assert str(application.applicant_birth) == "1985-05-15"
    assert application.identity_index == rrn.SealedRRN.from_text(NUMBER).index
    petition = application.items.get()
    assert petition.form == {"items": 2.0, "content": "소파"}
    assert petition.steps.first().actor_name == kiosk.kiosk_device_id  # type: ignore[attr-defined]
    page = kiosk.get(done["Location"]).content.decode()
    assert application.receipt_number in page
    assert receipts.pin_for(application.receipt_number) in page and "data-kiosk-print" in page
    # The 접수증 names the receiving office and its telephone, as the counter's does.
    office = offices.contact(application.jurisdiction_id)
    assert 'data-testid="receipt-office"' in page
    assert office.name in page and office.telephone in page
    assert "마스터카드" in page and "끝 번호 4444" in page and payment.approval_number in page
    assert InboxMessage.objects.filter(recipient_index=application.identity_index).exists()


def test_double_tap_on_confirm_files_once(kiosk: Client) -> None:
    kiosk.post("/kiosk/petitions/types/GRIEVANCE/", {"content": "가로등 고장"})
    pending = kiosk.session["minwon_kiosk_petitions"]["pending"]
    first = kiosk.post("/kiosk/petitions/confirm/")
    session = kiosk.session
    session["minwon_kiosk_petitions"]["pending"] = pending
    session.save()
    second = kiosk.post("/kiosk/petitions/confirm/")
    assert first["Location"] == second["Location"] and Application.objects.count() == 1
    index = kiosk.session["minwon_kiosk_petitions"]["index"]
    assert throttle.attempts(kiosks.IDENTITY_ISSUE, f"id:{index}") == 1  # one slot used


def test_receipt_only_in_the_session_that_filed_it(kiosk: Client) -> None:
    kiosk.post("/kiosk/petitions/types/GRIEVANCE/", {"content": "가로등 고장"})
    done = kiosk.post("/kiosk/petitions/confirm/")["Location"]
    assert kiosk_client().get(done)["Location"] == "/kiosk/petitions/"
    assert kiosk.get("/kiosk/petitions/reset/")["Location"] == "/kiosk/"
    assert kiosk.get(done)["Location"] == "/kiosk/petitions/"
    assert kiosk.get("/kiosk/petitions/types/")["Location"] == "/kiosk/petitions/"


def test_a_stale_session_is_forgotten(kiosk: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 3600)
    assert kiosk.get("/kiosk/petitions/types/")["Location"] == "/kiosk/petitions/"


def test_a_kiosk_files_at_its_own_office_whatever_the_request_says(
    catalog_loaded: None,
) -> None:
    from tests.conftest import GONGJU

    gongju = kiosk_client(GONGJU)
    assert prove(gongju, "/kiosk/petitions/", NUMBER, "이키오").status_code == 302
    gongju.post(
        "/kiosk/petitions/types/GRIEVANCE/", {"content": "가로등 고장", "jurisdiction": WONJU}
    )
    done = gongju.post("/kiosk/petitions/confirm/", {"jurisdiction": WONJU})
    assert done.status_code == 302
    application = Application.objects.get()
    assert application.jurisdiction_id == GONGJU
    assert application.items.get().steps.first().actor_name == gongju.kiosk_device_id


def test_a_free_type_has_no_card_step(kiosk: Client) -> None:
    kiosk.post("/kiosk/petitions/types/GRIEVANCE/", {"content": "가로등 고장"})
    assert kiosk.get("/kiosk/petitions/pay/")["Location"] == "/kiosk/petitions/confirm/"
    assert kiosk.post("/kiosk/petitions/confirm/")["Location"].startswith("/kiosk/petitions/done/")
    assert not Payment.objects.exists()


def test_double_tap_on_pay_charges_and_files_once(kiosk: Client) -> None:
    kiosk.post("/kiosk/petitions/types/LARGE_WASTE/", {"f:items": "2"})
    kiosk.get("/kiosk/petitions/pay/")
    pending = kiosk.session["minwon_kiosk_petitions"]["pending"]
    card = {"card_number": "4111111111111111", "card_expiry": "12/29"}
    with clock.frozen_at(at("2026-03-09T10:00")):
        first = kiosk.post("/kiosk/petitions/pay/", card)
        session = kiosk.session
        session["minwon_kiosk_petitions"]["pending"] = pending  # the second tap's view
        session.save()
        second = kiosk.post("/kiosk/petitions/pay/", card)
    assert first["Location"] == second["Location"]
    assert Application.objects.count() == 1 and Payment.objects.count() == 1
