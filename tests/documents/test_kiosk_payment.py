"""The certificate kiosk's fee through the one payment interface (``payments.checkout``):
a card is charged under the order key of the kiosk session, the certificate is issued with
that paid order (the payment is linked to the document number in the same transaction), a
repeated tap charges and issues once, a refused card issues nothing, a refused issuance
gives the charge back, and the card number is kept nowhere."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from minwon.documents.models import Issuance
from minwon.kernel.models import CommandRecord
from minwon.payments.models import Payment
from tests.conftest import kiosk_client, prove

from .conftest import HEAD_RRN, card

pytestmark = pytest.mark.django_db


@pytest.fixture
def kiosk(household: dict[str, Any]) -> Client:
    """A kiosk session past the identity check with a 등본 (200원) chosen."""
    client = kiosk_client()
    assert prove(client, "/kiosk/identity/", HEAD_RRN, "김세대").status_code == 302
    chosen = client.post("/kiosk/certificates/resident_copy/",
                         {"subject": "self", "include_relationship": "on"})  # fmt: skip
    assert chosen["Location"] == "/kiosk/pay/"
    return client


def _no_card_number_kept(client: Client) -> None:
    stored = json.dumps(list(CommandRecord.objects.values_list("payload", "result")))
    session = json.dumps(dict(client.session.items()))
    for number in (card()["card_number"], card("limit")["card_number"]):
        digits = number.replace(" ", "")
        for text in (stored, session):
            assert digits not in text.replace(" ", "") and number not in text


def test_the_card_step_shows_the_fee_and_the_demo_cards(kiosk: Client) -> None:
    page = kiosk.get("/kiosk/pay/").content.decode()
    assert "200원" in page and 'name="card_number"' in page and 'name="card_expiry"' in page
    assert card()["card_number"] in page and card("limit")["card_number"] in page
    assert "현금으로 결제하고 발급" in page
    assert not Payment.objects.exists() and not Issuance.objects.exists()


def test_a_card_is_charged_and_the_certificate_issued_once(kiosk: Client) -> None:
    kiosk.get("/kiosk/pay/")
    order = kiosk.session["minwon_kiosk"]["pending"]["order"]
    done = kiosk.post("/kiosk/pay/", card())
    row = Issuance.objects.get()
    assert done["Location"] == f"/kiosk/done/{row.document_number}/"
    assert (row.fee, row.payment_method, row.channel) == (200, "card", "kiosk")
    payment = Payment.objects.get()
    assert (payment.order_key, payment.reference, payment.amount, payment.purpose) == (
        order, row.document_number, 200, "certificate"
    )  # fmt: skip
    assert (payment.channel, payment.jurisdiction_id, payment.status) == ("kiosk", row.office,
                                                                          "approved")  # fmt: skip
    assert payment.lines == [{"item": 1, "cert_type": "resident_copy", "amount": 200}]
    page = kiosk.get(done["Location"]).content.decode()
    assert row.document_number in page and "200원" in page
    assert payment.approval_number in page and "승인 번호" in page
    assert "끝 번호 1111" in page and "비자" in page
    _no_card_number_kept(kiosk)


def test_the_limit_card_is_refused_and_nothing_is_issued_or_charged(kiosk: Client) -> None:
    refused = kiosk.post("/kiosk/pay/", card("limit"))
    text = refused.content.decode()
    assert refused.status_code == 400 and "한도 초과" in text and "카드 번호" in text
    assert (
        'id="kd-card-number" name="card_number" inputmode="numeric" maxlength="23" aria-invalid="true"'
        in text
    )
    assert not Payment.objects.exists() and not Issuance.objects.exists()
    _no_card_number_kept(kiosk)
    # The same session then pays with a good card.
    assert kiosk.post("/kiosk/pay/", card()).status_code == 302
    assert Issuance.objects.count() == 1 and Payment.objects.get().reference


def test_a_double_tap_charges_once_and_issues_once(kiosk: Client) -> None:
    kiosk.get("/kiosk/pay/")
    state = kiosk.session["minwon_kiosk"]
    first = kiosk.post("/kiosk/pay/", card())
    session = kiosk.session
    session["minwon_kiosk"] = state  # what the second tap's request still carried
    session.save()
    second = kiosk.post("/kiosk/pay/", card())
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Issuance.objects.count() == 1 and Payment.objects.count() == 1
    assert Payment.objects.get().reference == Issuance.objects.get().document_number
    # One issuance, one slot of the person's and the device's issuance limits.
    from minwon.accounts import kiosks
    from minwon.kernel import throttle

    assert throttle.attempts(kiosks.IDENTITY_ISSUE, f"id:{state['index']}") == 1


def test_a_refused_issuance_gives_the_charge_back(household: dict[str, Any]) -> None:
    client = kiosk_client()
    assert prove(client, "/kiosk/identity/", HEAD_RRN, "김세대").status_code == 302
    # The address history period runs backwards: the handler refuses after the charge.
    client.post("/kiosk/certificates/resident_abstract/", {
        "subject": "self", "include_history": "on",
        "history_from": "2020-01-01", "history_to": "2019-01-01",
    })  # fmt: skip
    client.get("/kiosk/pay/")
    order = client.session["minwon_kiosk"]["pending"]["order"]
    refused = client.post("/kiosk/pay/", card())
    assert refused.status_code == 400 and "주소 변동 기간" in refused.content.decode()
    assert not Issuance.objects.exists()
    payment = Payment.objects.get(order_key=order)
    assert (payment.status, payment.refunded, payment.reference) == ("refunded", payment.amount, "")
    # The voided order is never charged again: the next tap is a new order.
    client.get("/kiosk/pay/")
    assert client.session["minwon_kiosk"]["pending"]["order"] != order
    _no_card_number_kept(client)


def test_cash_stays_a_choice_and_charges_no_card(kiosk: Client) -> None:
    done = kiosk.post("/kiosk/pay/", {"payment_method": "cash"})
    assert done.status_code == 302
    assert Issuance.objects.get().payment_method == "cash" and not Payment.objects.exists()
    page = kiosk.get(done["Location"]).content.decode()
    assert "승인 번호" not in page


def test_a_payment_pays_for_one_certificate_only(kiosk: Client) -> None:
    """The link checks the order: one already linked to a document refuses the issuance
    (nothing is issued), and so does a paid order given with cash."""
    from minwon.accounts import kiosks
    from minwon.accounts.models import KioskDevice
    from minwon.documents.commands import IssueCertificate
    from minwon.kernel import execute
    from minwon.kernel.errors import ValidationFailed
    from minwon.kernel.types import Channel

    from .conftest import index_of

    kiosk.post("/kiosk/pay/", card())
    payment = Payment.objects.get()
    issuance = Issuance.objects.get()
    device = KioskDevice.objects.get(device_id=issuance.kiosk_id)

    def again(method: str) -> ValidationFailed:
        with pytest.raises(ValidationFailed) as refused:
            execute(IssueCertificate(
                actor=kiosks.actor_of(device), channel=Channel.KIOSK,
                jurisdiction=device.office_id, cert_type="resident_copy",
                applicant_index=index_of(HEAD_RRN), kiosk_id=device.device_id,
                payment_method=method, payment_order=payment.order_key,
            ))  # fmt: skip
        return refused.value

    assert again("card").field == "payment_order"
    assert again("cash").field == "payment_method"
    assert Issuance.objects.count() == 1
