"""Local tax: payment closes a bill, arrears are unpaid bills past due."""

from __future__ import annotations

from datetime import timedelta

import pytest

from minwon.kernel import execute
from minwon.kernel.errors import Conflict
from minwon.kernel.types import Channel
from minwon.tax.commands import RecordTaxPayment
from minwon.tax.models import TaxBill
from minwon.tax.queries import arrears_of, arrears_total
from tests.registry.factories import SYSTEM, WONJU, register, tax_bill, today

pytestmark = pytest.mark.django_db


def test_payment_and_arrears(jurisdictions_loaded: None) -> None:
    person = register()
    late, paid = tax_bill(person), tax_bill(person)
    TaxBill.objects.filter(pk=late).update(due_on=today() - timedelta(days=10))
    assert [b.pk for b in arrears_of(person.pk)] == [late]
    execute(RecordTaxPayment(actor=SYSTEM, channel=Channel.COUNTER, jurisdiction=WONJU, bill_id=paid, paid_on=today()))  # fmt: skip
    with pytest.raises(Conflict):
        execute(RecordTaxPayment(actor=SYSTEM, channel=Channel.COUNTER, jurisdiction=WONJU, bill_id=paid, paid_on=today()))  # fmt: skip
    assert arrears_total(person.pk) == 145_000
    assert TaxBill.objects.get(pk=late).number.startswith("51130-")
