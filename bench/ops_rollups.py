"""Situation-room benchmark: the cost the room adds to every command, the cost of a
flush, and how fast the room's queries answer over a busy day of rollups.

    MINWON_VAR_DIR=/tmp/mw-bench-ops .venv/bin/python bench/ops_rollups.py [--minutes 1440]

Uses a fresh embedded database in MINWON_VAR_DIR unless MINWON_DATABASE_URL is set.
Prints figures; docs/benchmarks/ops.md records them.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta


def timed(fn: Callable[[], object], repeat: int = 5) -> float:
    """Median seconds of ``repeat`` runs."""
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=int, default=1440, help="minutes of history to generate")
    parser.add_argument("--commands", type=int, default=300)
    args = parser.parse_args()
    os.environ.setdefault("MINWON_VAR_DIR", tempfile.mkdtemp(prefix="mw-bench-ops-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minwon.config.settings")
    os.environ["MINWON_OPS_FLUSH_SECONDS"] = "3600"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from minwon.accounts.commands import RecordSignIn
    from minwon.kernel import clock, execute
    from minwon.kernel.types import NATION, Actor, Channel
    from minwon.ops import queries, rollups
    from minwon.ops.models import MetricMinute

    actor = Actor.system("bench")
    command = RecordSignIn(actor=actor, channel=Channel.ONLINE, jurisdiction=NATION)

    # 1. What the listener adds to one command (in memory, no flush).
    n = 100_000
    started = time.perf_counter()
    for _ in range(n):
        rollups.on_command(command, "ok", 0.001)
    per_call = (time.perf_counter() - started) / n
    rollups.discard_pending()
    print(f"listener per command            {per_call * 1e6:8.2f} µs")

    # 2. A whole command through execute() (the alternative for rollup writes).
    started = time.perf_counter()
    for _ in range(args.commands):
        execute(RecordSignIn(actor=actor, channel=Channel.ONLINE, jurisdiction=NATION))
    per_command = (time.perf_counter() - started) / args.commands
    print(f"execute() of one small command  {per_command * 1e3:8.2f} ms")

    # 3. One flush of a busy 10 s: 7 categories × 6 channels × 25 districts + requests.
    rnd = random.Random(7)
    districts = [f"{rnd.randint(11, 52)}{rnd.randint(100, 999)}00000" for _ in range(25)]

    def fill() -> None:
        for d in districts:
            for ch in ("online", "counter", "kiosk", "mail", "agency", "edge"):
                for cat in (
                    "issuances",
                    "petitions_received",
                    "petitions_decided",
                    "logins",
                    "moves_in",
                    "sharing",
                    "edge_applied",
                ):
                    rollups.record(
                        "category", key=cat, channel=ch, jurisdiction=d, n=rnd.randint(1, 9)
                    )
        for area in ("citizen", "staff", "api", "kiosk"):
            rollups.record("request", key=area, outcome="2xx", n=50, total=2.5)

    fill()
    rows = len(rollups.pending())

    def fill_and_flush() -> None:
        fill()
        rollups.flush()

    flush_s = timed(fill_and_flush, repeat=5)
    print(
        f"flush of {rows} rows               {flush_s * 1e3:8.2f} ms ({flush_s / rows * 1e6:.0f} µs/row)"
    )

    # 4. The room's queries over a day (and last week's same day) of per-minute rollups.
    MetricMinute.objects.all().delete()
    now = clock.now()
    batch = []
    for days_back in (0, 7):
        for m in range(args.minutes):
            minute = rollups.minute_of(now - timedelta(days=days_back, minutes=m))
            for d in districts[:10]:
                for ch in ("online", "counter", "kiosk"):
                    batch.append(
                        MetricMinute(
                            minute=minute,
                            metric="category",
                            key="issuances",
                            channel=ch,
                            jurisdiction=d,
                            n=3,
                        )
                    )
            batch.append(
                MetricMinute(
                    minute=minute, metric="request", key="api", outcome="2xx", n=100, total=5.0
                )
            )
            batch.append(MetricMinute(minute=minute, metric="latency", key="0.1", n=100))
    MetricMinute.objects.bulk_create(batch, batch_size=5000)
    print(f"rollup rows in table            {MetricMinute.objects.count():8d}")
    for name, fn in (
        ("today vs last week", queries.today_vs_last_week),
        ("per channel", queries.per_channel),
        ("per region", queries.per_region),
        ("requests (15 min)", queries.request_stats),
        ("series (6 h)", queries.series),
    ):
        print(f"query {name:26s}{timed(fn) * 1e3:8.2f} ms")


if __name__ == "__main__":
    main()
