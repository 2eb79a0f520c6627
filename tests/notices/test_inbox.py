"""The inbox: one message per command, e-mail once through the outbox, read receipts."""

from __future__ import annotations

import dataclasses

import pytest
from django.core import mail
from django.test import Client

from minwon.kernel import execute, outbox
from minwon.kernel.bus import Context
from minwon.kernel.registry import handler
from minwon.kernel.types import NATION, Actor, Channel, Command
from minwon.notices.commands import SendNotice, notify
from minwon.notices.models import InboxMessage

pytestmark = pytest.mark.django_db


@dataclasses.dataclass(frozen=True, kw_only=True)
class NotifyTwice(Command):
    """Test-only: a handler that calls notify() twice with the same subject."""

    index: str


@handler(NotifyTwice)
def notify_twice(cmd: NotifyTwice, *, ctx: Context) -> dict[str, int]:
    notify(ctx, recipient_index=cmd.index, category="general", subject="s", body="b")
    notify(ctx, recipient_index=cmd.index, category="general", subject="s", body="b")
    return {"n": InboxMessage.objects.filter(recipient_index=cmd.index).count()}


def test_notice_reaches_inbox_and_mail_once(make_citizen) -> None:  # type: ignore[no-untyped-def]
    citizen = make_citizen()
    citizen.email = "c@example.kr"
    citizen.save(update_fields=["email"])
    execute(
        SendNotice(
            actor=Actor.system("t"), channel=Channel.SYSTEM, jurisdiction=NATION,
            recipient_index=citizen.identity_index, category="civil_defence",
            subject="민방위 교육 통지", body="12월 3일 교육", items=[{"label": "장소", "value": "시청"}],
        )
    )  # fmt: skip
    assert outbox.deliver_batch() == (1, 0)
    assert len(mail.outbox) == 1 and "민방위" in mail.outbox[0].subject
    message = InboxMessage.objects.get()
    assert message.emailed_at is not None
    client = Client()
    client.force_login(citizen)
    assert "민방위 교육 통지" in client.get("/inbox/").content.decode()
    assert client.get(f"/inbox/{message.pk}/").status_code == 200
    message.refresh_from_db()
    assert message.read_at is not None


def test_notify_is_once_per_command_and_subject(make_citizen) -> None:  # type: ignore[no-untyped-def]
    citizen = make_citizen()
    result = execute(
        NotifyTwice(
            actor=Actor.system("t"),
            channel=Channel.SYSTEM,
            jurisdiction=NATION,
            index=citizen.identity_index,
        )
    )
    assert result.value == {"n": 1}


def test_other_people_cannot_read_a_message(make_citizen) -> None:  # type: ignore[no-untyped-def]
    owner, other = make_citizen(), make_citizen()
    execute(
        SendNotice(
            actor=Actor.system("t"), channel=Channel.SYSTEM, jurisdiction=NATION,
            recipient_index=owner.identity_index, category="general", subject="비공개", body="x",
        )
    )  # fmt: skip
    client = Client()
    client.force_login(other)
    assert client.get(f"/inbox/{InboxMessage.objects.get().pk}/").status_code == 404
