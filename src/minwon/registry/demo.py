"""Demo residents: realistic households in the three demo cities (Faker ko_KR, seeded),
about ``ctx.residents`` persons, through ``LoadResidents`` batches of ~1,000 persons each
(``registry.bulk``: rows and search documents written as sets, with audit and encryption
intact; on SQLite the build runs with ``bulk.build_pragmas``), plus the three demo citizens'
own households built with the ordinary commands so they have a history.

The linked registers' demos (vehicles, land, licensing, tax) read
``ctx.shared["registry.households"]``: ``(household_id, [person_ids], city, dong_code,
road_address)`` for every imported household.
"""

from __future__ import annotations

import multiprocessing
import random
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from typing import Any

from faker import Faker
from tqdm import tqdm

from minwon.accounts.demo import DEMO_CITIZENS, demo_citizen_rrn
from minwon.kernel import clock, rrn
from minwon.kernel.demo import DEMO_CITIES, DemoContext
from minwon.kernel.models import Jurisdiction
from minwon.kernel.types import Actor, Channel, Command

from .bulk import LoadResidents, build_pragmas
from .commands import (
    ChangeHouseholdHead,
    MergeHouseholds,
    Mover,
    RegisterPerson,
    ReportMoveIn,
    SplitHousehold,
)
from .importer import HouseholdRow, ResidentRow

SYSTEM = Actor.system("demo")
BATCH_PERSONS = 1000


def builder(cls: type[Command], **fields: Any) -> Callable[[uuid.UUID], Command]:
    """A ``ctx.run`` builder: the command ``cls(**fields)`` with the demo's fixed id."""
    return lambda command_id: cls(command_id=command_id, **fields)


SIDO = {
    "wonju": "강원특별자치도 원주시",
    "jeonju": "전북특별자치도 전주시",
    "gongju": "충청남도 공주시",
}
ROADS = {
    "wonju": [
        "단구로",
        "치악로",
        "시청로",
        "서원대로",
        "봉산로",
        "무실로",
        "일산로",
        "원일로",
        "능라동길",
        "만대로",
    ],
    "jeonju": [
        "팔달로",
        "기린대로",
        "백제대로",
        "효자로",
        "전주천동로",
        "견훤로",
        "온고을로",
        "아중로",
        "홍산로",
    ],
    "gongju": ["웅진로", "봉황로", "백제문화로", "무령로", "금벽로", "의당로", "신관로", "번영1로"],
}
CITY_WEIGHTS = {"wonju": 0.40, "jeonju": 0.45, "gongju": 0.15}
SIZE_WEIGHTS = [(1, 0.35), (2, 0.28), (3, 0.19), (4, 0.14), (5, 0.04)]


def _dongs() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for city, code in DEMO_CITIES.items():
        path = Jurisdiction.objects.get(pk=code).path
        out[city] = list(
            Jurisdiction.objects.filter(
                path__startswith=path, level="eupmyeondong", valid_to__isnull=True
            )
            .order_by("code")
            .values_list("code", flat=True)
        )
    return out


class _Numbers:
    """Unique, valid RRNs for generated people (never a demo citizen's)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used = {demo_citizen_rrn(f) for _, _, f in DEMO_CITIZENS}
        #: The birth date of each number made and not yet taken (``born_of``): what
        #: ``rrn.parse`` would read back from it, without parsing it again.
        self.born: dict[str, date] = {}

    def make(self, born: date, sex: str) -> str:
        century = 1 if born.year < 2000 else 3
        code = century + (0 if sex == "M" else 1)
        while True:
            number = rrn.with_check_digit(f"{born:%y%m%d}{code}{self.rng.randrange(100000):05d}")
            if number not in self.used:
                self.used.add(number)
                self.born[number] = born
                return number

    def born_of(self, number: str) -> date:
        return self.born.pop(number)


def _birth(rng: random.Random, age_from: int, age_to: int, today: date) -> date:
    return today - timedelta(days=rng.randint(age_from * 365, age_to * 365))


def _household(
    rng: random.Random, fake: Faker, numbers: _Numbers, today: date
) -> list[tuple[str, str, str]]:
    """(name, rrn, relationship) for one household, head first."""
    size = rng.choices([s for s, _ in SIZE_WEIGHTS], [w for _, w in SIZE_WEIGHTS])[0]
    family = fake.last_name()
    head_sex = "M" if rng.random() < 0.62 else "F"
    head_born = _birth(rng, 22 if size == 1 else 30, 88 if size == 1 else 70, today)

    def person(sex: str, born: date, surname: str) -> tuple[str, str]:
        first = fake.first_name_male() if sex == "M" else fake.first_name_female()
        return surname + first, numbers.make(born, sex)

    members = [(*person(head_sex, head_born, family), "head")]
    if size >= 2:
        other = "F" if head_sex == "M" else "M"
        spouse_born = head_born + timedelta(days=rng.randint(-1500, 1500))
        members.append((*person(other, min(spouse_born, today), fake.last_name()), "spouse"))
    for _ in range(max(0, size - 2)):
        lo = max(0, (today - head_born).days // 365 - 45)
        hi = max(lo + 1, (today - head_born).days // 365 - 20)
        child_born = _birth(rng, lo, hi, today)
        members.append((*person(rng.choice("MF"), child_born, family), "child"))
    return members


def _seed_citizens(ctx: DemoContext, today: date) -> None:
    """The demo citizens' households: 김민원 in 원주 (with a move-in last year), 이서연 in
    전주 완산구, 박지훈 in 공주."""
    homes = {
        "citizen1": ("5113055000", "강원특별자치도 원주시 단구로 170", "101동 1203호", "5113066000",
                     "강원특별자치도 원주시 무실로 55", "202동 803호"),
        "citizen2": ("5211171100", "전북특별자치도 전주시 완산구 효자로 225", "", "5211168000",
                     "전북특별자치도 전주시 완산구 서신로 15", "3층"),
        "citizen3": ("4415057000", "충청남도 공주시 신관로 10", "502호", "4415051000",
                     "충청남도 공주시 웅진로 120", ""),
    }  # fmt: skip
    for username, name, front7 in DEMO_CITIZENS:
        first_code, first_road, first_detail, code, road, detail = homes[username]
        ctx.run(
            f"registry:citizen:{username}",
            builder(
                RegisterPerson, actor=SYSTEM, channel=Channel.COUNTER, jurisdiction=first_code,
                name=name, sealed_rrn=rrn.SealedRRN.from_text(demo_citizen_rrn(front7)),
                road_address=first_road, address_detail=first_detail, address_code=first_code,
                moved_in_on=today - timedelta(days=2400),
            ),
        )  # fmt: skip
        person_id = ctx.result(f"registry:citizen:{username}")["person_id"]
        family = [("spouse", "M", "최준호", "860304"), ("child", "F", "최하은", "150721")]
        members = [Mover(person_id=person_id, relationship="head")]
        if username == "citizen1":
            household_id = ctx.result(f"registry:citizen:{username}")["household_id"]
            for rel, sex, fname, born in family:
                key = f"registry:citizen1:{rel}"
                digit = (
                    ("1" if sex == "M" else "2")
                    if born[0] in "5678"
                    else ("3" if sex == "M" else "4")
                )
                number = rrn.with_check_digit(f"{born}{digit}54321")
                ctx.run(
                    key,
                    builder(
                        RegisterPerson, actor=SYSTEM, channel=Channel.COUNTER,
                        jurisdiction=first_code, name=fname,
                        sealed_rrn=rrn.SealedRRN.from_text(number), household_id=household_id,
                        relationship=rel, address_code=first_code,
                        moved_in_on=today - timedelta(days=2400 if rel == "spouse" else 2000),
                        reason="registration" if rel == "spouse" else "birth",
                    ),
                )  # fmt: skip
                members.append(Mover(person_id=ctx.result(key)["person_id"], relationship=rel))
        ctx.run(
            f"registry:citizen-move:{username}",
            builder(
                ReportMoveIn, actor=SYSTEM, channel=Channel.COUNTER, jurisdiction=code,
                movers=members, road_address=road, address_detail=detail, address_code=code,
                moved_in_on=today - timedelta(days=400),
                occurred_at=clock.now() - timedelta(days=396),
            ),
        )  # fmt: skip
        ctx.shared.setdefault("registry.citizens", {})[username] = person_id


#: A 원주 family whose history uses every household command: 세대 분리 of the grown-up son,
#: his return (세대 합가), and 세대주 변경 from the father to the mother. At the counter,
#: ``wonju-clerk`` can then move the whole household (세대 전체 전입, the mother's number
#: below) or record a change; the three stay together at 단구동.
HOUSEHOLD_FAMILY = [
    ("head", "M", "한세대", "6203041"),
    ("spouse", "F", "오지현", "6408112"),
    ("child", "M", "한민준", "9501231"),
]
HOUSEHOLD_CODE = "5113055000"
HOUSEHOLD_ROAD = "강원특별자치도 원주시 단구로 88"


def family_rrn(front7: str) -> str:
    """The numbers of ``HOUSEHOLD_FAMILY`` (fixed, valid, fictitious)."""
    return rrn.with_check_digit(f"{front7}54320")


def _seed_household_family(ctx: DemoContext, today: date) -> None:
    ids: dict[str, int] = {}
    household_id = 0
    for rel, _sex, name, front7 in HOUSEHOLD_FAMILY:
        key = f"registry:family:register:{rel}"
        ctx.run(
            key,
            builder(
                RegisterPerson, actor=SYSTEM, channel=Channel.COUNTER,
                jurisdiction=HOUSEHOLD_CODE, name=name,
                sealed_rrn=rrn.SealedRRN.from_text(family_rrn(front7)),
                household_id=household_id or None, relationship=rel,
                road_address=HOUSEHOLD_ROAD, address_detail="", address_code=HOUSEHOLD_CODE,
                moved_in_on=today - timedelta(days=3000),
            ),
        )  # fmt: skip
        ids[rel] = ctx.result(key)["person_id"]
        household_id = household_id or ctx.result(key)["household_id"]
    ctx.run(
        "registry:family:split",
        builder(
            SplitHousehold, actor=SYSTEM, channel=Channel.COUNTER, jurisdiction=HOUSEHOLD_CODE,
            household_id=household_id, members=[Mover(ids["child"], "head")],
            moved_in_on=today - timedelta(days=900),
            occurred_at=clock.now() - timedelta(days=895),
        ),
    )  # fmt: skip
    ctx.run(
        "registry:family:merge",
        builder(
            MergeHouseholds, actor=SYSTEM, channel=Channel.COUNTER, jurisdiction=HOUSEHOLD_CODE,
            household_id=household_id,
            absorbed_household_id=ctx.result("registry:family:split")["new_household_id"],
            members=[Mover(ids["child"], "child")], moved_in_on=today - timedelta(days=200),
            occurred_at=clock.now() - timedelta(days=198),
        ),
    )  # fmt: skip
    ctx.run(
        "registry:family:change-head",
        builder(
            ChangeHouseholdHead, actor=SYSTEM, channel=Channel.COUNTER,
            jurisdiction=HOUSEHOLD_CODE, household_id=household_id, new_head_id=ids["spouse"],
            former_head_relationship="spouse",
            occurred_at=clock.now() - timedelta(days=30),
        ),
    )  # fmt: skip


#: One batch as generated: per household (city, dong code, road address, detail, moved in
#: on, [(name, number, relationship)]), the same households as ``HouseholdRow`` (numbers
#: sealed), and the number of persons.
Batch = tuple[
    list[tuple[str, str, str, str, date, list[tuple[str, str, str]]]], list[HouseholdRow], int
]


def _batches(
    seed: int, target: int, dongs: dict[str, list[str]], today: date, per: int = BATCH_PERSONS
) -> Iterator[Batch]:
    """The generated residents, ``per`` persons a batch, ``target`` in all: the same for the
    same seed (the demo's command ids name the batches by their number), needing no
    database — so it can run in a worker process."""
    rng = random.Random(f"{seed}:registry")
    fake = Faker("ko_KR")
    fake.seed_instance(seed)
    numbers = _Numbers(rng)
    cities = list(CITY_WEIGHTS)
    made = 0
    while made < target:
        plain: list[tuple[str, str, str, str, date, list[tuple[str, str, str]]]] = []
        count = 0
        while count < per and made + count < target:
            city = rng.choices(cities, [CITY_WEIGHTS[c] for c in cities])[0]
            code = rng.choice(dongs[city])
            road = f"{SIDO[city]} {rng.choice(ROADS[city])} {rng.randint(1, 400)}"
            detail = (
                f"{rng.randint(101, 120)}동 {rng.randint(1, 25)}{rng.randint(1, 8):02d}호"
                if rng.random() < 0.55
                else ""
            )
            members = _household(rng, fake, numbers, today)[: target - made - count]
            moved = today - timedelta(days=rng.randint(30, 8000))
            moved = max(moved, *(numbers.born_of(n) for _, n, _ in members))
            plain.append((city, code, road, detail, moved, members))
            count += len(members)
        rows = [
            HouseholdRow(
                road_address=road, address_detail=detail, address_code=code, moved_in_on=moved,
                members=[
                    ResidentRow(name=n, sealed_rrn=rrn.SealedRRN.from_text(number), relationship=rel)
                    for n, number, rel in members
                ],
            )
            for _, code, road, detail, moved, members in plain
        ]  # fmt: skip
        yield plain, rows, count
        made += count


#: The worker process's generator (``_start`` makes it, ``_next`` advances it).
_worker_batches: Iterator[Batch] | None = None


def _start(*args: Any) -> None:
    global _worker_batches
    _worker_batches = _batches(*args)


def _next() -> Batch | None:
    assert _worker_batches is not None
    return next(_worker_batches, None)


def generated(
    seed: int,
    target: int,
    dongs: dict[str, list[str]],
    today: date,
    *,
    per: int = BATCH_PERSONS,
    worker: bool | None = None,
) -> Iterator[Batch]:
    """``_batches``, made in a worker process one batch ahead of the caller when there is
    more than one (the residents' names, numbers and sealing — AES-GCM and the HMAC blind
    index — were a fifth of the registry demo's CPU, and a process is the only way the
    demo uses the second core on SQLite, whose writes run in this one). The worker is
    forked: it inherits the settings (the sealing key) and never touches the database."""
    args = (seed, target, dongs, today, per)
    if worker is None:
        worker = target > per and "fork" in multiprocessing.get_all_start_methods()
    if not worker:
        yield from _batches(*args)
        return
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(1, mp_context=context, initializer=_start, initargs=args) as pool:
        ahead = pool.submit(_next)
        while (batch := ahead.result()) is not None:
            ahead = pool.submit(_next)
            yield batch


def seed(ctx: DemoContext) -> None:
    today = clock.now().date()
    _seed_citizens(ctx, today)
    _seed_household_family(ctx, today)
    dongs = _dongs()
    households: list[tuple[int, list[int], str, str, str]] = []
    ctx.shared["registry.households"] = households
    target = max(0, ctx.residents - 8)
    made = 0
    bar = tqdm(total=target, unit="명", desc="주민", disable=ctx.quiet or ctx.out is None)
    with build_pragmas():
        for batch_no, (plain, rows, count) in enumerate(generated(ctx.seed, target, dongs, today)):
            key = f"registry:import:{batch_no}"

            def build(cid: Any, rows: list[HouseholdRow] = rows) -> LoadResidents:
                return LoadResidents(
                    actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction="0000000000",
                    command_id=cid, households=rows,
                )  # fmt: skip

            ctx.run(key, build)
            result = ctx.result(key)
            for (city, code, road, detail, _, _), row in zip(
                plain, result["households"], strict=True
            ):
                address = f"{road} {detail}".strip()
                households.append((row["household_id"], row["person_ids"], city, code, address))
            made += count
            bar.update(count)
    bar.close()
    ctx.say(f"registry: {made + 8} residents in {len(households) + 4} households")
