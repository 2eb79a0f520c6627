"""수수료 결제 commands: record a card approval, refund (part of) one.

The card itself never enters a command (commands are stored and audited): the page hands
it to the gateway (``providers.provider().authorise``) and records the approval with
``RecordPayment``, whose handler asks the gateway to confirm it. ``RefundPayment`` gives
back what a clerk refunds, or voids a charge whose application could not be filed; a
withdrawal refunds through ``refund`` (``events.py``) under the rule of
``refund_due_on_withdrawal``.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, ClassVar

from minwon.kernel.bus import Context
from minwon.kernel.clock import local
from minwon.kernel.errors import Conflict, NotFound, ValidationFailed
from minwon.kernel.registry import handler
from minwon.kernel.types import Command, Continuity, RoomCategory
from minwon.payments import policies
from minwon.payments.models import Payment
from minwon.payments.providers import provider_named

MAX_AMOUNT = 10_000_000  # 원: above any fee of the catalog; a typo, not a fee
BRANDS = ("visa", "mastercard", "amex", "domestic")
#: States in which the office has not started processing (접수, 배정: nobody reviewed it).
NOT_STARTED = ("received", "assigned")


def refund_due_on_withdrawal(state_before: str) -> bool:
    """수수료 반환 on 취하: the fee of a petition withdrawn **before the office started
    processing it** (still 접수 or 배정: no review, no 보완 요구, no draft decision) is
    refunded in full; once review has started, the fee paid for the work is kept. This is
    the rule local fee ordinances apply to petitions withdrawn before processing (for
    example a 대형폐기물 배출 신고 cancelled before collection) and the one 정부24 applies
    to online fees; a type with a different rule in its own law is not modelled yet."""
    return state_before in NOT_STARTED


@dataclasses.dataclass(frozen=True, kw_only=True)
class RecordPayment(Command):
    """수수료 결제: record the gateway's approval of a fee (the citizen online, the person
    at a kiosk, a clerk taking a card at the counter). ``order_key`` is the charge's
    idempotency key at the gateway; the card is only its brand and last four digits."""

    permission: ClassVar[str | None] = None  # the payer, or a clerk with petitions.intake
    continuity: ClassVar[Continuity] = Continuity.LOCAL
    room_category: ClassVar[RoomCategory | None] = None

    order_key: str
    amount: int
    provider: str
    approval_number: str
    card_brand: str
    card_last4: str
    description: str = ""


def _check(cmd: RecordPayment) -> None:
    if not re.fullmatch(r"[A-Za-z0-9-]{8,64}", cmd.order_key):
        raise ValidationFailed(
            "주문 번호가 올바르지 않습니다.", "Bad order key.", field="order_key"
        )
    if not 0 < cmd.amount <= MAX_AMOUNT:
        raise ValidationFailed("결제 금액이 올바르지 않습니다.", "Bad amount.", field="amount")
    if cmd.card_brand not in BRANDS or not re.fullmatch(r"\d{4}", cmd.card_last4):
        raise ValidationFailed("카드 정보가 올바르지 않습니다.", "Bad card details.", field="card")


@handler(RecordPayment)
def record_payment(cmd: RecordPayment, *, ctx: Context) -> dict[str, Any]:
    policies.require_payer(ctx, cmd.channel, cmd.jurisdiction)
    _check(cmd)
    gateway = provider_named(cmd.provider)
    if not gateway.confirm(
        order_key=cmd.order_key, amount=cmd.amount, approval_number=cmd.approval_number
    ):
        raise ValidationFailed(
            "결제 승인을 확인할 수 없습니다. 다시 결제하세요.",
            "The gateway does not confirm this approval.",
            field="approval_number",
        )
    existing = Payment.objects.select_for_update().filter(order_key=cmd.order_key).first()
    if existing is not None:  # the same charge recorded again (a retried request)
        same = (existing.approval_number, existing.amount, existing.payer) == (
            cmd.approval_number, cmd.amount, policies.payer(ctx.actor)
        )  # fmt: skip
        if not same:
            raise Conflict(
                "이미 결제된 주문입니다.", "This order is already paid.", field="order_key"
            )
        return _result(existing)
    payment = Payment.objects.create(
        order_key=cmd.order_key, provider=cmd.provider, approval_number=cmd.approval_number,
        amount=cmd.amount, card_brand=cmd.card_brand, card_last4=cmd.card_last4,
        description=cmd.description.strip()[:200], payer=policies.payer(ctx.actor),
        channel=str(cmd.channel), jurisdiction_id=cmd.jurisdiction,
        approved_at=local(cmd.occurred_at), recorded_at=ctx.recorded_at,
        command_id=cmd.command_id,
    )  # fmt: skip
    return _result(payment)


def _result(payment: Payment) -> dict[str, Any]:
    return {
        "order_key": payment.order_key,
        "approval_number": payment.approval_number,
        "amount": payment.amount,
        "refunded": payment.refunded,
        "status": payment.status,
        "card_brand": payment.card_brand,
        "card_last4": payment.card_last4,
        "reference": payment.reference,
    }


def refund(ctx: Context, payment: Payment, amount: int, *, reason: str, key: str) -> int:
    """Give back ``amount`` 원 (at most what is still charged) through the gateway that
    charged it; ``key`` makes a repeat the same refund. Returns the amount refunded."""
    amount = min(amount, payment.balance)
    if amount <= 0 or any(r.get("key") == key for r in payment.refunds):
        return 0
    number = provider_named(payment.provider).refund(
        approval_number=payment.approval_number, amount=amount, key=key
    )
    payment.refunded += amount
    payment.status = (
        Payment.Status.REFUNDED if payment.balance == 0 else Payment.Status.PARTLY_REFUNDED
    )
    payment.refunds = [*payment.refunds, {
        "amount": amount, "reason": reason[:200], "key": key, "refund_number": number,
        "at": ctx.recorded_at.isoformat(),
    }]  # fmt: skip
    payment.save(update_fields=["refunded", "status", "refunds"])
    return amount


@dataclasses.dataclass(frozen=True, kw_only=True)
class RefundPayment(Command):
    """수수료 환불: a clerk refunds (part of) a fee, or the payer voids a charge whose
    application could not be filed (망취소). ``amount`` 0 refunds all that remains."""

    permission: ClassVar[str | None] = None  # the payer of an unfiled charge, or payments.refund
    continuity: ClassVar[Continuity] = Continuity.REFUSE
    room_category: ClassVar[RoomCategory | None] = None

    order_key: str
    amount: int = 0
    reason: str = ""


@handler(RefundPayment)
def refund_payment(cmd: RefundPayment, *, ctx: Context) -> dict[str, Any]:
    payment = Payment.objects.select_for_update().filter(order_key=cmd.order_key).first()
    if payment is None or not policies.may_refund(ctx, payment):
        raise NotFound("결제 내역이 없습니다.", "No such payment.", field="order_key")
    reason = cmd.reason.strip()
    if not reason:
        raise ValidationFailed("환불 사유를 입력하세요.", "A reason is required.", field="reason")
    if not 0 <= cmd.amount <= payment.balance or payment.balance == 0:
        raise ValidationFailed(
            f"환불할 수 있는 금액은 {payment.balance:,}원입니다.",
            f"At most {payment.balance} won can be refunded.",
            field="amount",
        )
    refund(ctx, payment, cmd.amount or payment.balance, reason=reason, key=str(cmd.command_id))
    return _result(payment)
