"""Tax reads for pages, the API and certificates (납세증명: arrears)."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet, Sum

from minwon.accounts.permissions import in_scope
from minwon.kernel import clock
from minwon.kernel.errors import NotFound
from minwon.kernel.privacy import log_access
from minwon.kernel.types import Actor, Channel

from .models import TaxBill


def bills_for(actor: Actor, permission: str = "tax.read") -> QuerySet[TaxBill]:
    qs: QuerySet[TaxBill] = in_scope(
        TaxBill.objects.select_related("taxpayer", "jurisdiction"), actor, permission
    )
    return qs


def bills_of_person(person_id: int) -> list[TaxBill]:
    return list(TaxBill.objects.filter(taxpayer_id=person_id).order_by("-due_on", "-id"))


def open_bills(person_id: int) -> list[TaxBill]:
    return list(TaxBill.objects.filter(taxpayer_id=person_id, paid_on__isnull=True))


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


def bill_detail(
    actor: Actor, bill_id: int, *, purpose: str, channel: str = Channel.COUNTER
) -> TaxBill:
    bill = bills_for(actor).filter(pk=bill_id).first()
    if bill is None:
        raise NotFound("고지서를 찾을 수 없습니다.", "Bill not found.", field="bill_id")
    log_access(
        actor=actor,
        channel=channel,
        subject_type="person",
        subject_id=str(bill.taxpayer_id),
        what=f"tax_bill:{bill.pk}",
        purpose=purpose or "지방세 조회",
    )
    return bill
