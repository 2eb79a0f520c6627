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
    rows, count = [], 0
    while count < per - 4:
        size = rng.choice([1, 1, 2, 2, 3, 4])
        rows.append(household(rng, used, size))
        count += size
    return rows, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--persons", type=int, default=40_000)
    parser.add_argument("--per", type=int, default=1000, help="persons per command")
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
        kinds = [ImportResidents, LoadResidents]
        made = batches = 0
        bar = tqdm(total=args.persons, unit="명")
        while made < args.persons:
            started = time.perf_counter()
            rows, count = batch(rng, used, args.per)
            sealing += time.perf_counter() - started
            kind: Any = kinds[batches % 2]
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
    rate = {k: persons[k] / wall[k] for k in wall}
    for k in kinds:
        print(
            f"{k.__name__:>16}: {persons[k]} persons in {wall[k]:.1f} s = {rate[k]:.0f}/s; "
            f"this process's CPU {1e6 * cpu[k] / persons[k]:.0f} µs per person"
        )
    print(
        f"LoadResidents / ImportResidents: {rate[LoadResidents] / rate[ImportResidents]:.2f}; "
        f"sealing the numbers (caller): {1e6 * sealing / made:.0f} µs per person"
    )


if __name__ == "__main__":
    main()
