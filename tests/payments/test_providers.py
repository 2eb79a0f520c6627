"""The demo card gateway behaves like a real one: the Luhn check, expiry by the project
clock, the documented card refused as over its limit, and the same answer for a repeat."""

from __future__ import annotations

from datetime import datetime

import pytest

from minwon.kernel import clock
from minwon.kernel.clock import SEOUL
from minwon.kernel.errors import ValidationFailed
from minwon.payments import providers
from minwon.payments.providers import Card, DemoCardProvider, PaymentRefused, luhn_ok

MARCH = datetime(2026, 3, 9, 10, 0, tzinfo=SEOUL)
GOOD = "4111 1111 1111 1111"


def _card(number: str = GOOD, expiry: str = "12/29") -> Card:
    return Card.parse(number, expiry)


def test_luhn() -> None:
    assert luhn_ok("4111111111111111") and luhn_ok("5555555555554444")
    assert luhn_ok(DemoCardProvider.LIMIT_CARD)
    assert not luhn_ok("4111111111111112") and not luhn_ok("1234567812345678")


def test_approval_is_the_same_for_the_same_order_and_confirmable() -> None:
    gateway = DemoCardProvider()
    with clock.frozen_at(MARCH):
        first = gateway.authorise(order_key="a" * 32, amount=3000, card=_card())
        again = gateway.authorise(order_key="a" * 32, amount=3000, card=_card())
        other = gateway.authorise(order_key="b" * 32, amount=3000, card=_card())
    assert first == again and first.approval_number != other.approval_number
    assert len(first.approval_number) == 8 and first.approval_number.isdigit()
    assert (first.brand, first.last4) == ("visa", "1111")
    assert gateway.confirm(order_key="a" * 32, amount=3000, approval_number=first.approval_number)
    assert not gateway.confirm(
        order_key="a" * 32, amount=4000, approval_number=first.approval_number
    )
    assert not gateway.confirm(
        order_key="b" * 32, amount=3000, approval_number=first.approval_number
    )


def test_the_limit_card_is_refused_with_its_reason() -> None:
    with clock.frozen_at(MARCH), pytest.raises(PaymentRefused) as refused:
        DemoCardProvider().authorise(order_key="c" * 32, amount=3000,
                                     card=_card("4000-0000-0000-0002"))  # fmt: skip
    assert "한도 초과" in refused.value.message_ko and refused.value.code == "over_limit"
    assert refused.value.field == "card_number"


def test_a_number_failing_luhn_is_refused() -> None:
    with clock.frozen_at(MARCH), pytest.raises(PaymentRefused) as refused:
        DemoCardProvider().authorise(order_key="d" * 32, amount=3000,
                                     card=_card("4111 1111 1111 1112"))  # fmt: skip
    assert refused.value.field == "card_number" and "카드 번호" in refused.value.message_ko


@pytest.mark.parametrize(("expiry", "ok"), [("02/26", False), ("03/26", True), ("1/2027", True)])
def test_expiry_by_the_project_clock(expiry: str, ok: bool) -> None:
    gateway = DemoCardProvider()
    with clock.frozen_at(MARCH):
        if ok:
            assert gateway.authorise(order_key="e" * 32, amount=500, card=_card(expiry=expiry))
        else:
            with pytest.raises(PaymentRefused) as refused:
                gateway.authorise(order_key="e" * 32, amount=500, card=_card(expiry=expiry))
            assert refused.value.field == "card_expiry" and "유효기간" in refused.value.message_ko


@pytest.mark.parametrize(
    ("number", "expiry", "field"),
    [("4111", "12/29", "card_number"), ("4111 1111 1111 111a", "12/29", "card_number"),
     (GOOD, "13/29", "card_expiry"), (GOOD, "", "card_expiry")],
)  # fmt: skip
def test_unreadable_cards_name_the_field(number: str, expiry: str, field: str) -> None:
    with pytest.raises(PaymentRefused) as refused:
        Card.parse(number, expiry)
    assert refused.value.field == field


def test_a_card_never_shows_its_number() -> None:
    card = _card()
    assert "4111111111111111" not in repr(card) and "1111" in repr(card)
    assert _card("5555 5555 5555 4444").brand == "mastercard"
    assert _card("9410 1234 5678 9012").brand == "domestic"


def test_refund_numbers_repeat_for_the_same_key() -> None:
    gateway = DemoCardProvider()
    one = gateway.refund(approval_number="12345678", amount=3000, key="k1")
    assert one == gateway.refund(approval_number="12345678", amount=3000, key="k1")
    assert one != gateway.refund(approval_number="12345678", amount=3000, key="k2")
    with pytest.raises(PaymentRefused):
        gateway.refund(approval_number="nope", amount=3000, key="k1")


def test_the_gateway_is_the_configured_one() -> None:
    assert isinstance(providers.provider(), DemoCardProvider)
    assert providers.provider_named("demo") is providers.provider()
    with pytest.raises(ValidationFailed):  # a payment taken by a gateway no longer configured
        providers.provider_named("other-gateway")
