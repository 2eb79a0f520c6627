"""Demo petitions: the catalog, then applications in every state across the three demo
cities — online by the demo citizens, at the counter and by mail — moved through the real
workflow commands. Receipt numbers and every choice come from seeded generators and every
command has a fixed id, so a second run changes nothing."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from faker import Faker

from minwon.kernel import calendar, clock
from minwon.kernel.demo import DEMO_CITIES, DemoContext
from minwon.kernel.types import NATION, Actor, ActorKind, Channel, Command
from minwon.petitions import catalog, receipts
from minwon.petitions.commands import ApplicationItem, LoadPetitionCatalog, SubmitApplication
from minwon.petitions.commands.workflow import ACTIONS

SYSTEM = Actor.system("demo")
SIMPLE = ["GRIEVANCE", "PROCEDURE_QUERY", "LAW_QUERY", "SUGGESTION", "INFO_DISCLOSURE",
          "BUILDING_DISPLAY_CHANGE", "LAND_SPLIT", "FARMLAND_QUALIFICATION"]  # fmt: skip
DOCS = {
    "BUILDING_DISPLAY_CHANGE": ["변경 내용을 증명하는 서류"],
    "LAND_SPLIT": ["분할측량성과도"],
    "FARMLAND_QUALIFICATION": ["농업경영계획서"],
}
# Where each demo petition ends up: (final state, the actions that lead there).
PATHS: list[tuple[str, list[str]]] = [
    ("received", []),
    ("assigned", ["assign"]),
    ("in_review", ["assign", "start-review"]),
    ("supplement_requested", ["assign", "start-review", "request-supplement"]),
    ("in_review", ["assign", "start-review", "request-supplement", "supplement"]),
    ("in_review", ["assign", "start-review", "extend"]),
    ("decided", ["assign", "start-review", "decide"]),
    ("notified", ["assign", "start-review", "decide", "deliver"]),
    ("closed", ["assign", "start-review", "decide", "deliver", "close"]),
    ("transferred", ["assign", "transfer"]),
    ("withdrawn", ["withdraw"]),
    # A permit-like type's decision waiting in the department head's 결재함.
    ("awaiting_approval", ["assign", "start-review", "decide"]),
]
#: Types whose decisions need the department head's 결재 (their catalog 결재선).
NEEDS_APPROVAL = {"LAND_SPLIT", "FARMLAND_QUALIFICATION"}


def _user(username: str) -> Any:
    from minwon.accounts.models import User

    return User.objects.filter(username=username).first()


def _actor(user: Any) -> Actor:
    kind = ActorKind.STAFF if user.kind == "staff" else ActorKind.CITIZEN
    return Actor(kind, user.pk, user.username)


def _fields(action: str, officer_id: int, at: datetime, n: int) -> dict[str, Any]:
    due = (at + timedelta(days=10)).date()
    table: dict[str, dict[str, Any]] = {
        "assign": {"officer_id": officer_id},
        "request-supplement": {"items_needed": ["신청 내용의 구체적인 위치"], "due_date": due},
        "supplement": {"note": "위치: 정문 앞 삼거리"},
        "extend": {"period": "5d", "reason": "관계 부서 협의"},
        "decide": {"outcome": "rejected" if n % 3 == 0 else "approved",
                   "reason": "관계 법령상 요건 미충족" if n % 3 == 0 else "요청대로 처리"},
        "deliver": {"method": "online"},
        "transfer": {"to": "국민권익위원회", "reason": "중앙행정기관 소관"},
    }  # fmt: skip
    return table.get(action, {})


def _build(cls: type[Command], **fields: Any) -> Callable[[uuid.UUID], Command]:
    return lambda cid: cls(command_id=cid, **fields)


def seed(ctx: DemoContext) -> None:
    data = catalog.read()
    ctx.run("petitions:catalog", _build(
        LoadPetitionCatalog, actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=NATION,
        version=data["version"], types=data["types"]))  # fmt: skip
    fake = Faker("ko_KR")
    fake.seed_instance(ctx.seed)
    rng = ctx.rng("petitions")
    citizens = [u for u in (_user(f"citizen{i}") for i in (1, 2, 3)) if u is not None]
    today = clock.now().replace(hour=10, minute=0, second=0, microsecond=0)
    total = 0
    for city, code in DEMO_CITIES.items():
        officer, clerk = _user(f"{city}-officer"), _user(f"{city}-clerk")
        head = _user(f"{city}-head")
        if officer is None or clerk is None or head is None:
            continue
        for n, (final, actions) in enumerate(PATHS * 2):
            # Spread receptions over the last six weeks of working days.
            at = calendar.add_working_hours(today - timedelta(days=42), rng.randint(0, 8 * 29))
            type_code = "LAND_SPLIT" if final == "awaiting_approval" else rng.choice(SIMPLE)
            if final != "awaiting_approval" and "decide" in actions:
                actions = [*actions]
                if type_code in NEEDS_APPROVAL:  # the head signs the draft (결재)
                    actions.insert(actions.index("decide") + 1, "approve")
            online = citizens and n % 2 == 0
            applicant = citizens[n % len(citizens)] if online else clerk
            channel = (
                Channel.ONLINE if online else (Channel.MAIL if n % 5 == 1 else Channel.COUNTER)
            )
            part = "".join(rng.choice(receipts.ALPHABET) for _ in range(8))
            submit = _build(
                SubmitApplication, actor=_actor(applicant), channel=channel, jurisdiction=code,
                occurred_at=at,
                items=[ApplicationItem(type_code=type_code, documents=DOCS.get(type_code, []),
                                       form={"content": fake.sentence(nb_words=8)})],
                applicant_name="" if online else fake.name(),
                applicant_birth=None if online else fake.date_of_birth(minimum_age=20, maximum_age=80),
                receipt_random=part,
            )  # fmt: skip
            key = f"petitions:{city}:{n}"
            ctx.run(key, submit)
            receipt = (ctx.result(key) or {}).get("receipt_number")
            if not receipt:
                continue
            moment = at
            for step, action in enumerate(actions):
                moment = calendar.add_working_hours(moment, 2 + rng.randint(0, 10))
                moment = min(moment, clock.now() - timedelta(minutes=len(actions) - step))
                actor = applicant if action in ("supplement", "withdraw") and online else officer
                actor = head if action == "approve" else actor
                fields = _fields(action, officer.pk, moment, n)
                ctx.run(f"{key}:{action}", _build(
                    ACTIONS[action], actor=_actor(actor), channel=Channel.COUNTER, jurisdiction=code,
                    occurred_at=moment, receipt_number=receipt, **fields))  # fmt: skip
            total += 1
        # One automatic decision per city: a small sign in a commercial zone.
        ctx.run(f"petitions:{city}:sign", _build(
            SubmitApplication, actor=_actor(clerk), channel=Channel.COUNTER, jurisdiction=code,
            items=[ApplicationItem(type_code="SIGN_DECLARATION", documents=["광고물 원색 도안", "건물주 승낙서"],
                                   form={"area_m2": 3, "height_m": 4, "zone": "일반상업지역"})],
            applicant_name=fake.name(), receipt_random="".join(rng.choice(receipts.ALPHABET) for _ in range(8)),
        ))  # fmt: skip
    ctx.say(f"petitions: catalog of {len(data['types'])} types; {total} petitions in every state")
