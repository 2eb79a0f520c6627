"""Shared set-up for the registry benchmarks: a throw-away database (SQLite file or a
PostgreSQL started here), migrated, with the code list loaded and N residents imported
through ``ImportResidents`` (the same bulk path as ``minwon demo --residents``)."""

from __future__ import annotations

import os
import random
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

DONGS = ["5113055000", "5113066000", "5113059000", "5211168000", "4415057000"]
SURNAMES = "김이박최정강조윤장임한오서신권황안송류홍"
GIVEN = [
    "민준",
    "서연",
    "도윤",
    "지우",
    "하준",
    "서윤",
    "은우",
    "지아",
    "시우",
    "하은",
    "지호",
    "수아",
]


def _stop_on_sigterm() -> Any:
    """Turn SIGTERM into ``SystemExit`` so ``database``'s ``finally`` stops the PostgreSQL it
    started (a bench killed by ``kill`` or a CI timeout left its server running); returns the
    handler it replaced."""

    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    return signal.signal(signal.SIGTERM, stop)


@contextmanager
def database(
    kind: str, keep: str | None = None, settings: dict[str, str] | None = None
) -> Iterator[str]:
    """Point Django at a fresh database of ``kind`` and set it up; stop and remove it at the
    end, on an exception, Ctrl-C or SIGTERM. With ``keep`` (a directory), the database and
    its var dir (keys included) live there and are kept, stopped, for the next run to reuse
    — a data set that takes a quarter of an hour to build is built once."""
    if keep is not None:
        var = os.path.join(keep, "var")
        os.makedirs(var, exist_ok=True)
    else:
        var = tempfile.mkdtemp(prefix="minwon-bench-")
    os.environ["MINWON_VAR_DIR"] = var
    os.environ.setdefault("MINWON_DISABLE_POOL", "1")
    server = None
    previous = _stop_on_sigterm()
    if kind == "postgres":
        from pathlib import Path

        from minwon.testing.pgserver import PostgresServer

        base = Path(keep, "postgres") if keep is not None else None
        server = PostgresServer(base=base, settings=settings).start()
        os.environ["MINWON_DATABASE_URL"] = server.url
    else:
        os.environ["MINWON_DATABASE_URL"] = "sqlite:///" + os.path.join(var, "bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minwon.config.settings")
    import django
    from django.core.management import call_command

    try:
        django.setup()
        call_command("migrate", interactive=False, verbosity=0)
        from minwon.kernel.management.commands.load_jurisdictions import load

        load()
        yield kind
    finally:
        from django.db import connections

        connections.close_all()
        if server is not None and keep is not None:
            server.stop(fast=True)
        elif server is not None:
            server.destroy()
        if keep is None:
            shutil.rmtree(var, ignore_errors=True)
        signal.signal(signal.SIGTERM, previous)


def import_residents(total: int, *, seed: int = 1, progress: bool = True) -> list[list[int]]:
    """Import ``total`` persons in households of 1-4; return person ids per household."""
    from tqdm import tqdm

    from minwon.kernel import execute
    from minwon.kernel.types import Actor, Channel
    from minwon.registry.importer import ImportResidents

    rng = random.Random(seed)
    system = Actor.system("bench")
    used: set[str] = set()
    households: list[list[int]] = []
    made = 0
    bar = tqdm(total=total, unit="persons", disable=not progress)
    while made < total:
        rows = []
        count = 0
        while count < 1000 and made + count < total:
            size = min(rng.choice([1, 1, 2, 2, 3, 4]), total - made - count)
            rows.append(household(rng, used, size))
            count += size
        result = execute(
            ImportResidents(
                actor=system, channel=Channel.SYSTEM, jurisdiction="0000000000", households=rows
            )
        ).value
        households.extend(h["person_ids"] for h in result["households"])
        made += count
        bar.update(count)
    bar.close()
    return households


def household(rng: random.Random, used: set[str], size: int) -> Any:
    """One synthetic 원주 household of ``size`` residents (a head and children) with
    resident numbers not in ``used`` (which it extends), as the import commands take it."""
    from minwon.kernel import rrn
    from minwon.registry.importer import HouseholdRow, ResidentRow

    members = []
    for m in range(size):
        born = date(1940, 1, 1) + timedelta(days=rng.randrange(29000))
        code = (1 if born.year < 2000 else 3) + rng.randrange(2)
        while True:
            number = rrn.with_check_digit(f"{born:%y%m%d}{code}{rng.randrange(100000):05d}")
            if number not in used:
                used.add(number)
                break
        members.append(
            ResidentRow(
                name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                sealed_rrn=rrn.SealedRRN.from_text(number),
                relationship="head" if m == 0 else "child",
            )
        )
    return HouseholdRow(
        road_address=f"강원특별자치도 원주시 단구로 {rng.randint(1, 400)}",
        address_code=rng.choice(DONGS),
        moved_in_on=date(2025, 1, 1),
        members=members,
    )


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000

    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99)}


def timed(fn: Any) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start
