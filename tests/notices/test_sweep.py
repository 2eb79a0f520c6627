"""``minwon notices_sweep`` and the dead letters: unopened notices reach paper on schedule,
held SMS go out in the morning, and a channel that gave up is listed for the operator."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from minwon.kernel import clock, execute, outbox
from minwon.kernel.types import Channel
from minwon.notices import channels
from minwon.notices.campaigns import IssueTaxCampaign
from minwon.notices.delivery import CHANNEL_ATTEMPTS
from minwon.notices.models import Notice, NoticeDelivery, PrintBatch
from tests.notices.conftest import ANCHOR, PERIOD, resident, vehicle_bills
from tests.registry.factories import SYSTEM, WONJU

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("jurisdictions_loaded")]


def issue(hours: int) -> None:
    execute(IssueTaxCampaign(actor=SYSTEM, channel=Channel.ONLINE, jurisdiction=WONJU,
                             period=PERIOD, paper_after_hours=hours))  # fmt: skip


def sweep() -> str:
    out = StringIO()
    call_command("notices_sweep", stdout=out)
    return out.getvalue()


def test_sweep_makes_the_due_print_batch_once(anchored: Any) -> None:
    persons = [resident(account=False)[0] for _ in range(3)]
    vehicle_bills(persons)
    issue(hours=72)
    assert "to paper" not in sweep()
    later = ANCHOR + timedelta(hours=73)
    with clock.frozen_at(later):
        assert "3 notices to paper" in sweep()
        assert "to paper" not in sweep()  # the same hour: replayed, nothing more
    assert PrintBatch.objects.get().size == 3
    assert set(Notice.objects.values_list("print_batch", flat=True)) == {
        PrintBatch.objects.get().pk
    }


def test_sweep_releases_held_sms_in_the_morning() -> None:
    sink = channels.DemoSmsSink()
    channels.gateway, previous = sink, channels.gateway
    night = ANCHOR.replace(hour=23)
    try:
        with clock.frozen_at(night):
            person, _ = resident(phone="010-2222-3333")
            vehicle_bills([person])
            issue(hours=168)
            outbox.deliver_batch()
            assert "released 0" in sweep()
        with clock.frozen_at(night + timedelta(hours=9, minutes=15)):
            assert "released 1" in sweep()
            outbox.deliver_batch()
        assert len(sink.sent) == 1 and "납부기한" in sink.sent[0][1]
    finally:
        channels.gateway = previous


def test_operator_sees_the_failed_channel(anchored: Any, make_staff: Any) -> None:
    person, _ = resident(email=f"failing@{channels.SIMULATOR_DOMAIN}")
    vehicle_bills([person])
    issue(hours=168)
    at = ANCHOR
    for _ in range(CHANNEL_ATTEMPTS + 1):
        with clock.frozen_at(at):
            outbox.deliver_batch()
        at += timedelta(minutes=15)
    assert NoticeDelivery.objects.get(channel="email").state == "failed"
    operator = Client()
    operator.force_login(make_staff("operator"))
    page = operator.get("/staff/notices/dead/").content.decode()
    assert "always failing" in page and person.name not in page.split("<main")[0]
    notice_page = operator.get(f"/staff/notices/{Notice.objects.get().pk}/").content.decode()
    assert 'data-step="failed:email"' in notice_page
    gongju = Client()  # another 시·군·구's clerk does not see 원주시's failures
    gongju.force_login(make_staff("counter_clerk", scope="4415000000"))
    assert "always failing" not in gongju.get("/staff/notices/dead/").content.decode()


def test_parked_outbox_rows_are_shown_only_to_the_office_that_raised_them(
    anchored: Any, make_staff: Any
) -> None:
    import uuid

    from minwon.kernel.models import OutboxDelivery, OutboxEvent

    for office, error in ((WONJU, "원주 receiver broke"), ("4415000000", "공주 receiver broke")):
        event = OutboxEvent.objects.create(
            name="NoticeSent", payload={}, command_id=uuid.uuid4(), jurisdiction=office,
            occurred_at=ANCHOR, recorded_at=ANCHOR,
        )  # fmt: skip
        OutboxDelivery.objects.create(
            event=event, receiver="notices.email", state=OutboxDelivery.State.DEAD,
            attempts=8, next_attempt_at=ANCHOR, last_error=error,
        )  # fmt: skip
    wonju = Client()
    wonju.force_login(make_staff("operator"))
    page = wonju.get("/staff/notices/dead/").content.decode()
    assert "원주 receiver broke" in page and "공주 receiver broke" not in page
    gongju = Client()
    gongju.force_login(make_staff("counter_clerk", scope="4415000000"))
    page = gongju.get("/staff/notices/dead/").content.decode()
    assert "공주 receiver broke" in page and "원주 receiver broke" not in page
