"""수수료 결제: one row per card authorisation, with what it pays for and its refunds.

Only ``payments.commands`` and ``payments.events`` write these. The card is kept as its
brand and last four digits only: the full number never reaches the database or a log.
"""

from __future__ import annotations

from django.db import models


class Payment(models.Model):
    """One approved charge (승인) of a fee in 원: the gateway that approved it, its approval
    number, the order key that makes a repeated authorisation the same charge, and what
    it pays for (the petitions of one application, each item's fee in ``lines``)."""

    class Status(models.TextChoices):
        APPROVED = "approved", "결제 완료"
        PARTLY_REFUNDED = "partly_refunded", "일부 환불"
        REFUNDED = "refunded", "환불 완료"

    order_key = models.CharField("주문 번호", max_length=64, unique=True)
    provider = models.CharField("결제 대행", max_length=40)
    approval_number = models.CharField("승인 번호", max_length=40)
    amount = models.PositiveIntegerField("결제 금액(원)")
    refunded = models.PositiveIntegerField("환불 금액(원)", default=0)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.APPROVED)
    card_brand = models.CharField("카드 종류", max_length=20)
    card_last4 = models.CharField("카드 끝 네 자리", max_length=4)
    #: What it pays for: ``petition`` (an application's fees) or ``certificate`` (one
    #: issued at a kiosk); ``reference`` is the receipt number or the document number once
    #: filed or issued (empty for the moment between approval and that).
    purpose = models.CharField("결제 대상", max_length=20, default="petition")
    description = models.CharField("내용", max_length=200, blank=True, default="")
    reference = models.CharField("접수번호", max_length=40, blank=True, default="", db_index=True)
    #: [{"item": 1, "type_code": ..., "amount": 3000}]: the fee of each petition.
    lines = models.JSONField(default=list, blank=True)
    #: [{"amount", "reason", "item", "refund_number", "at"}]
    refunds = models.JSONField(default=list, blank=True)
    payer = models.CharField(max_length=120)
    channel = models.CharField(max_length=12)
    jurisdiction = models.ForeignKey(
        "kernel.Jurisdiction", on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField("결제 일시")
    recorded_at = models.DateTimeField()
    command_id = models.UUIDField(unique=True)

    class Meta:
        verbose_name = "수수료 결제"
        verbose_name_plural = "수수료 결제"

    def __str__(self) -> str:
        return f"{self.approval_number} ({self.amount}원)"

    @property
    def balance(self) -> int:
        """What is still charged after the refunds."""
        return self.amount - self.refunded
