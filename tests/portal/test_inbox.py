"""알림함 (``/staff/inbox/``): the reminders and escalations the campaign sweep sends reach
the addressee's own inbox, newest first and marked unread; "읽음" is a command; the unread
count shows on the landing page and in the staff menu; nobody else reads a message (404,
the same as one that does not exist), and the citizen's inbox never holds staff messages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from minwon.kernel import execute
from minwon.kernel.errors import ValidationFailed
from minwon.kernel.models import CommandRecord
from minwon.kernel.types import NATION, Actor, Channel
from minwon.notices import policies as notice_policies
from minwon.notices.commands import SendNotice
from minwon.notices.models import InboxMessage
from minwon.portal import campaign_sweep
from tests.portal.campaign_factories import ANCHOR, DEADLINE, HOJEO, MUNMAK, SOCHO, WONJU, actor
from tests.portal.campaign_factories import create as create_campaign
from tests.web.authz_world import same_refusal

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def people(make_staff: Any) -> dict[str, Any]:
    return {
        "officer": make_staff("officer", WONJU),
        "munmak": make_staff("counter_clerk", MUNMAK),
        "socho": make_staff("counter_clerk", SOCHO),
        "hojeo": make_staff("counter_clerk", HOJEO),
        "head": make_staff("department_head", WONJU),
        "sysadmin": make_staff("sysadmin", NATION),
    }


def _swept(people: dict[str, Any]) -> int:
    """A campaign to 문막읍 and 소초면 reminded at opening and half-way."""
    campaign_id = create_campaign(people["officer"], recipients=(MUNMAK, SOCHO))
    campaign_sweep.run(ANCHOR + timedelta(hours=1))
    campaign_sweep.run(ANCHOR + timedelta(days=4))
    return campaign_id


def test_reminders_are_staff_messages_of_their_addressee_only(people: dict[str, Any]) -> None:
    _swept(people)
    mine = list(notice_policies.staff_messages(actor(people["munmak"])))
    assert [m.subject.split("]")[0] for m in mine] == ["[자동취합 제출 요청"] * 2
    assert all(m.recipient_kind == "staff" and m.recipient_user_id == people["munmak"].pk
               for m in mine)  # fmt: skip
    assert mine[0].created_at > mine[1].created_at, "newest first"
    assert notice_policies.staff_messages(actor(people["hojeo"])).count() == 0
    assert notice_policies.staff_messages(actor(people["sysadmin"])).count() == 0
    # a citizen's inbox (by blind index) never lists a staff message
    assert notice_policies.visible(Actor.anonymous()).count() == 0
    assert not InboxMessage.objects.filter(recipient_kind="citizen").exists()


def test_inbox_page_lists_marks_unread_and_reads_through_a_command(
    people: dict[str, Any],
) -> None:
    _swept(people)
    client = _client(people["munmak"])
    page = client.get("/staff/inbox/")
    text = page.content.decode()
    assert page.status_code == 200
    assert text.count("민방위 대피시설 현황") >= 2 and "읽지 않음 2건" in text
    newest, older = notice_policies.staff_messages(actor(people["munmak"]))
    assert text.index(f'id="message-{newest.pk}"') < text.index(f'id="message-{older.pk}"')
    # the menu and the landing page show the unread count
    assert 'class="site-nav-count">2<' in text
    landing = client.get("/staff/").content.decode()
    assert "읽지 않은 알림 2건" in landing and f"/staff/inbox/{newest.pk}/" in landing
    # opening a message does not mark it read; "읽음" does, as a recorded command
    opened = client.get(f"/staff/inbox/{older.pk}/")
    assert opened.status_code == 200 and "마감" in opened.content.decode()
    older.refresh_from_db()
    assert older.read_at is None
    done = client.post(f"/staff/inbox/{older.pk}/read/", {"back": "message"})
    assert done.status_code == 302 and done["Location"] == f"/staff/inbox/{older.pk}/"
    older.refresh_from_db()
    assert older.read_at is not None
    assert CommandRecord.objects.filter(name="MarkStaffMessageRead").count() == 1
    again = client.post(f"/staff/inbox/{older.pk}/read/")
    assert again.status_code == 302 and again["Location"] == "/staff/inbox/"
    text = client.get("/staff/inbox/").content.decode()
    assert "읽지 않음 1건" in text and 'class="site-nav-count">1<' in text


def test_another_officer_gets_the_404_of_an_absent_message(people: dict[str, Any]) -> None:
    _swept(people)
    message = notice_policies.staff_messages(actor(people["munmak"])).first()
    assert message is not None
    for other in ("socho", "officer", "head", "sysadmin"):
        client = _client(people[other])
        url, absent_url = f"/staff/inbox/{message.pk}/", "/staff/inbox/987654321/"
        seen, absent = client.get(url), client.get(absent_url)
        assert seen.status_code == absent.status_code == 404, other
        assert same_refusal(seen, url, absent, absent_url), other
        assert client.post(f"/staff/inbox/{message.pk}/read/").status_code == 404
        assert message.subject not in client.get("/staff/inbox/").content.decode()
    message.refresh_from_db()
    assert message.read_at is None
    # a citizen has no staff inbox
    assert Client().get("/staff/inbox/").status_code == 302


def test_escalation_reaches_the_heads_inbox(people: dict[str, Any]) -> None:
    create_campaign(people["officer"], recipients=(HOJEO,))
    campaign_sweep.run(DEADLINE + timedelta(hours=1))
    page = _client(people["head"]).get("/staff/inbox/").content.decode()
    assert "[자동취합 미제출 보고]" in page and "호저면" in page
    assert (
        "[자동취합 미제출 보고]"
        not in _client(people["hojeo"]).get("/staff/inbox/").content.decode()
    )


def test_a_citizen_notice_cannot_be_addressed_to_staff(people: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed) as refused:
        execute(
            SendNotice(
                actor=Actor.system("t"), channel=Channel.SYSTEM, jurisdiction=NATION,
                recipient_index=f"staff:{people['munmak'].pk}", category="general",
                subject="s", body="b",
            )
        )  # fmt: skip
    assert refused.value.field == "recipient_index"
    assert not InboxMessage.objects.exists()
