"""Notice test data through commands: residents with 자동차세 bills, citizens who signed up
with an e-mail or phone (simulated recipients among them), and a clock frozen on a fixed
weekday morning so nothing depends on when the tests run."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import date, datetime

import pytest

from minwon.accounts.commands import SignUpCitizen
from minwon.accounts.models import User
from minwon.kernel import clock, execute, rrn
from minwon.kernel.types import NATION, Actor, Channel
from minwon.registry.models import Person
from minwon.tax.commands import ImportTaxBills, TaxBillRow
from tests.conftest import password_hash
from tests.registry.factories import SYSTEM, WONJU, new_rrn, register

#: Tuesday 2026-06-02 10:00 in Seoul: business hours, no SMS quiet time.
ANCHOR = datetime(2026, 6, 2, 10, 0, tzinfo=clock.SEOUL)
PERIOD = "2026 1기"
_n = itertools.count(1)


@pytest.fixture
def anchored() -> Iterator[datetime]:
    with clock.frozen_at(ANCHOR):
        yield ANCHOR


def resident(
    *, email: str = "", phone: str = "", account: bool = True
) -> tuple[Person, User | None]:
    """A 원주시 resident and, if ``account``, their citizen account with the contacts."""
    number = new_rrn()
    person = register(name=f"주민{next(_n)}", number=number)
    if not account:
        return person, None
    result = execute(
        SignUpCitizen(
            actor=Actor.anonymous(), channel=Channel.ONLINE, jurisdiction=NATION,
            username=f"notice-citizen-{person.pk}", display_name=person.name,
            password_hash=password_hash(), sealed_rrn=rrn.SealedRRN.from_text(number),
            identity_method="demo", email=email, phone=phone,
        )
    )  # fmt: skip
    return person, User.objects.get(pk=result.value["user_id"])


def vehicle_bills(persons: list[Person], per_person: int = 1, *, paid: bool = False) -> None:
    rows = [
        TaxBillRow(taxpayer_id=p.pk, item="vehicle", period=PERIOD, amount=130_000 + k,
                   due_on=date(2026, 6, 30), issued_on=date(2026, 6, 1),
                   paid_on=date(2026, 6, 1) if paid else None)
        for p in persons
        for k in range(per_person)
    ]  # fmt: skip
    for at in range(0, len(rows), 10000):
        execute(ImportTaxBills(actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=WONJU,
                               rows=rows[at : at + 10000]))  # fmt: skip


# The 송달 증명 is signed with the same demo keys as certificates: use the documents tests'
# isolated key folder (a session temp dir), never the developer's var/keys.
from tests.documents.conftest import _isolated_keys, key_dir  # noqa: E402, F401
