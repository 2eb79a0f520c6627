"""The payment interface (결제 대행): one protocol for every card gateway, and the demo
gateway that behaves like a real one, chosen by the setting ``MINWON_PAYMENT_PROVIDER``
(a dotted path; the demo's by default).

A gateway authorises an amount on a card and answers with an approval number or a refusal
and its reason; it confirms an approval it gave (승인 조회) and refunds one (취소). The
order key makes a repeated authorisation the same charge (a double click, a retried
request), and the refund key a repeated refund the same refund. minwon hands the card to
the gateway and keeps only its brand and last four digits (``Card.masked``).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from minwon.kernel import clock
from minwon.kernel.errors import ValidationFailed


class PaymentRefused(ValidationFailed):
    """The gateway refused the card (한도 초과, a wrong number, an expired card): the
    reason in words, the field it concerns, nothing charged."""

    code = "payment_refused"


@dataclass(frozen=True)
class Card:
    """A card as typed or read by a card reader: its number and expiry (월/년)."""

    number: str
    expiry_month: int
    expiry_year: int

    @classmethod
    def parse(cls, number: str, expiry: str) -> Card:
        """``4111 1111 1111 1111`` and ``12/29`` (or ``1229``), as people write them."""
        digits = re.sub(r"[\s-]", "", number or "")
        if not digits.isdigit() or not 13 <= len(digits) <= 19:
            raise PaymentRefused(
                "카드 번호는 숫자 13~19자리로 입력하세요.",
                "Enter the card number as 13 to 19 digits.",
                field="card_number",
            )
        match = re.fullmatch(r"\s*(\d{1,2})\s*/?\s*(\d{2}|\d{4})\s*", expiry or "")
        month = int(match.group(1)) if match else 0
        if not match or not 1 <= month <= 12:
            raise PaymentRefused(
                "유효기간은 월/년(예: 12/29)으로 입력하세요.",
                "Enter the expiry as MM/YY (e.g. 12/29).",
                field="card_expiry",
            )
        year = int(match.group(2))
        return cls(
            number=digits, expiry_month=month, expiry_year=year + 2000 if year < 100 else year
        )

    @property
    def last4(self) -> str:
        return self.number[-4:]

    @property
    def brand(self) -> str:
        """The card network from its first digits (IIN): ``visa``, ``mastercard``,
        ``amex``, or ``domestic`` (국내 전용, 9로 시작하는 BC·국내 카드)."""
        if self.number.startswith("4"):
            return "visa"
        if re.match(r"5[1-5]|2[2-7]", self.number):
            return "mastercard"
        if re.match(r"3[47]", self.number):
            return "amex"
        return "domestic"

    def __repr__(self) -> str:  # never the number, in a traceback or a log line
        return f"Card(brand={self.brand!r}, last4={self.last4!r})"


@dataclass(frozen=True)
class Approval:
    """승인: what the gateway answers for an authorised amount."""

    order_key: str
    amount: int
    approval_number: str
    brand: str
    last4: str


class PaymentProvider(Protocol):
    """A card gateway. ``name`` is stored with each payment so its refund goes back to
    the gateway that charged it."""

    name: str

    def authorise(self, *, order_key: str, amount: int, card: Card) -> Approval:
        """Charge ``amount`` 원 on ``card`` for ``order_key``, or raise ``PaymentRefused``.
        The same order key and amount answer the same approval."""
        ...

    def confirm(self, *, order_key: str, amount: int, approval_number: str) -> bool:
        """Whether this gateway approved ``approval_number`` for the order and amount."""
        ...

    def refund(self, *, approval_number: str, amount: int, key: str) -> str:
        """Give back ``amount`` 원 of an approval; answers the refund number, the same one
        for the same ``key``."""
        ...


def luhn_ok(digits: str) -> bool:
    """The card number's check digit (ISO/IEC 7812-1, the Luhn formula)."""
    total = 0
    for i, char in enumerate(reversed(digits)):
        n = int(char)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


class DemoCardProvider:
    """The demo gateway: a real gateway's checks without a bank behind it. A number must
    pass the Luhn check, the card must not have expired by the project clock (Asia/Seoul),
    and the documented test card ``LIMIT_CARD`` is refused with 한도 초과 so that refusals
    can be tried. Approval and refund numbers are keyed digests of the order (and refund)
    key, so the gateway keeps no state and still answers a repeat with the same number."""

    name = "demo"
    #: The test card refused as over its limit (passes the Luhn check).
    LIMIT_CARD = "4000000000000002"

    def _digest(self, text: str) -> int:
        key = hashlib.sha256(f"minwon-demo-gateway:{settings.SECRET_KEY}".encode()).digest()
        return int.from_bytes(hmac.new(key, text.encode(), hashlib.sha256).digest()[:8], "big")

    def _approval(self, order_key: str, amount: int) -> str:
        return f"{self._digest(f'approve|{order_key}|{amount}') % 10**8:08d}"

    def authorise(self, *, order_key: str, amount: int, card: Card) -> Approval:
        if amount <= 0:
            raise PaymentRefused("결제할 금액이 없습니다.", "Nothing to charge.", field="amount")
        if not luhn_ok(card.number):
            raise PaymentRefused(
                "카드 번호가 올바르지 않습니다. 카드에 적힌 번호를 다시 확인하세요.",
                "The card number is not valid; check it against the card.",
                field="card_number",
            )
        today = clock.local(clock.now()).date()
        if (card.expiry_year, card.expiry_month) < (today.year, today.month):
            raise PaymentRefused(
                "유효기간이 지난 카드입니다. 다른 카드를 사용하세요.",
                "This card has expired; use another card.",
                field="card_expiry",
            )
        if card.number == self.LIMIT_CARD:
            raise PaymentRefused(
                "한도 초과로 승인되지 않았습니다. 다른 카드를 사용하세요.",
                "Declined: over the card's limit. Use another card.",
                field="card_number",
                code="over_limit",
            )
        return Approval(order_key=order_key, amount=amount,
                        approval_number=self._approval(order_key, amount),
                        brand=card.brand, last4=card.last4)  # fmt: skip

    def confirm(self, *, order_key: str, amount: int, approval_number: str) -> bool:
        return amount > 0 and hmac.compare_digest(
            approval_number, self._approval(order_key, amount)
        )

    def refund(self, *, approval_number: str, amount: int, key: str) -> str:
        if amount <= 0 or not re.fullmatch(r"\d{8}", approval_number):
            raise PaymentRefused(
                "환불할 결제를 찾을 수 없습니다.", "No such approval to refund.", field="amount"
            )
        return f"R{self._digest(f'refund|{approval_number}|{key}|{amount}') % 10**8:08d}"


@functools.cache
def _load(path: str) -> PaymentProvider:
    provider: PaymentProvider = import_string(path)()
    return provider


def provider() -> PaymentProvider:
    """The configured gateway (``MINWON_PAYMENT_PROVIDER``)."""
    return _load(settings.MINWON_PAYMENT_PROVIDER)


def provider_named(name: str) -> PaymentProvider:
    """The gateway that charged a payment (its refund must go back to it)."""
    current = provider()
    if current.name != name:
        raise ValidationFailed(
            "이 결제를 처리한 결제 대행사를 사용할 수 없습니다. 관리자에게 문의하세요.",
            f"The gateway {name!r} that took this payment is not configured.",
            field="provider",
        )
    return current
