"""Integrated search latency (p50/p95/p99) for 2-syllable, 3-syllable and mixed queries,
each beside the raw SQL floor of the same statement, over ``--persons`` residents and
``--petitions`` petitions.

    .venv/bin/python bench/search.py --persons 100000 --petitions 100000
    .venv/bin/python bench/search.py --persons 1000000 --petitions 1000000   # the issue's goal

The data set: residents through ``registry.bulk.LoadResidents`` (5,000 per command, through
``execute``: audit, sealed numbers, and the search documents built by the portal's builders
in the command's transaction), with names drawn from 20 surnames weighted as in the census
and given names of two syllables from 64 common ones (4,096 given names); petitions written
as sets by the bench (``registry.bulk.insert_rows``: COPY on PostgreSQL — the read path is
what is measured here) and indexed by the same builder the subscribers use, per batch.

Each query runs as a 원주시 officer (scope: the 시's subtree; a fifth of the data lies in
other cities, so the policy filter does work). "search" is ``portal.queries.search`` —
policy, match, rank, window, highlighting and the access-log rows of the person hits shown;
"raw SQL" is the identical statement sent through the cursor and fetched, nothing else: the
floor this code cannot go below without changing the statement or the index.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from datetime import date, datetime, timedelta
from typing import Any

sys.path.insert(0, os.path.dirname(__file__))

from registry_common import database, percentiles, timed

#: (surname, weight ‰) — 통계청 2015 인구주택총조사, the 20 most frequent.
SURNAMES = [
    ("김", 215), ("이", 147), ("박", 84), ("최", 47), ("정", 43), ("강", 24), ("조", 21),
    ("윤", 21), ("장", 20), ("임", 17), ("한", 15), ("오", 15), ("서", 14), ("신", 14),
    ("권", 14), ("황", 14), ("안", 13), ("송", 13), ("류", 12), ("전", 11),
]  # fmt: skip
SYLLABLES = list(
    "민서지현수영준우진하윤예은도성재연유정희태호승아인주원경혜선미나다채소건동시한"
    "규상기석찬혁종훈빈율"
)
STREETS = {
    "5113055000": "강원특별자치도 원주시 단구로",
    "5113066000": "강원특별자치도 원주시 무실로",
    "5113059000": "강원특별자치도 원주시 명륜로",
    "5211168000": "전북특별자치도 전주시 완산구 효자로",
    "4415057000": "충청남도 공주시 신관로",
}
PHRASES = [
    "도로 파손 보수 요청", "가로등 고장 신고", "불법 주정차 단속 요청", "소음 민원",
    "쓰레기 무단 투기", "공원 시설 개선", "보도 블록 교체", "하수구 악취", "버스 정류장 안내",
    "어린이 보호구역 표지", "민원 처리 결과 문의", "건축물 균열 점검",
]  # fmt: skip
WONJU = "5113000000"
#: Words that match a large part of the data set: every petition ("민원"), every 원주시
#: address ("원주", "주시"), a fifth of the names ("김", one syllable).
COMMON = ["민원", "원주", "주시", "김"]
#: Persons per ``LoadResidents`` command (the command's limit is 5,000) and petitions per
#: transaction.
PER_COMMAND = 5000


def _name(rng: random.Random) -> str:
    surname = rng.choices([s for s, _ in SURNAMES], weights=[w for _, w in SURNAMES])[0]
    return surname + rng.choice(SYLLABLES) + rng.choice(SYLLABLES)


def build_persons(total: int, rng: random.Random) -> None:
    from tqdm import tqdm

    from minwon.kernel import execute, rrn
    from minwon.kernel.types import Actor, Channel
    from minwon.registry.bulk import LoadResidents
    from minwon.registry.importer import HouseholdRow, ResidentRow

    system = Actor.system("bench")
    used: set[str] = set()
    bar = tqdm(total=total, unit="명", desc="주민")
    made = 0
    while made < total:
        rows, count = [], 0
        while count < PER_COMMAND - 4 and made + count < total:
            size = min(rng.choice([1, 1, 2, 2, 3, 4]), total - made - count)
            code = rng.choice(list(STREETS))
            members = []
            for m in range(size):
                born = date(1940, 1, 1) + timedelta(days=rng.randrange(29000))
                century = (1 if born.year < 2000 else 3) + rng.randrange(2)
                while True:
                    number = rrn.with_check_digit(
                        f"{born:%y%m%d}{century}{rng.randrange(100000):05d}"
                    )
                    if number not in used:
                        used.add(number)
                        break
                members.append(
                    ResidentRow(
                        name=_name(rng),
                        sealed_rrn=rrn.SealedRRN.from_text(number),
                        relationship="head" if m == 0 else "child",
                    )
                )
            rows.append(
                HouseholdRow(
                    road_address=f"{STREETS[code]} {rng.randint(1, 400)}",
                    address_code=code,
                    moved_in_on=date(2025, 1, 1),
                    members=members,
                )
            )
            count += size
        execute(
            LoadResidents(
                actor=system, channel=Channel.SYSTEM, jurisdiction="0000000000", households=rows
            )
        )
        made += count
        bar.update(count)
    bar.close()


def build_petitions(total: int, rng: random.Random) -> None:
    """Applications and petitions written as sets (``registry.bulk.insert_rows``: COPY on
    PostgreSQL), each batch with its search documents built by the portal's builder, in one
    transaction per batch."""
    from django.db import transaction
    from tqdm import tqdm

    from minwon.kernel import execute
    from minwon.kernel.clock import SEOUL
    from minwon.kernel.types import Actor, Channel
    from minwon.petitions import catalog
    from minwon.petitions.commands import LoadPetitionCatalog
    from minwon.petitions.models import Application, Petition, PetitionType
    from minwon.portal import index
    from minwon.registry.bulk import insert_rows, reserve_ids, write_documents

    data = catalog.read()
    execute(
        LoadPetitionCatalog(
            actor=Actor.system("bench"), channel=Channel.SYSTEM, jurisdiction="0000000000",
            version=data["version"], types=data["types"],
        )
    )  # fmt: skip
    types = list(PetitionType.objects.all())
    offices = [WONJU, WONJU, WONJU, "5211000000", "4415000000"]
    bar = tqdm(total=total, unit="건", desc="민원")
    start = datetime(2026, 1, 5, 9, 0, tzinfo=SEOUL)
    for at in range(0, total, PER_COMMAND):
        size = min(PER_COMMAND, total - at)
        with transaction.atomic():
            app_ids = reserve_ids(Application, size)
            apps = [
                (i, f"B{at + n:011d}", rng.choice(offices), "online", _name(rng),
                 start + timedelta(minutes=at + n), start,
                 f"00000000-0000-4000-8000-{at + n:012d}")
                for n, i in enumerate(app_ids)
            ]  # fmt: skip
            insert_rows(
                Application,
                ("id", "receipt_number", "jurisdiction_id", "channel", "applicant_name",
                 "received_at", "recorded_at", "command_id"),
                apps,
            )  # fmt: skip
            petition_ids = reserve_ids(Petition, size)
            insert_rows(
                Petition,
                ("id", "application_id", "seq", "type_id", "jurisdiction_id", "department",
                 "form", "period", "received_at", "deadline_at"),
                (
                    (i, a[0], 1, (t := rng.choice(types)).pk, a[2], t.department,
                     {"내용": rng.choice(PHRASES)}, t.period, a[5], a[5] + timedelta(days=7))
                    for i, a in zip(petition_ids, apps, strict=True)
                ),
            )  # fmt: skip
            write_documents(index.petitions(petition_ids))
        bar.update(size)
    bar.close()


def officer() -> Any:
    from django.contrib.auth.hashers import make_password

    from minwon.accounts.commands import CreateStaffAccount, GrantRole
    from minwon.kernel import execute
    from minwon.kernel.types import Actor, ActorKind, Channel

    system = Actor.system("bench")
    user_id = execute(
        CreateStaffAccount(
            actor=system, channel=Channel.SYSTEM, jurisdiction=WONJU, username="bench-officer",
            display_name="bench", password_hash=make_password("bench-password-2026"),
        )
    ).value["user_id"]  # fmt: skip
    execute(
        GrantRole(
            actor=system, channel=Channel.SYSTEM, jurisdiction=WONJU, user_id=user_id,
            role="officer",
        )
    )  # fmt: skip
    return Actor(ActorKind.STAFF, user_id, "bench-officer")


def deploy_memory() -> dict[str, str]:
    """deploy/patroni/patroni.yml's memory settings (for 64 GiB: shared_buffers 16GB,
    effective_cache_size 48GB, work_mem 32MB), scaled to this machine's memory."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    return {
        "shared_buffers": f"{total // 4}MB",
        "effective_cache_size": f"{total * 3 // 4}MB",
        "work_mem": "32MB",
        "maintenance_work_mem": "1GB",
    }


def prewarm() -> None:
    """Read the search table into shared buffers, as a server that has been answering
    searches holds it (a bench's server has just started)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        cursor.execute("SELECT pg_prewarm('portal_searchdocument')")


def _officer_actor() -> Any:
    from django.contrib.auth import get_user_model

    from minwon.kernel.types import Actor, ActorKind

    user = get_user_model().objects.get(username="bench-officer")
    return Actor(ActorKind.STAFF, user.pk, "bench-officer")


def queries_of(rng: random.Random, n: int) -> dict[str, list[str]]:
    """Queries about residents the officer may see: a given name (2 syllables), a full
    name (3), and mixed — a given name with the birth date, or a full name with the
    street of the address."""
    from minwon.registry.models import Residence

    top = Residence.objects.order_by("-id").values_list("id", flat=True).first() or 1
    people: list[tuple[str, date, str]] = []
    while len(people) < n:
        found = (
            Residence.objects.filter(
                pk__gte=rng.randint(1, top), moved_out_on__isnull=True,
                jurisdiction__path__contains=f"/{WONJU}/",
            )
            .values_list("person__name", "person__birth_date", "road_address")
            .first()
        )  # fmt: skip
        if found is not None:
            people.append(found)
    return {
        "2-syllable": [name[1:] for name, _, _ in people],
        "3-syllable": [name for name, _, _ in people],
        "mixed": [
            f"{name[1:]} {born:%Y-%m-%d}" if i % 2 else f"{name} {road.split()[2]}"
            for i, (name, born, road) in enumerate(people)
        ],
    }


def raw(statement: str, params: tuple[Any, ...]) -> None:
    from django.db import connection

    from minwon.portal.queries import planned

    with connection.cursor() as cursor, planned(cursor):
        cursor.execute(statement, params)
        cursor.fetchall()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--petitions", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument(
        "--keep", metavar="DIR",
        help="build the data set in DIR and keep it (PostgreSQL stopped); a later run with "
        "the same DIR and sizes searches it without building again",
    )  # fmt: skip
    parser.add_argument(
        "--pg-defaults", action="store_true",
        help="run PostgreSQL with its stock memory settings (128 MB of shared buffers) "
        "instead of deploy/patroni's, scaled to this machine",
    )  # fmt: skip
    args = parser.parse_args()
    rng = random.Random(7)
    settings = {} if args.pg_defaults else deploy_memory()
    load_start = os.getloadavg()
    with database(args.db, keep=args.keep, settings=settings):
        from django.db import connection

        from minwon.portal import queries
        from minwon.portal.models import SearchDocument

        built = os.path.join(args.keep, "built.json") if args.keep else None
        sizes = {"persons": args.persons, "petitions": args.petitions}
        if built is not None and os.path.exists(built):
            with open(built) as stored:
                recorded = json.load(stored)
            if recorded["sizes"] != sizes:
                sys.exit(f"{args.keep} holds {recorded['sizes']}, not {sizes}")
            persons_s, petitions_s = recorded["persons_s"], recorded["petitions_s"]
        else:
            started = time.perf_counter()
            build_persons(args.persons, rng)
            persons_s = time.perf_counter() - started
            started = time.perf_counter()
            build_petitions(args.petitions, rng)
            petitions_s = time.perf_counter() - started
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            officer()
            if built is not None:
                with open(built, "w") as out:
                    json.dump(
                        {"sizes": sizes, "persons_s": persons_s, "petitions_s": petitions_s}, out
                    )
        who = _officer_actor()
        if connection.vendor == "postgresql" and not args.pg_defaults:
            prewarm()
        documents = SearchDocument.objects.count()
        sets = queries_of(random.Random(11), args.queries)
        results: dict[str, tuple[list[float], list[float], list[int]]] = {}
        for label, texts in sets.items():
            for text in texts[:20]:  # warm the caches and the prepared statements
                queries.search(who, text)
            full: list[float] = []
            floor: list[float] = []
            hits: list[int] = []
            for text in texts:
                full.append(timed(lambda t=text, h=hits: h.append(queries.search(who, t).total)))
                statement, params = queries.ranked(who, text).query.sql_with_params()
                floor.append(timed(lambda s=statement, p=params: raw(s, p)))
            results[label] = (full, floor, hits)
        common: list[tuple[str, int, bool, dict[str, float]]] = []
        for word in COMMON:
            found = queries.search(who, word)
            times = percentiles([timed(lambda w=word: queries.search(who, w)) for _ in range(9)])
            common.append((word, found.total, found.more, times))
        round_trip = percentiles([timed(lambda: raw("SELECT 1", ())) for _ in range(300)])
        plan = ""
        if connection.vendor == "postgresql":
            statement, params = queries.ranked(who, sets["2-syllable"][0]).query.sql_with_params()
            with connection.cursor() as cursor, queries.planned(cursor):
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
                plan = "\n".join(row[0] for row in cursor.fetchall())
    print(
        f"machine: {platform.node()} {platform.processor() or platform.machine()}, "
        f"python {platform.python_version()}, load average (1/5/15 min) at start "
        f"{'/'.join(f'{x:.1f}' for x in load_start)}, at end "
        f"{'/'.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    print(f"PostgreSQL settings: {settings or 'stock'}")
    print(
        f"database: {args.db}; persons: {args.persons} (built in {persons_s:.0f} s); "
        f"petitions: {args.petitions} (built in {petitions_s:.0f} s); documents: {documents}"
    )
    for label, (full, floor, hits) in results.items():
        p, f = percentiles(full), percentiles(floor)
        ordered = sorted(hits)
        print(
            f"{label:>10}: search p50 {p['p50']:.1f} p95 {p['p95']:.1f} p99 {p['p99']:.1f} ms | "
            f"raw SQL p50 {f['p50']:.1f} p95 {f['p95']:.1f} p99 {f['p99']:.1f} ms | "
            f"p95 ratio {p['p95'] / f['p95']:.2f} | hits median {ordered[len(ordered) // 2]} "
            f"max {ordered[-1]} (n={len(full)})"
        )
    for word, total, more, times in common:
        print(
            f"common word {word!r}: {total}{'+' if more else ''} hits shown as counted, "
            f"p50 {times['p50']:.1f} max {times['p99']:.1f} ms (9 runs)"
        )
    print(f"round trip (SELECT 1): p50 {round_trip['p50']:.2f} p95 {round_trip['p95']:.2f} ms")
    if plan:
        print("plan of the first 2-syllable query:")
        print(plan)


if __name__ == "__main__":
    main()
