"""Formal notices: templates and deadlines, the campaign, the lifecycle on every channel
(retry, fallback, quiet hours), the paper batch, and the timeline both sides see."""

from __future__ import annotations

import re
import subprocess
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from minwon.kernel import clock, execute, outbox
from minwon.kernel.errors import ValidationFailed
from minwon.kernel.types import Actor, Channel
from minwon.notices import campaigns, catalog, channels, paper
from minwon.notices.campaigns import IssueNotice, IssueTaxCampaign, QueuePaperBatch
from minwon.notices.delivery import CHANNEL_ATTEMPTS, ReleaseHeldMessages, quiet_ends
from minwon.notices.models import InboxMessage, Notice, NoticeDelivery, PrintBatch
from tests.notices.conftest import ANCHOR, PERIOD, resident, vehicle_bills
from tests.registry.factories import SYSTEM, WONJU

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("jurisdictions_loaded")]


def campaign(actor: Actor = SYSTEM, **kw: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {"period": PERIOD, **kw}
    return execute(IssueTaxCampaign(actor=actor, channel=Channel.ONLINE, jurisdiction=WONJU, **fields)).value  # fmt: skip


def drain(until: int = 50) -> None:
    """Run the worker until nothing is due at the frozen time."""
    for _ in range(until):
        if outbox.deliver_batch() == (0, 0):
            return


def test_templates_are_versioned_and_start_their_legal_deadline() -> None:
    assert catalog.latest("tax_bill").version == 2
    assert catalog.template("tax_bill", 1).subject != catalog.template("tax_bill", 2).subject
    fine = catalog.latest("fine_pre_notice")
    assert fine.deadline(date(2026, 6, 2), None) == date(2026, 6, 12)  # 의견제출기한 10일
    assert catalog.latest("petition_result").deadline(date(2026, 6, 2), None) == date(2026, 8, 31)
    with pytest.raises(ValidationFailed) as err:
        catalog.latest("civil_defence").deadline(date(2026, 6, 2), None)
    assert err.value.field == "deadline_on"
    with pytest.raises(ValidationFailed):
        catalog.template("tax_bill", 99)


def test_civil_defence_notice_carries_the_education_date(anchored: Any) -> None:
    person, _ = resident()
    value = execute(IssueNotice(
        actor=SYSTEM, channel=Channel.COUNTER, jurisdiction=WONJU, kind="civil_defence",
        person_id=person.pk, fields={"year": 2026, "place": "원주시청 대회의실"},
        deadline_on=date(2026, 6, 20),
    )).value  # fmt: skip
    notice = Notice.objects.get(pk=value["notice_id"])
    assert notice.deadline_label == "교육일" and notice.deadline_on == date(2026, 6, 20)
    assert "원주시청 대회의실" in notice.body and notice.subject.startswith("[원주시]")
    assert InboxMessage.objects.get(notice=notice).recipient_index == person.rrn_index


def test_campaign_issues_one_notice_per_open_bill_and_repeats_add_none(
    anchored: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    persons = [resident(account=False)[0] for _ in range(3)]
    vehicle_bills(persons, per_person=2)
    vehicle_bills(persons[:1], paid=True)  # paid bills get no notice
    monkeypatch.setattr(campaigns, "MAX_PER_COMMAND", 4)
    first = campaign()
    assert (first["created"], first["total"], first["remaining"]) == (4, 6, 2)
    assert campaign()["created"] == 2  # the rest, on the next issue
    again = campaign()
    assert again == {"campaign_id": first["campaign_id"], "created": 0, "total": 6, "remaining": 0}
    assert Notice.objects.count() == 6 and InboxMessage.objects.count() == 6
    notice = Notice.objects.order_by("pk").first()
    assert notice is not None
    assert notice.deadline_label == "납부기한" and notice.deadline_on == date(2026, 6, 30)
    assert notice.template_version == 2 and "자동차세" in notice.subject


def test_bad_campaign_input_names_the_field_and_changes_nothing(anchored: Any) -> None:
    for fields, field in (({"item": "nope"}, "item"), ({"period": " "}, "period"),
                          ({"paper_after_hours": 0}, "paper_after_hours")):  # fmt: skip
        with pytest.raises(ValidationFailed) as err:
            campaign(**fields)
        assert err.value.field == field
    assert not Notice.objects.exists()


def test_a_channel_over_its_rate_waits_for_the_next_window_without_failing(
    anchored: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MINWON_RATE_NOTICE_EMAIL", "2/60")
    people = [resident(email=f"rate{k}@example.kr")[0] for k in range(5)]
    vehicle_bills(people)
    campaign()
    drain()
    assert len(mail.outbox) == 2
    waiting = outbox.OutboxDelivery.objects.filter(receiver="notices.notice_email", state="pending")
    assert waiting.count() == 3
    # Deferred, not failed: no attempt counted, the wait ends when the window reopens.
    assert {(w.attempts, w.last_error) for w in waiting} == {(0, "email rate limit")}
    assert {w.next_attempt_at for w in waiting} == {ANCHOR + timedelta(seconds=60)}
    with clock.frozen_at(ANCHOR + timedelta(seconds=59)):
        drain()
    assert len(mail.outbox) == 2
    with clock.frozen_at(ANCHOR + timedelta(seconds=60)):
        drain()
    assert len(mail.outbox) == 4
    with clock.frozen_at(ANCHOR + timedelta(seconds=120)):
        drain()
    assert len(mail.outbox) == 5
    rows = NoticeDelivery.objects.filter(channel="email")
    assert {(r.state, r.attempts) for r in rows} == {("delivered", 1)}
    assert not PrintBatch.objects.exists() and not Notice.objects.filter(paper_due_at__lte=ANCHOR)


def test_email_is_delivered_once_through_the_outbox(anchored: Any) -> None:
    person, _ = resident(email="kim@example.kr")
    vehicle_bills([person])
    campaign()
    drain()
    assert len(mail.outbox) == 1 and "자동차세" in mail.outbox[0].subject
    assert "한국 시간" in mail.outbox[0].body
    row = NoticeDelivery.objects.get(channel="email")
    assert row.state == "delivered" and row.attempts == 1
    # A redelivered event (at least once) finds the channel delivered and sends nothing.
    outbox_row = outbox.OutboxDelivery.objects.get(receiver="notices.notice_email")
    outbox.OutboxDelivery.objects.filter(pk=outbox_row.pk).update(state="pending")
    drain()
    assert len(mail.outbox) == 1
    kinds = [(e.kind, e.channel) for e in Notice.objects.get().events.all()]
    assert kinds == [("issued", ""), ("delivered", "inbox"), ("delivered", "email")]


def test_failing_channel_retries_then_falls_back_to_paper(anchored: Any) -> None:
    person, _ = resident(email=f"failing@{channels.SIMULATOR_DOMAIN}")
    ok, _ = resident(email=f"delivered@{channels.SIMULATOR_DOMAIN}")
    vehicle_bills([person, ok])
    campaign(paper_after_hours=24 * 30)
    at = ANCHOR
    for _ in range(CHANNEL_ATTEMPTS + 2):
        with clock.frozen_at(at):
            drain()
        at += timedelta(minutes=15)  # past any backoff so far
    failed = NoticeDelivery.objects.get(notice__recipient_index=person.rrn_index, channel="email")
    assert failed.state == "failed" and failed.attempts == CHANNEL_ATTEMPTS
    assert "always failing" in failed.last_error
    delivered = NoticeDelivery.objects.get(notice__recipient_index=ok.rrn_index, channel="email")
    assert delivered.state == "delivered" and not mail.outbox  # simulated: nothing sent
    with clock.frozen_at(at):
        cid = Notice.objects.get(recipient_index=person.rrn_index).campaign_id
        result = execute(QueuePaperBatch(actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=WONJU, campaign_id=cid))  # fmt: skip
    assert result.value["size"] == 1  # the failed one only: the other is still in time
    assert PrintBatch.objects.get().notices.get().recipient_index == person.rrn_index


def test_unopened_notice_reaches_the_paper_batch(
    anchored: Any, tmp_path: Path, make_staff: Any
) -> None:
    (reader, reader_user), (absent, _) = resident(), resident()
    vehicle_bills([reader, absent])
    cid = campaign(paper_after_hours=48)["campaign_id"]
    client = Client()
    assert reader_user is not None
    client.force_login(reader_user)
    message = InboxMessage.objects.get(recipient_index=reader.rrn_index)
    assert client.get(f"/inbox/{message.pk}/").status_code == 200
    queue = QueuePaperBatch(
        actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=WONJU, campaign_id=cid
    )
    assert execute(queue).value["size"] == 0  # not yet due
    with clock.frozen_at(ANCHOR + timedelta(hours=49)):
        result = execute(QueuePaperBatch(actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=WONJU, campaign_id=cid))  # fmt: skip
    assert result.value["size"] == 1
    batch = PrintBatch.objects.get()
    assert [n.recipient_index for n in batch.notices.all()] == [absent.rrn_index]
    officer = Client()
    officer.force_login(make_staff("officer"))
    response = officer.get(f"/staff/notices/campaigns/{cid}/print/{batch.pk}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "batch.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert absent.name in text and "단구로 170" in text and reader.name not in text
    assert len(paper.letters_pdf(batch)) > 1000


def test_sms_is_held_at_night_and_sent_in_the_morning() -> None:
    night = ANCHOR.replace(hour=22, minute=30)
    sink = channels.DemoSmsSink()
    channels.gateway, previous = sink, channels.gateway
    try:
        with clock.frozen_at(night):
            person, _ = resident(phone="010-1234-5678")
            vehicle_bills([person])
            campaign()
            drain()
            row = NoticeDelivery.objects.get(channel="sms")
            assert row.state == "held" and row.hold_until == quiet_ends(night)
            assert not sink.sent
            execute(ReleaseHeldMessages(actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=WONJU))
            drain()
            assert not sink.sent
        with clock.frozen_at(night + timedelta(hours=9, minutes=29)):  # 07:59 next day
            assert execute(ReleaseHeldMessages(actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=WONJU)).value == {"released": 0}  # fmt: skip
        with clock.frozen_at(night + timedelta(hours=9, minutes=35)):  # 08:05
            assert execute(ReleaseHeldMessages(actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=WONJU)).value == {"released": 1}  # fmt: skip
            drain()
        assert [phone for phone, _ in sink.sent] == ["010-1234-5678"]
        assert NoticeDelivery.objects.get(channel="sms").state == "delivered"
    finally:
        channels.gateway = previous


def _timeline(html: str) -> str:
    match = re.search(r'<ol class="notice-timeline".*?</ol>', html, re.S)
    assert match is not None
    return match.group(0)


def test_citizen_and_operator_see_the_same_timeline(anchored: Any, make_staff: Any) -> None:
    person, user = resident(email="lee@example.kr")
    assert user is not None
    vehicle_bills([person])
    campaign()
    drain()
    citizen = Client()
    citizen.force_login(user)
    message = InboxMessage.objects.get(recipient_index=person.rrn_index)
    citizen.get(f"/inbox/{message.pk}/")
    assert citizen.post(f"/inbox/{message.pk}/acknowledge").status_code == 302
    mine = _timeline(citizen.get(f"/inbox/{message.pk}/").content.decode())
    steps = re.findall(r'data-step="([^"]+)"', mine)
    assert steps == [
        "issued",
        "delivered:inbox",
        "delivered:email",
        "opened:inbox",
        "acknowledged:inbox",
    ]
    assert "2026-06-02 10:00:00" in mine  # Korean time
    operator = Client()
    operator.force_login(make_staff("operator"))
    theirs = _timeline(operator.get(f"/staff/notices/{message.notice_id}/").content.decode())
    assert theirs == mine
    notice = Notice.objects.get()
    assert notice.state == "acknowledged" and notice.opened_at == ANCHOR


def test_notices_are_private_and_out_of_scope_is_404(anchored: Any, make_staff: Any) -> None:
    person, _ = resident()
    _, other = resident()
    vehicle_bills([person])
    campaign()
    message = InboxMessage.objects.get(recipient_index=person.rrn_index)
    assert other is not None
    stranger = Client()
    stranger.force_login(other)
    assert stranger.get(f"/inbox/{message.pk}/").status_code == 404
    assert stranger.post(f"/inbox/{message.pk}/acknowledge").status_code == 404
    gongju = Client()
    gongju.force_login(make_staff("officer", scope="4415000000"))
    assert gongju.get(f"/staff/notices/{message.notice_id}/").status_code == 404
    assert (
        gongju.get(f"/staff/notices/campaigns/{Notice.objects.get().campaign_id}/").status_code
        == 404
    )


def test_staff_page_issues_a_campaign_and_shows_progress(anchored: Any, make_staff: Any) -> None:
    persons = [resident(account=False)[0] for _ in range(2)]
    vehicle_bills(persons)
    officer = Client()
    officer.force_login(make_staff("officer"))
    assert 'href="/staff/notices/"' in officer.get("/staff/").content.decode()  # in the menu
    page = officer.get("/staff/notices/")
    assert page.status_code == 200 and "지방세 고지서 일괄 발송" in page.content.decode()
    bad = officer.post("/staff/notices/", {"jurisdiction": WONJU, "item": "vehicle", "period": ""})
    assert bad.status_code == 400 and "과세 기간을 입력하세요" in bad.content.decode()
    done = officer.post("/staff/notices/", {"jurisdiction": WONJU, "item": "vehicle", "period": PERIOD,
                                            "paper_after_hours": "24"})  # fmt: skip
    assert done.status_code == 302
    body = officer.get(done["Location"]).content.decode()
    assert 'data-count="issued">2<' in body and 'data-count="inbox">2<' in body
    clerk = Client()
    clerk.force_login(make_staff("counter_clerk"))
    assert (
        clerk.post("/staff/notices/", {"jurisdiction": WONJU, "period": PERIOD}).status_code == 403
    )


def test_notice_pages_have_english(anchored: Any, make_staff: Any) -> None:
    from django.conf import settings

    person, user = resident()
    assert user is not None
    vehicle_bills([person])
    campaign()
    citizen = Client()
    citizen.force_login(user)
    citizen.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    message = InboxMessage.objects.get(recipient_index=person.rrn_index)
    body = citizen.get(f"/inbox/{message.pk}/").content.decode()
    assert "Delivery history" in body and "I have read this notice" in body
    officer = Client()
    officer.force_login(make_staff("officer"))
    officer.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Send local tax bills" in officer.get("/staff/notices/").content.decode()
