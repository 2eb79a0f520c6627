"""How much the kernel costs: commands executed per second through ``execute()`` (dedup
check, transaction, handler, event, audit chain, command record) against the raw SQL floor
of the same work's essential write (one INSERT per command in its own transaction),
measured in the same process.

    .venv/bin/python bench/kernel_execute.py --n 2000            # SQLite (a temp file)
    .venv/bin/python bench/kernel_execute.py --n 2000 --postgres # PostgreSQL it starts
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("MINWON_VAR_DIR", tempfile.mkdtemp(prefix="minwon-bench-"))
    server = None
    if args.postgres:
        from minwon.testing.pgserver import PostgresServer

        server = PostgresServer(fast=False).start()
        os.environ["MINWON_DATABASE_URL"] = server.url
    else:
        os.environ["MINWON_DATABASE_URL"] = (
            f"sqlite:///{os.environ['MINWON_VAR_DIR']}/bench.sqlite3"
        )
    os.environ["DJANGO_SETTINGS_MODULE"] = "minwon.config.settings"
    try:
        run(args.n, "postgresql" if server else "sqlite")
    finally:
        if server is not None:
            server.destroy()


def run(n: int, label: str) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from minwon.kernel import execute
    from minwon.kernel.bus import Context
    from minwon.kernel.registry import handler
    from minwon.kernel.types import Actor, Channel, Command, Event

    call_command("migrate", verbosity=0)

    @dataclasses.dataclass(frozen=True, kw_only=True)
    class BenchNote(Command):
        """Benchmark command: writes one row and emits one event."""

        n: int

    @dataclasses.dataclass(frozen=True, kw_only=True)
    class BenchNoted(Event):
        n: int

    @handler(BenchNote)
    def bench_note(cmd: BenchNote, *, ctx: Context) -> dict[str, int]:
        ctx.emit(BenchNoted(n=cmd.n))
        return {"n": cmd.n}

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_raw (id "
            + ("BIGSERIAL" if connection.vendor == "postgresql" else "INTEGER")
            + " PRIMARY KEY, n INTEGER, payload TEXT)"
        )

    actor = Actor.system("bench")
    # Baseline: one INSERT per transaction, the floor of any durable write.
    started = time.perf_counter()
    for i in range(n):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO bench_raw (n, payload) VALUES (%s, %s)", [i, f'{{"n": {i}}}']
            )
    raw = n / (time.perf_counter() - started)

    started = time.perf_counter()
    for i in range(n):
        execute(BenchNote(actor=actor, channel=Channel.SYSTEM, jurisdiction="5113000000", n=i))
    kernel = n / (time.perf_counter() - started)

    started = time.perf_counter()
    for i in range(n):
        execute(BenchNote(actor=actor, channel=Channel.SYSTEM, jurisdiction="5113000000", n=i,
                          command_id=__import__("uuid").uuid5(__import__("uuid").NAMESPACE_URL, f"r{i}")))  # fmt: skip
    first = time.perf_counter()
    for i in range(n):
        execute(BenchNote(actor=actor, channel=Channel.SYSTEM, jurisdiction="5113000000", n=i,
                          command_id=__import__("uuid").uuid5(__import__("uuid").NAMESPACE_URL, f"r{i}")))  # fmt: skip
    replay = n / (time.perf_counter() - first)

    print(f"database            {label}")
    print(f"commands            {n}")
    print(f"raw INSERT tx/s     {raw:,.0f}")
    print(f"execute() cmd/s     {kernel:,.0f}")
    print(f"replay cmd/s        {replay:,.0f}")
    print(f"kernel / raw        {kernel / raw:.2f}")


if __name__ == "__main__":
    main()
