"""Payments recorded by commands: a confirmed approval only, the card as brand and last
four digits, linked to the application it pays for, refunded on a withdrawal before
processing started and not after."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from minwon.accounts.models import User
from minwon.kernel import clock, execute
from minwon.kernel.errors import Conflict, DomainError, NotFound, ValidationFailed
from minwon.kernel.models import CommandRecord, OutboxEvent
from minwon.kernel.types import Actor, Channel
from minwon.payments import checkout as fees
from minwon.payments.commands import RecordPayment, RefundPayment, refund_due_on_withdrawal
from minwon.payments.models import Payment
from minwon.payments.providers import Card, DemoCardProvider
from minwon.petitions.commands import ApplicationItem
from minwon.petitions.models import Application
from tests.petitions.conftest import WONJU, actor, at

pytestmark = pytest.mark.django_db
CARD = "4111111111111111"


def pay(who: Actor, amount: int = 3000, order: str = "", **extra: Any) -> dict[str, Any]:
    """Authorise at the demo gateway and record the approval, as the payment screen does."""
    order = order or uuid.uuid4().hex
    with clock.frozen_at(at("2026-03-09T09:59")):
        approval = DemoCardProvider().authorise(order_key=order, amount=amount,
                                                card=Card.parse(CARD, "12/29"))  # fmt: skip
        fields: dict[str, Any] = {
            "order_key": order, "amount": amount, "provider": "demo",
            "approval_number": approval.approval_number, "card_brand": approval.brand,
            "card_last4": approval.last4, "description": "대형폐기물 배출 신고", **extra,
        }  # fmt: skip
        return execute(RecordPayment(actor=who, channel=Channel.ONLINE, jurisdiction=WONJU,
                                     **fields)).value  # fmt: skip


def waste(apply: Callable[..., dict[str, Any]], order: str) -> str:
    item = ApplicationItem(
        type_code="LARGE_WASTE", form={"items": "12"}
    )  # over 10: an officer decides
    return str(apply(item, payment_order=order)["receipt_number"])


def test_payment_is_recorded_with_the_card_masked(citizen: User) -> None:
    paid = pay(actor(citizen))
    payment = Payment.objects.get()
    assert (payment.amount, payment.card_brand, payment.card_last4) == (3000, "visa", "1111")
    assert payment.status == "approved" and payment.provider == "demo"
    assert payment.approval_number == paid["approval_number"] and payment.reference == ""
    stored = json.dumps(list(CommandRecord.objects.values_list("payload", "result")))
    assert CARD not in stored and "1111" in stored


def test_a_forged_approval_is_refused(citizen: User) -> None:
    with pytest.raises(ValidationFailed) as refused:
        pay(actor(citizen), approval_number="00000000")
    assert refused.value.field == "approval_number" and not Payment.objects.exists()


def test_an_order_is_paid_once(citizen: User, make_citizen: Callable[..., User]) -> None:
    order = uuid.uuid4().hex
    first = pay(actor(citizen), order=order)
    assert pay(actor(citizen), order=order) == first  # a retried request: the same charge
    with pytest.raises(Conflict):
        pay(actor(make_citizen()), order=order)
    assert Payment.objects.count() == 1


def test_filing_links_the_payment_to_the_receipt(apply: Callable[..., Any], citizen: User) -> None:
    order = pay(actor(citizen))["order_key"]
    number = waste(apply, order)
    payment = Payment.objects.get()
    assert payment.reference == number and payment.lines == [{"item": 1, "amount": 3000}]
    event = OutboxEvent.objects.get(name="ApplicationReceived")
    assert event.payload["payment_order"] == order and event.payload["fees"] == [3000]


def test_a_payment_of_another_amount_or_person_files_nothing(
    apply: Callable[..., Any], citizen: User, make_citizen: Callable[..., User]
) -> None:
    short = pay(actor(citizen), amount=2000)["order_key"]
    with pytest.raises(ValidationFailed) as refused:
        waste(apply, short)
    assert refused.value.field == "payment_order" and "3,000원" in refused.value.message_ko
    someone = pay(actor(make_citizen()))["order_key"]
    with pytest.raises(ValidationFailed):
        waste(apply, someone)
    assert not Application.objects.exists()
    assert set(Payment.objects.values_list("reference", flat=True)) == {""}


def test_an_order_pays_for_one_application(apply: Callable[..., Any], citizen: User) -> None:
    order = pay(actor(citizen))["order_key"]
    waste(apply, order)
    with pytest.raises(ValidationFailed):
        waste(apply, order)
    assert Application.objects.count() == 1


def test_withdrawal_before_processing_refunds_the_fee(
    apply: Callable[..., Any], act: Callable[..., Any], citizen: User
) -> None:
    number = waste(apply, pay(actor(citizen))["order_key"])
    act(citizen, "withdraw", number, reason="이사 일정 변경")
    payment = Payment.objects.get()
    assert (payment.status, payment.refunded, payment.balance) == ("refunded", 3000, 0)
    (refund,) = payment.refunds
    assert refund["amount"] == 3000 and refund["reason"] == "처리 전 취하"
    assert refund["refund_number"].startswith("R")


def test_assigned_is_not_yet_processing(
    apply: Callable[..., Any], act: Callable[..., Any], citizen: User, officer: User
) -> None:
    number = waste(apply, pay(actor(citizen))["order_key"])
    act(officer, "assign", number, officer_id=officer.pk)
    act(citizen, "withdraw", number, when="2026-03-10T11:00")
    assert Payment.objects.get().refunded == 3000


def test_no_refund_once_review_started(
    apply: Callable[..., Any], act: Callable[..., Any], citizen: User, officer: User
) -> None:
    number = waste(apply, pay(actor(citizen))["order_key"])
    act(officer, "start-review", number)
    act(citizen, "withdraw", number, when="2026-03-10T11:00")
    payment = Payment.objects.get()
    assert (payment.status, payment.refunded, payment.refunds) == ("approved", 0, [])


def test_the_rule_in_one_function() -> None:
    assert refund_due_on_withdrawal("received") and refund_due_on_withdrawal("assigned")
    for state in ("in_review", "supplement_requested", "awaiting_approval"):
        assert not refund_due_on_withdrawal(state)


def test_a_clerk_refunds_the_citizen_cannot(
    apply: Callable[..., Any], citizen: User, clerk: User, make_staff: Callable[..., User]
) -> None:
    order = pay(actor(citizen))["order_key"]
    waste(apply, order)

    def refund(who: User, **extra: Any) -> dict[str, Any]:
        return execute(RefundPayment(actor=actor(who), channel=Channel.COUNTER,
                                     jurisdiction=WONJU, order_key=order, **extra)).value  # fmt: skip

    with pytest.raises(NotFound):  # filed: the applicant withdraws instead
        refund(citizen, reason="변심")
    with pytest.raises(NotFound):  # another city's clerk: as if there were no payment
        refund(make_staff("counter_clerk", "5211000000"), reason="과오납")
    with pytest.raises(ValidationFailed):
        refund(clerk)
    with pytest.raises(ValidationFailed):
        refund(clerk, amount=5000, reason="과오납")
    assert refund(clerk, amount=1000, reason="과오납")["status"] == "partly_refunded"
    assert refund(clerk, reason="과오납")["refunded"] == 3000
    with pytest.raises(DomainError):
        refund(clerk, reason="또 환불")


def test_the_payer_voids_an_unfiled_charge(
    citizen: User, make_citizen: Callable[..., User]
) -> None:
    order = pay(actor(citizen))["order_key"]
    with pytest.raises(NotFound):
        execute(RefundPayment(actor=actor(make_citizen()), channel=Channel.ONLINE,
                              jurisdiction=WONJU, order_key=order, reason="x"))  # fmt: skip
    execute(RefundPayment(actor=actor(citizen), channel=Channel.ONLINE, jurisdiction=WONJU,
                          order_key=order, reason="접수 실패"))  # fmt: skip
    assert Payment.objects.get().status == "refunded"


def test_the_screen_voids_only_an_unfiled_charge(apply: Callable[..., Any], citizen: User) -> None:
    """``fees.void``, run when an application is refused after its charge: the charge goes
    back; a charge already linked to a filed application is left alone."""
    unfiled = pay(actor(citizen))["order_key"]
    fees.void(actor=actor(citizen), office=WONJU, order=unfiled)
    assert Payment.objects.get(order_key=unfiled).status == "refunded"
    filed = pay(actor(citizen))["order_key"]
    waste(apply, filed)
    fees.void(actor=actor(citizen), office=WONJU, order=filed)
    assert Payment.objects.get(order_key=filed).status == "approved"
    assert fees.order_for(unfiled) != unfiled and fees.order_for("f" * 32) == "f" * 32
    assert fees.order_for(filed) == filed  # a repeated tap replays the same charge
