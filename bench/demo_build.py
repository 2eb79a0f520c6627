"""The whole ``minwon demo --residents N`` build, timed app by app: each app's
``demo.seed(ctx)`` in the order ``seed_all`` runs them (INSTALLED_APPS), on a fresh SQLite file
or a PostgreSQL started here, with the number of rows each app's tables gained.

    .venv/bin/python bench/demo_build.py --residents 100000 [--db postgres] [--again]

Prints, per app: seconds, share of the build, this process's CPU seconds (on SQLite all the
database work is in-process, so under a shared machine's load it is the steadier figure),
rows written; the total and the residents per
second of the whole build; and, as the floor of the same run, the rate at which this machine
writes the residents' own rows (persons, households, members, residences) as sets with
nothing else (``registry.bulk.insert_rows`` of values already built, no command, no sealing,
no search documents), so the figure can be read against what the database alone takes.
``--again`` runs the build a second time on the same database (the demo is idempotent: it
must add no row) and prints its time.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import io
import os
import platform
import sys
import time
import uuid
from datetime import date, datetime
from typing import Any

sys.path.insert(0, os.path.dirname(__file__))

from registry_common import database


def row_counts() -> dict[str, int]:
    """Rows per minwon table (the apps' own tables)."""
    from django.apps import apps

    out: dict[str, int] = {}
    for model in apps.get_models():
        meta = model._meta
        if model.__module__.startswith("minwon.") and not meta.proxy and meta.managed:
            out[meta.db_table] = model._base_manager.count()
    return out


def seeds() -> list[tuple[str, Any]]:
    from django.apps import apps

    out = []
    for config in apps.get_app_configs():
        name = f"{config.name}.demo"
        if not config.name.startswith("minwon.") or importlib.util.find_spec(name) is None:
            continue
        seed = getattr(importlib.import_module(name), "seed", None)
        if seed is not None:
            out.append((config.label, seed))
    return out


def _children_cpu() -> float:
    """CPU seconds of this process's ended children (the registry demo's worker process,
    reaped when its seed ends)."""
    times = os.times()
    return times.children_user + times.children_system


def build(
    residents: int, *, progress: bool, only: set[str] | None = None
) -> tuple[list[tuple[str, float, float, float, int]], float]:
    from minwon.kernel.demo import DemoContext

    ctx = DemoContext(residents=residents, out=sys.stderr if progress else io.StringIO())
    ctx.quiet = not progress
    figures = []
    started = time.perf_counter()
    for label, seed in seeds():
        if only is not None and label not in only:
            continue
        before = sum(row_counts().values())
        t0, c0, w0 = time.perf_counter(), time.process_time(), _children_cpu()
        seed(ctx)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        figures.append(
            (label, wall, cpu, _children_cpu() - w0, sum(row_counts().values()) - before)
        )
    return figures, time.perf_counter() - started


def floor(persons: int) -> float:
    """Persons per second written as bare sets (see the module docstring), in a transaction
    rolled back afterwards."""
    from django.db import transaction

    from minwon.kernel import rrn
    from minwon.registry.bulk import (
        HOUSEHOLD_COLUMNS,
        MEMBER_COLUMNS,
        PERSON_COLUMNS,
        RESIDENCE_COLUMNS,
        insert_rows,
        reserve_ids,
    )
    from minwon.registry.models import Household, HouseholdMember, Person, Residence

    sealed = rrn.SealedRRN.from_text(rrn.with_check_digit("900101100000"))
    blob = sealed.blob()
    at = datetime(2026, 1, 1, 9, 0).astimezone()
    road, code, day = "강원특별자치도 원주시 단구로 1", "5113055000", date(2025, 1, 1)
    command = uuid.uuid4()
    elapsed = 0.0
    with transaction.atomic():
        pids = reserve_ids(Person, persons)
        hids = reserve_ids(Household, persons // 2)
        t0 = time.perf_counter()
        insert_rows(
            Person,
            PERSON_COLUMNS,
            ((p, "김민준", blob, f"floor{p}", day, "M", code, at) for p in pids),
        )
        insert_rows(
            Household,
            HOUSEHOLD_COLUMNS,
            ((h, pids[2 * i], road, "", code, day) for i, h in enumerate(hids)),
        )
        insert_rows(
            HouseholdMember,
            MEMBER_COLUMNS,
            ((hids[i // 2], p, "head", day) for i, p in enumerate(pids[: 2 * len(hids)])),
        )
        insert_rows(
            Residence,
            RESIDENCE_COLUMNS,
            (
                (p, hids[i // 2], road, "", code, day, day, "registration", command)
                for i, p in enumerate(pids[: 2 * len(hids)])
            ),
        )
        elapsed = time.perf_counter() - t0
        transaction.set_rollback(True)
    return persons / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--again", action="store_true", help="build a second time (idempotence)")
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("--apps", default="", help="comma-separated app labels (to profile)")
    args = parser.parse_args()
    load_start = os.getloadavg()
    with database(args.db):
        from minwon.registry.bulk import build_pragmas

        with build_pragmas():
            floor_rate = floor(min(args.residents, 50_000))
        only = set(args.apps.split(",")) if args.apps else None
        figures, total = build(args.residents, progress=not args.no_progress, only=only)
        again = None
        if args.again:
            before = row_counts()
            t0 = time.perf_counter()
            build(args.residents, progress=False, only=only)
            seconds = time.perf_counter() - t0
            after = row_counts()
            again = (
                seconds,
                {t: n - before.get(t, 0) for t, n in after.items() if n != before.get(t, 0)},
            )
    print(
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, python "
        f"{platform.python_version()}; load average at start "
        f"{'/'.join(f'{x:.1f}' for x in load_start)}, at end "
        f"{'/'.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    print(f"database: {args.db}; minwon demo --residents {args.residents}")
    print(
        f"  {'app':<14} {'wall':>8}    {'share':>6}  {'CPU here':>9}  {'workers':>9}  {'rows':>9}"
    )
    for label, seconds, cpu, workers, rows in figures:
        print(
            f"  {label:<14} {seconds:8.1f} s  {100 * seconds / total:5.1f} %  {cpu:7.1f} s  "
            f"{workers:7.1f} s  {rows:>9}"
        )
    cpu_all = sum(f[2] + f[3] for f in figures)
    print(
        f"CPU of this process and its workers: {1e6 * cpu_all / max(1, args.residents):.0f} µs per resident"
    )
    rate = args.residents / total
    print(f"total {total:.1f} s = {rate:.0f} residents/s")
    print(
        f"floor (residents' rows as bare sets, same run): {floor_rate:.0f} persons/s; "
        f"build / floor {rate / floor_rate:.3f}"
    )
    if again is not None:
        print(f"second build on the same database: {again[0]:.1f} s, rows added: {again[1] or 0}")


if __name__ == "__main__":
    main()
