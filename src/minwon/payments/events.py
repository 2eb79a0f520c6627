"""Payments follow what they pay for, inside the command's transaction: a filed application
takes its paid order (the payment gets the receipt number and each petition's fee), an
issued certificate takes its paid order (the payment gets the document number), and a
withdrawn petition gets its fee back where the rule allows."""

from __future__ import annotations

from typing import Any

from minwon.documents.commands import CertificateIssued
from minwon.kernel.bus import Context
from minwon.kernel.errors import ValidationFailed
from minwon.kernel.registry import subscriber
from minwon.payments.commands import refund, refund_due_on_withdrawal
from minwon.payments.models import Payment
from minwon.payments.policies import owns
from minwon.petitions.commands.intake import ApplicationReceived
from minwon.petitions.commands.workflow import PetitionWithdrawn


def take_order(ctx: Context, order: str, *, reference: str, lines: list[dict[str, Any]],
               purpose: str, office: str | None = None) -> Payment:  # fmt: skip
    """Link the paid ``order`` to what it paid for (``reference``): the payment must be
    approved, not yet linked, the actor's own (at ``office``, when given) and of exactly the
    sum of ``lines``; otherwise the command is refused and nothing is filed or issued."""
    payment = (
        Payment.objects.select_for_update()
        .filter(order_key=order, status=Payment.Status.APPROVED, reference="")
        .first()
    )
    if (
        payment is None
        or not owns(ctx.actor, payment)
        or (office is not None and payment.jurisdiction_id != office)
    ):
        raise ValidationFailed(
            "결제 내역을 찾을 수 없습니다. 수수료를 다시 결제하세요.",
            "No unused payment with this order key.",
            field="payment_order",
        )
    due = sum(int(line["amount"]) for line in lines)
    if payment.amount != due:
        raise ValidationFailed(
            f"결제 금액({payment.amount:,}원)이 수수료 합계({due:,}원)와 다릅니다.",
            "The payment does not match the fees.",
            field="payment_order",
        )
    payment.reference = reference
    payment.lines = lines
    payment.purpose = purpose
    payment.save(update_fields=["reference", "lines", "purpose"])
    return payment


@subscriber(ApplicationReceived)
def link_payment(event: ApplicationReceived, *, ctx: Context) -> None:
    """The paid order must be the applicant's own, unused, and of exactly the fees of the
    application; otherwise nothing is filed."""
    if not event.payment_order:
        return
    take_order(ctx, event.payment_order, reference=event.receipt_number, purpose="petition",
               lines=[{"item": n, "amount": fee} for n, fee in enumerate(event.fees, start=1)])  # fmt: skip


@subscriber(CertificateIssued)
def link_certificate_payment(event: CertificateIssued, *, ctx: Context) -> None:
    """The paid order must be the kiosk's own at its office, unused, and of exactly the
    certificate's fee; otherwise nothing is issued (the ledger row rolls back with it)."""
    if not event.payment_order:
        return
    take_order(ctx, event.payment_order, reference=event.document_number,
               purpose="certificate", office=ctx.command.jurisdiction,
               lines=[{"item": 1, "cert_type": event.cert_type, "amount": event.fee}])  # fmt: skip


@subscriber(PetitionWithdrawn)
def refund_withdrawn(event: PetitionWithdrawn, *, ctx: Context) -> None:
    """취하 before processing started: that petition's fee goes back to the card."""
    if not refund_due_on_withdrawal(event.state_before):
        return
    payment = Payment.objects.select_for_update().filter(reference=event.receipt_number).first()
    if payment is None:
        return
    line: dict[str, Any] = next((x for x in payment.lines if x["item"] == event.item), {})
    refund(ctx, payment, int(line.get("amount", 0)), reason="처리 전 취하",
           key=f"withdraw:{event.receipt_number}-{event.item}")  # fmt: skip
