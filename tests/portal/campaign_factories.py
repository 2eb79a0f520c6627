"""Helpers for the 자동취합 tests: a 원주시 총무과 officer, two 읍·면 clerks and a
department head, and a campaign made through the commands, at a fixed anchor time."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from minwon.accounts.models import RoleGrant
from minwon.kernel import execute
from minwon.kernel.types import Actor, ActorKind, Channel
from minwon.portal.commands import CreateCampaign, RecipientSpec, SubmitAnswer

WONJU = "5113000000"
MUNMAK = "5113025000"  # 문막읍
SOCHO = "5113031000"  # 소초면
HOJEO = "5113032000"  # 호저면
GONGJU_DONG = "4415057000"  # 공주시의 동
#: a Monday morning: opening; the deadline a week later
ANCHOR = datetime(2026, 3, 9, 9, 0, tzinfo=ZoneInfo("Asia/Seoul"))
DEADLINE = ANCHOR + timedelta(days=7)

DEFINITION: dict[str, Any] = {
    "fields": [
        {"key": "population", "label": "인구", "type": "number", "unit": "명",
         "register": "population"},
        {"key": "shelters", "label": "대피시설 수", "type": "number", "unit": "곳",
         "required": True},
        {"key": "checked_on", "label": "점검일", "type": "date"},
        {"key": "status", "label": "점검 결과", "type": "choice", "choices": ["양호", "보수 필요"]},
        {"key": "note", "label": "비고", "type": "text"},
        {"key": "facilities", "label": "시설 목록", "type": "table", "columns": [
            {"key": "name", "label": "시설명", "type": "text", "required": True},
            {"key": "capacity", "label": "수용 인원", "type": "number", "unit": "명"},
        ]},
    ]
}  # fmt: skip


def actor(user: Any) -> Actor:
    return Actor(ActorKind.STAFF, user.pk, user.username)


def in_department(user: Any, department: str) -> Any:
    RoleGrant.objects.filter(user=user).update(department=department)
    return user


def create(officer: Any, *, recipients: tuple[str, ...] = (MUNMAK, SOCHO), **extra: Any) -> int:
    fields: dict[str, Any] = {
        "title": "민방위 대피시설 현황", "definition": DEFINITION,
        "recipients": [RecipientSpec(jurisdiction=code) for code in recipients],
        "opens_at": ANCHOR, "deadline_at": DEADLINE, "grace_hours": 24, "department": "총무과",
        "round_label": "2026년 1분기",
    }  # fmt: skip
    fields.update(extra)
    value = execute(
        CreateCampaign(
            actor=actor(officer), channel=Channel.ONLINE, jurisdiction=WONJU,
            occurred_at=ANCHOR - timedelta(days=1), **fields,
        )
    ).value  # fmt: skip
    return int(value["campaign_id"])


def answer(user: Any, campaign_id: int, code: str, data: dict[str, Any], at: datetime) -> Any:
    from minwon.portal.models import Recipient

    recipient = Recipient.objects.get(campaign_id=campaign_id, jurisdiction_id=code)
    return execute(
        SubmitAnswer(
            actor=actor(user), channel=Channel.ONLINE, jurisdiction=code,
            campaign_id=campaign_id, recipient_id=recipient.pk, data=data, occurred_at=at,
        )
    )  # fmt: skip
