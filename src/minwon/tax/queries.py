"""Tax reads for certificates (납세증명: arrears) and commands. Who may read which bills
(pages, the API) is ``tax.policies``; these helpers are for code that already decided."""

from __future__ import annotations

from datetime import date

from django.db.models import Sum

from minwon.kernel import clock

from .models import TaxBill


def arrears_of(person_id: int, *, on: date | None = None) -> list[TaxBill]:
    """체납: unpaid bills whose due date has passed (on ``on``, default today)."""
    day = on or clock.now().date()
    return list(
        TaxBill.objects.filter(taxpayer_id=person_id, paid_on__isnull=True, due_on__lt=day)
        .select_related("jurisdiction")
        .order_by("due_on", "id")
    )


def arrears_total(person_id: int, *, on: date | None = None) -> int:
    day = on or clock.now().date()
    total = TaxBill.objects.filter(
        taxpayer_id=person_id, paid_on__isnull=True, due_on__lt=day
    ).aggregate(s=Sum("amount"))["s"]
    return int(total or 0)
