"""A petition submission's CPU in process: N ``POST /api/petitions`` through Django's test
client (every middleware, the same view as the servers), on SQLite or on a PostgreSQL it
starts (fsync on), beside the floor of ``GET /healthz`` through the same client in the same
run, as a ratio.

    .venv/bin/python bench/submit_cpu.py --n 300                   # SQLite (a temp file)
    .venv/bin/python bench/submit_cpu.py --n 300 --postgres
    .venv/bin/python bench/submit_cpu.py --n 300 --profile 25      # cProfile's top 25
    PYTHONPATH=<older tree>/src .venv/bin/python bench/submit_cpu.py --n 300  # before/after

It prints, per round, the app's CPU per submission (this process: ``time.process_time``),
the wall time, PostgreSQL's backend CPU per submission (from /proc), the statements one
submission sends (counted in a separate pass, so the counting costs no measured CPU), and
the ratio of a submission's CPU to a ``/healthz`` request's. One 고충민원 at the counter,
as ``bench/petitions_http.py`` and ``tests/petitions/test_statements.py`` send it.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpbench

WONJU = httpbench.WONJU


def setup(postgres: bool) -> Any:
    """The database (PostgreSQL started here, or a SQLite file), migrated, with the code
    list and the catalog loaded and a counter clerk's token; returns (server, token)."""
    server = None
    if postgres:
        server = httpbench.start_database("submit-cpu")
    else:
        var = tempfile.mkdtemp(prefix="minwon-bench-submit-cpu-")
        os.environ["MINWON_VAR_DIR"] = var
        os.environ["MINWON_DATABASE_URL"] = f"sqlite:///{var}/bench.sqlite3"
        os.environ["DJANGO_SETTINGS_MODULE"] = "minwon.config.settings"
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        from minwon.kernel.management.commands.load_jurisdictions import load

        load()
    from minwon.kernel import execute
    from minwon.kernel.types import Actor, Channel
    from minwon.petitions import catalog
    from minwon.petitions.commands import LoadPetitionCatalog

    data = catalog.read()
    execute(LoadPetitionCatalog(actor=Actor.system("bench"), channel=Channel.SYSTEM,
                                jurisdiction="0000000000", version=data["version"],
                                types=data["types"]))  # fmt: skip
    import petitions_http as ph

    ph.open_audit_chains()
    return server, httpbench.staff_token("bench-clerk", "counter_clerk")


def submitter(token: str) -> Any:
    from django.test import Client

    import petitions_http as ph

    body, headers = ph.submission(token)
    sent = {k: v for k, v in headers.items() if k.lower() != "content-type"}
    client = Client()

    def submit() -> None:
        response = client.post(
            "/api/petitions", body, content_type="application/json", headers=sent
        )
        assert response.status_code == 200, response.content

    return submit


def healthzer() -> Any:
    from django.test import Client

    client = Client()

    def healthz() -> None:
        response = client.get("/healthz")
        assert response.status_code == 200

    return healthz


def statements(submit: Any) -> int:
    """The statements one submission sends (BEGIN/COMMIT and savepoints aside)."""
    from django.db import connection

    sent: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        sent.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        submit()
    if os.environ.get("BENCH_LIST_STATEMENTS"):
        for n, s in enumerate(sent):
            print(f"{n:2} {s[:110]}", file=sys.stderr)
    return len([s for s in sent if not s.startswith(("SAVEPOINT", "RELEASE", "BEGIN"))])


def timed(fn: Any, n: int, server: Any) -> dict[str, float]:
    """CPU and wall per call of ``fn`` over ``n`` calls; PostgreSQL's CPU per call too."""
    if server is not None:
        import submit_floor

        server0, children = submit_floor.server_cpu(server.data)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for _ in range(n):
        fn()
    cpu1, wall1 = time.process_time(), time.perf_counter()
    out = {
        "cpu_ms": round(1000 * (cpu1 - cpu0) / n, 3),
        "wall_ms": round(1000 * (wall1 - wall0) / n, 3),
    }
    if server is not None:
        server1, _ = submit_floor.server_cpu(server.data, children=children)
        out["postgres_cpu_ms"] = round(1000 * (server1 - server0) / n, 3)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=300, help="submissions per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        help="profile one more round; print its top N (the app's functions, then all)",
    )
    args = parser.parse_args()
    at_start = httpbench.machine()
    server, token = setup(args.postgres)
    try:
        submit, healthz = submitter(token), healthzer()
        for _ in range(20):  # first-use caches warmed
            submit()
            healthz()
        count = statements(submit)
        rounds = []
        for r in range(args.rounds):
            floor = timed(healthz, args.n, None)
            cell = timed(submit, args.n, server)
            cell["healthz_cpu_ms"] = floor["cpu_ms"]
            cell["ratio_to_healthz"] = round(cell["cpu_ms"] / floor["cpu_ms"], 1)
            rounds.append({"round": r, **cell})
            print(json.dumps(rounds[-1]), file=sys.stderr)
        report: dict[str, Any] = {
            "machine": at_start,
            "load_average_at_end": httpbench.machine()["load_average"],
            "command": " ".join(["bench/submit_cpu.py", *sys.argv[1:]]),
            "database": "postgresql" if args.postgres else "sqlite",
            "statements_per_submission": count,
            "median_cpu_ms": statistics.median(c["cpu_ms"] for c in rounds),
            "median_ratio_to_healthz": statistics.median(c["ratio_to_healthz"] for c in rounds),
            "rounds": rounds,
        }
        if args.postgres:
            report["median_postgres_cpu_ms"] = statistics.median(
                c["postgres_cpu_ms"] for c in rounds
            )
        print(json.dumps(report, indent=1))
        if args.profile:
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(args.n):
                submit()
            profile.disable()
            text = io.StringIO()
            stats = pstats.Stats(profile, stream=text).sort_stats("cumulative")
            # The app's own functions first (where its time goes), then everything.
            stats.print_stats("src/minwon/", args.profile)
            stats.print_stats(args.profile)
            print(text.getvalue())
    finally:
        from django.db import connections

        connections.close_all()
        if server is not None:
            server.destroy()


if __name__ == "__main__":
    main()
