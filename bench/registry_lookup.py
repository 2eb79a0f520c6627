"""Person look-up latency (p50/p95/p99) by name + birth date and by exact RRN (blind
index), through ``registry.queries.search_persons`` — scoping and the access-log write
included — after importing ``--persons`` residents. Then the household read a 등본 makes
(``person_with_household`` by blind index, ``household_with_members`` by person), beside a
floor measured in the same run: one raw by-key ``SELECT`` of the person's id through a
cursor, the least any by-key read costs (ratio = floor / read, mean over the samples).

    .venv/bin/python bench/registry_lookup.py --db sqlite --persons 100000
    .venv/bin/python bench/registry_lookup.py --db postgres --persons 1000000   # the issue's size
"""

from __future__ import annotations

import argparse
import platform
import random
import time

from registry_common import database, import_residents, percentiles, timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--lookups", type=int, default=1000)
    args = parser.parse_args()
    with database(args.db):
        from minwon.kernel import rrn
        from minwon.kernel.types import Actor
        from minwon.registry import queries
        from minwon.registry.models import Person

        started = time.perf_counter()
        import_residents(args.persons)
        built = time.perf_counter() - started
        actor = Actor.system("bench")
        rng = random.Random(2)
        top = Person.objects.order_by("-id").values_list("id", flat=True).first() or 1
        sample = []
        for _ in range(args.lookups):
            person = Person.objects.filter(pk__gte=rng.randint(1, top)).first()
            if person is not None:
                sample.append(person)
        numbers = [rrn.decrypt(bytes(p.rrn_ciphertext), p.rrn_index) for p in sample]
        by_name = [
            timed(lambda p=p: queries.search_persons(actor, purpose="bench", name=p.name, birth_date=p.birth_date))
            for p in sample
        ]  # fmt: skip
        by_rrn = [
            timed(lambda n=n: queries.search_persons(actor, purpose="bench", rrn_text=n))
            for n in numbers
        ]
        name_only = [
            timed(lambda p=p: queries.search_persons(actor, purpose="bench", name=p.name))
            for p in sample[:200]
        ]
        floor = [timed(lambda p=p: _raw_by_key(p.rrn_index)) for p in sample]
        with_household = [
            timed(lambda p=p: queries.person_with_household(p.rrn_index)) for p in sample
        ]
        by_person = [timed(lambda p=p: queries.household_with_members(p.pk)) for p in sample]
    print(
        f"machine: {platform.node()} {platform.processor() or platform.machine()}, python {platform.python_version()}"
    )
    print(
        f"database: {args.db}; persons: {args.persons}; built in {built:.0f} s ({args.persons / built:.0f} persons/s)"
    )
    for label, samples in (
        ("name + birth date", by_name),
        ("exact RRN", by_rrn),
        ("name only (50 rows)", name_only),
        ("floor: raw by-key", floor),
        ("person + household", with_household),
        ("household by person", by_person),
    ):
        p = percentiles(samples)
        print(
            f"{label:>20}: p50 {p['p50']:.2f} ms  p95 {p['p95']:.2f} ms  p99 {p['p99']:.2f} ms  (n={len(samples)})"
        )
    for label, samples in (
        ("person + household", with_household),
        ("household by person", by_person),
    ):
        print(f"{label:>20}: ratio to the floor {sum(floor) / sum(samples):.2f}")


def _raw_by_key(index: str) -> object:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute('SELECT "id" FROM "registry_person" WHERE "rrn_index" = %s', [index])
        return cursor.fetchone()


if __name__ == "__main__":
    main()
