"""Residents imported per second: the set-based ``LoadResidents`` (registry.bulk: COPY on
PostgreSQL, executemany on SQLite) against the row-by-row ``ImportResidents`` (Django
``bulk_create`` and the portal subscriber's ``refresh``), in the same run, alternating
batches so both see the same table sizes and the same neighbours' load. Both go through
``execute`` (command record, audit, sealed numbers, search documents in the transaction).

    .venv/bin/python bench/registry_load.py --persons 40000 [--db postgres] [--per 1000]

Prints persons/s of each and their ratio, the time spent sealing the numbers (the caller's
share, the same for both), and this process's CPU seconds per path (on SQLite all the
database work is in-process; on PostgreSQL the server's share is not in it).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
from typing import Any

sys.path.insert(0, os.path.dirname(__file__))

from registry_common import database, household


def batch(rng: random.Random, used: set[str], per: int) -> tuple[list[Any], int]:
    """Households of 1-4 persons, ``per`` persons in all (the last household cut to fit)."""
    rows, count = [], 0
    while count < per:
        size = min(rng.choice([1, 1, 2, 2, 3, 4]), per - count)
        rows.append(household(rng, used, size))
        count += size
    return rows, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--persons", type=int, default=40_000)
    parser.add_argument("--per", type=int, default=1000, help="persons per command")
    parser.add_argument(
        "--only",
        choices=["load", "import"],
        default=None,
        help="run one path only (to profile it); no ratio then",
    )
    args = parser.parse_args()
    load_start = os.getloadavg()
    with database(args.db):
        from tqdm import tqdm

        from minwon.kernel import execute
        from minwon.kernel.types import Actor, Channel
        from minwon.registry.bulk import LoadResidents
        from minwon.registry.importer import ImportResidents

        rng = random.Random(3)
        used: set[str] = set()
        system = Actor.system("bench")
        wall = {ImportResidents: 0.0, LoadResidents: 0.0}
        cpu = dict.fromkeys(wall, 0.0)
        persons = dict.fromkeys(wall, 0)
        sealing = 0.0
        kinds: list[Any] = [ImportResidents, LoadResidents]
        if args.only is not None:
            kinds = [LoadResidents if args.only == "load" else ImportResidents]
        made = batches = 0
        bar = tqdm(total=args.persons, unit="명")
        while made < args.persons:
            started = time.perf_counter()
            rows, count = batch(rng, used, min(args.per, args.persons - made))
            sealing += time.perf_counter() - started
            kind: Any = kinds[batches % len(kinds)]
            batches += 1
            t0, c0 = time.perf_counter(), time.process_time()
            execute(
                kind(
                    actor=system, channel=Channel.SYSTEM, jurisdiction="0000000000", households=rows
                )
            )
            wall[kind] += time.perf_counter() - t0
            cpu[kind] += time.process_time() - c0
            persons[kind] += count
            made += count
            bar.update(count)
        bar.close()
    print(
        f"machine: {platform.node()} {platform.machine()}, python {platform.python_version()}, "
        f"load average at start {'/'.join(f'{x:.1f}' for x in load_start)}, at end "
        f"{'/'.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    print(f"database: {args.db}; {made} persons, {args.per} per command, alternating")
    ran = [k for k in kinds if persons[k]]
    rate = {k: persons[k] / wall[k] for k in ran}
    for k in ran:
        print(
            f"{k.__name__:>16}: {persons[k]} persons in {wall[k]:.1f} s = {rate[k]:.0f}/s; "
            f"this process's CPU {1e6 * cpu[k] / persons[k]:.0f} µs per person"
        )
    if len(ran) == 2:
        print(f"LoadResidents / ImportResidents: {rate[LoadResidents] / rate[ImportResidents]:.2f}")
    else:
        print("one path ran (fewer persons than two commands, or --only): no ratio")
    print(f"sealing the numbers (caller): {1e6 * sealing / made:.0f} µs per person")


if __name__ == "__main__":
    main()
