"""수수료 환불 screen: a refund clerk of the office finds the payment by its 접수번호, refunds
part and then the rest with a reason; a double click refunds once; bad amounts are named
in words; another office's clerk and a citizen see nothing."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from minwon.accounts.models import User
from minwon.payments.models import Payment
from tests.payments.test_commands import pay, waste
from tests.petitions.conftest import actor

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _token(page: str) -> str:
    found = re.search(r'name="token" value="([0-9a-f-]{36})"', page)
    assert found is not None
    return found.group(1)


@pytest.fixture
def paid(apply: Callable[..., Any], citizen: User) -> tuple[Payment, str]:
    order = pay(actor(citizen))["order_key"]
    receipt = waste(apply, order)
    return Payment.objects.get(order_key=order), receipt


def test_a_clerk_finds_and_refunds_in_two_steps(paid: tuple[Payment, str], clerk: User) -> None:
    payment, receipt = paid
    client = _client(clerk)
    listing = client.get("/staff/payments/", {"q": receipt})
    assert listing.status_code == 200
    text = listing.content.decode()
    assert f'data-payment-id="{payment.pk}"' in text and "3,000원" in text
    assert "민원 수수료" in text and "비자 끝 번호 1111" in text and "온라인" in text
    assert "2026년 3월 9일" in text  # approved_at in Korean time, as people write it
    assert (
        "data-payment-id" not in client.get("/staff/payments/", {"q": "없는번호"}).content.decode()
    )
    typed = client.get("/staff/payments/", {"q": f" {receipt.lower()} "}).content.decode()
    assert f'data-payment-id="{payment.pk}"' in typed  # as a person types it off the receipt
    by_approval = client.get("/staff/payments/", {"q": payment.approval_number}).content.decode()
    assert f'data-payment-id="{payment.pk}"' in by_approval

    detail = client.get(f"/staff/payments/{payment.pk}/").content.decode()
    token = _token(detail)
    url = f"/staff/payments/{payment.pk}/refund/"
    first = client.post(url, {"token": token, "amount": "1,000원", "reason": "과오납"})
    assert first.status_code == 302
    again = client.post(url, {"token": token, "amount": "1,000원", "reason": "과오납"})
    assert again.status_code == 302  # the double click: the same refund, once
    payment.refresh_from_db()
    assert (payment.refunded, payment.status, len(payment.refunds)) == (1000, "partly_refunded", 1)

    page = client.get(f"/staff/payments/{payment.pk}/").content.decode()
    assert "일부 환불" in page and "과오납" in page and "2,000원" in page
    rest = client.post(url, {"token": _token(page), "amount": "", "reason": "신청 취소"})
    assert rest.status_code == 302
    payment.refresh_from_db()
    assert (payment.refunded, payment.status) == (3000, "refunded")
    assert 'id="refund-none"' in client.get(f"/staff/payments/{payment.pk}/").content.decode()


@pytest.mark.parametrize(
    ("amount", "reason", "field", "words"),
    [
        ("삼천", "과오납", "amount", "환불 금액은 원 단위 숫자로"),
        ("99999999999999999999", "과오납", "amount", "환불 금액은 원 단위 숫자로"),
        ("٥٠٠٠", "과오납", "amount", "환불할 수 있는 금액은 3,000원"),  # Arabic-Indic 5000
        ("", "  ", "reason", "환불 사유를 입력하세요"),
    ],
)
def test_bad_input_is_named_and_changes_nothing(
    paid: tuple[Payment, str], clerk: User, amount: str, reason: str, field: str, words: str
) -> None:
    payment, _ = paid
    client = _client(clerk)
    token = _token(client.get(f"/staff/payments/{payment.pk}/").content.decode())
    response = client.post(
        f"/staff/payments/{payment.pk}/refund/",
        {"token": token, "amount": amount, "reason": reason},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert words in page
    assert f'name="{field}"' in page and 'aria-invalid="true"' in page
    payment.refresh_from_db()
    assert payment.refunded == 0


def test_out_of_scope_and_absent_look_the_same(
    paid: tuple[Payment, str], citizen: User, make_staff: Callable[..., User]
) -> None:
    payment, _ = paid
    other = _client(make_staff("counter_clerk", "5211000000"))
    assert other.get("/staff/payments/").status_code == 200
    assert f'data-payment-id="{payment.pk}"' not in other.get("/staff/payments/").content.decode()
    for url in (f"/staff/payments/{payment.pk}/", "/staff/payments/98765432109876543210/"):
        assert other.get(url).status_code == 404
    refused = other.post(f"/staff/payments/{payment.pk}/refund/", {"reason": "x"})
    assert refused.status_code == 404
    assert _client(citizen).get("/staff/payments/").status_code in (302, 403)
    payment.refresh_from_db()
    assert payment.refunded == 0
