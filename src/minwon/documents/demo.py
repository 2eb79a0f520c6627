"""Demo certificates: a few issuances through the real command on every channel, so the
ledger (발급대장), the citizen's downloads and the verification page (진위확인) have something
to show after ``make run``. Fixed command ids: a second run issues nothing new and prints the
same document numbers."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from minwon.accounts.demo import DEMO_CITIZENS, demo_citizen_rrn
from minwon.documents.commands import IssueCertificate
from minwon.kernel import rrn
from minwon.kernel.demo import DemoContext
from minwon.kernel.types import NATION, Actor, ActorKind, Channel, Command

WONJU = "5113000000"


def _user(username: str) -> Any:
    from minwon.accounts.models import User

    return User.objects.filter(username=username).first()


def _actor(user: Any) -> Actor:
    kind = ActorKind.STAFF if user.kind == "staff" else ActorKind.CITIZEN
    return Actor(kind, user.pk, user.username)


def _issue(**fields: Any) -> Callable[[uuid.UUID], Command]:
    def build(command_id: uuid.UUID) -> Command:
        return IssueCertificate(command_id=command_id, **fields)

    return build


def seed(ctx: DemoContext) -> None:
    citizen, clerk = _user("citizen1"), _user("wonju-clerk")
    if citizen is None or clerk is None:
        return
    front7 = next(f for username, _, f in DEMO_CITIZENS if username == "citizen1")
    index = rrn.blind_index(rrn.parse(demo_citizen_rrn(front7)))
    plan: list[tuple[str, str, dict[str, Any]]] = [
        ("online-copy", "온라인 주민등록표 등본 (citizen1)",
         {"actor": _actor(citizen), "channel": Channel.ONLINE, "jurisdiction": NATION,
          "cert_type": "resident_copy"}),
        ("counter-abstract", "창구 주민등록표 초본 (wonju-clerk, 주소 변동 포함)",
         {"actor": _actor(clerk), "channel": Channel.COUNTER, "jurisdiction": WONJU,
          "cert_type": "resident_abstract", "applicant_index": index, "include_history": True,
          "payment_method": "cash"}),
        ("kiosk-copy", "무인민원발급기 주민등록표 등본",
         {"actor": Actor.anonymous(), "channel": Channel.KIOSK, "jurisdiction": WONJU,
          "cert_type": "resident_copy", "applicant_index": index, "kiosk_id": "wonju-k1",
          "payment_method": "cash"}),
    ]  # fmt: skip
    shown = []
    for key, label, fields in plan:
        ctx.run(f"documents:{key}", _issue(**fields))
        value = ctx.result(f"documents:{key}")
        if value:
            shown.append(f"  {label}: {value['document_number']} / {value['verification_code']}")
    if shown:
        ctx.say("진위확인(/verify/) 예시 — 문서확인번호 / 확인코드:")
        for line in shown:
            ctx.say(line)
