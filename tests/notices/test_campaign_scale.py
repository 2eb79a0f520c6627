"""A campaign of 10,000 bills enqueues exactly 10,000 notices, however often it is issued
(the same command replayed, or a new command for the same period). Runs on SQLite and, with
``--postgres``, on PostgreSQL."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from minwon.kernel import execute
from minwon.kernel.types import Channel
from minwon.notices.campaigns import IssueTaxCampaign
from minwon.notices.models import InboxMessage, Notice, NoticeDelivery
from tests.notices.conftest import PERIOD, resident, vehicle_bills
from tests.registry.factories import SYSTEM, WONJU

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("jurisdictions_loaded")]


def test_ten_thousand_bills_make_ten_thousand_notices_once(anchored: Any) -> None:
    persons = [resident(account=False)[0] for _ in range(40)]
    vehicle_bills(persons, per_person=250)
    command_id = uuid.uuid4()

    def issue(cid: uuid.UUID) -> dict[str, Any]:
        return execute(IssueTaxCampaign(actor=SYSTEM, channel=Channel.ONLINE, jurisdiction=WONJU,
                                        period=PERIOD, command_id=cid)).value  # fmt: skip

    first = issue(command_id)
    assert (first["created"], first["total"]) == (10_000, 10_000)
    assert issue(command_id) == first  # replay of the same command
    assert issue(uuid.uuid4())["created"] == 0  # the clerk presses the button again
    assert Notice.objects.count() == 10_000
    assert InboxMessage.objects.filter(notice__isnull=False).count() == 10_000
    assert NoticeDelivery.objects.filter(channel="inbox", state="delivered").count() == 10_000
    assert Notice.objects.values("source_key").distinct().count() == 10_000
