"""Reads of payments: what an application's applicant (and its officer) sees it paid."""

from __future__ import annotations

from minwon.payments.models import Payment


def payment_of(receipt_number: str) -> Payment | None:
    """The card payment of an application's fees, if they were paid by card."""
    return Payment.objects.filter(reference=receipt_number).order_by("id").first()
