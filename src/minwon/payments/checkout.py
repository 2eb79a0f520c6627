"""The payment screen's side of 수수료 (the online apply steps and the kiosk alike; any
other fee screen can use it): charge the card of a POST through the configured gateway and
record the approval (``RecordPayment``), derive the id of the command the charge pays for
from the order key, and give a charge back when what it paid for could not be done.

The card number is read from the POST of the payment screen and handed to the gateway; it
is never stored, carried to another screen, put in a URL or logged.
"""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

from django.http import HttpRequest

from minwon.kernel import clock, execute
from minwon.kernel.errors import DomainError
from minwon.kernel.types import Actor, Channel
from minwon.payments import providers
from minwon.payments.commands import RecordPayment, RefundPayment
from minwon.payments.models import Payment
from minwon.payments.providers import Approval, Card, PaymentRefused

log = logging.getLogger(__name__)
#: Derives the commands' ids from the order key, so a repeated "결제하고 신청" (a double
#: click, a reload) records the same payment and files the same application.
NAMESPACE = uuid.UUID("5d1f3c2e-8f0b-4a57-9a1e-3b7c2f6d9e41")


def new_order() -> str:
    return uuid.uuid4().hex


def order_for(posted: str) -> str:
    """The order key of a payment screen: the one it was shown with (a repeated tap then
    replays the same charge), unless that charge was given back (a voided order must not
    be charged again), or there is none yet."""
    if re.fullmatch(r"[0-9a-f]{32}", posted or "") and not (
        Payment.objects.filter(order_key=posted, refunded__gt=0).exists()
    ):
        return posted
    return new_order()


def filing_id(order: str) -> uuid.UUID:
    """The id of the command the charge pays for (``SubmitApplication``, a kiosk's
    ``IssueCertificate``): a repeat of the paid request runs it once."""
    return uuid.uuid5(NAMESPACE, f"file:{order}")


def charge(request: HttpRequest, *, actor: Actor, office: str, amount: int, order: str,
           what: str, channel: Channel = Channel.ONLINE) -> Approval:  # fmt: skip
    """Authorise ``amount`` 원 on the card of this POST and record the approval."""
    if not re.fullmatch(r"[0-9a-f]{32}", order):
        raise PaymentRefused("결제 화면을 다시 열어 주세요.", "Open the payment screen again.",
                             field="order")  # fmt: skip
    card = Card.parse(request.POST.get("card_number", ""), request.POST.get("card_expiry", ""))
    gateway = providers.provider()
    approval = gateway.authorise(order_key=order, amount=amount, card=card)
    execute(
        RecordPayment(
            actor=actor, channel=channel, jurisdiction=office,
            command_id=uuid.uuid5(NAMESPACE, f"pay:{order}"), order_key=order, amount=amount,
            provider=gateway.name, approval_number=approval.approval_number,
            card_brand=approval.brand, card_last4=approval.last4, description=what[:200],
        )
    )  # fmt: skip
    return approval


def void(*, actor: Actor, office: str, order: str, channel: Channel = Channel.ONLINE) -> None:
    """망취소: what the charge paid for was refused after it, so the charge goes back."""
    if not Payment.objects.filter(order_key=order, reference="").exists():
        return
    try:
        execute(RefundPayment(actor=actor, channel=channel, jurisdiction=office, order_key=order,
                              reason="신청이 접수되지 않아 결제를 취소함"))  # fmt: skip
    except DomainError:
        log.exception("payment %s could not be voided", order)


def demo_card() -> dict[str, Any] | None:
    """The test cards to show beside the form while the demo gateway is configured."""
    if not isinstance(providers.provider(), providers.DemoCardProvider):
        return None
    year = clock.local(clock.now()).year + 3
    return {"ok": "4111 1111 1111 1111", "limit": "4000 0000 0000 0002",
            "expiry": f"12/{year % 100:02d}"}  # fmt: skip
