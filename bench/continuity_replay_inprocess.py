"""Central's replay in process, against raw inserts of the same rows (issue 20, item 5).

    .venv/bin/python bench/continuity_replay_inprocess.py [M]             # SQLite (a temp file)
    .venv/bin/python bench/continuity_replay_inprocess.py [M] --postgres  # PostgreSQL it starts

On a throw-away database (the catalog, a clerk and an edge key made through commands),
``continuity.replay.apply_batch`` runs M synthesized ``SubmitApplication`` entries
(default 1000) as ``POST /api/continuity/replay`` does, without HTTP. Then the rows that
replay wrote — every table's rows that were not there before — are inserted again, as they
are, into empty copies of their tables with one ``executemany`` per table in one
transaction: the floor of writing the same rows with nothing else (the SQLite full-text
search index's rows are left out of the floor; replay still writes them). Prints both
rates, the ratio, the statements per command (by verb and table) and the rows per command
per table.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

WONJU = "5113000000"
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # receipt alphabet (32 symbols)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("m", type=int, nargs="?", default=1000)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    var = tempfile.mkdtemp(prefix="minwon-bench-replay-")
    os.environ["MINWON_VAR_DIR"] = var
    os.environ["DJANGO_SETTINGS_MODULE"] = "minwon.config.settings"
    os.environ.setdefault("MINWON_LOG_LEVEL", "WARNING")
    server = None
    if args.postgres:
        from minwon.testing.pgserver import PostgresServer

        server = PostgresServer(fast=False).start()
        os.environ["MINWON_DATABASE_URL"] = server.url
    else:
        os.environ["MINWON_DATABASE_URL"] = f"sqlite:///{var}/minwon.sqlite3"
    try:
        run(args.m)
    finally:
        if server is not None:
            server.destroy()


def run(m: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", interactive=False, verbosity=0)
    import httpbench
    from minwon.accounts.commands import RegisterAgencyClient
    from minwon.accounts.models import User
    from minwon.continuity import replay
    from minwon.kernel import execute
    from minwon.kernel.management.commands.load_jurisdictions import load
    from minwon.kernel.types import Actor, ActorKind, Channel
    from minwon.petitions import catalog
    from minwon.petitions.commands.catalog import LoadPetitionCatalog

    load()
    data = catalog.read()
    system = Actor.system("bench")
    execute(
        LoadPetitionCatalog(
            actor=system, channel=Channel.SYSTEM, jurisdiction="0000000000",
            version=str(data.get("version", "1")), types=data["types"],
        )
    )  # fmt: skip
    httpbench.staff_token("clerk-bench", "counter_clerk")
    clerk = User.objects.get(username="clerk-bench").pk
    agent_id = execute(
        RegisterAgencyClient(
            actor=system, channel=Channel.SYSTEM, jurisdiction=WONJU, name="edge",
            prefix="ebench", key_hash=uuid.uuid4().hex * 2, permissions=["continuity.replay"],
        )
    ).value["client_id"]  # fmt: skip
    agent = Actor(ActorKind.AGENCY, agent_id, "edge")
    when = datetime.now(timezone(timedelta(hours=9))) - timedelta(hours=5)

    def entries(count: int, base: int) -> list[replay.Entry]:
        out = []
        for i in range(count):
            j = i + base
            digits = "".join(ALPHABET[(j >> (5 * k)) & 31] for k in reversed(range(6)))
            out.append(
                replay.Entry(
                    seq=i + 1, name="SubmitApplication", command_id=uuid.uuid4(),
                    occurred_at=when + timedelta(seconds=j),
                    payload={
                        "items": [{"type_code": "GRIEVANCE"}], "applicant_name": "홍길동",
                        "applicant_birth": "1980-01-01",
                        "actor": {"kind": "staff", "id": clerk, "name": "clerk-bench"},
                        "channel": "counter", "jurisdiction": WONJU,
                        "receipt_random": "YY" + digits,
                    },
                )
            )  # fmt: skip
        return out

    replay.apply_batch(edge_id="bench", office=WONJU, agent=agent, entries=entries(50, 0))
    tables = [t for t in connection.introspection.table_names() if "_fts" not in t]
    with connection.cursor() as cursor:
        for t in tables:
            cursor.execute(f'CREATE TABLE "snap_{t}" AS SELECT * FROM "{t}"')
    load_at_start = os.getloadavg()
    batch = entries(m, 100)
    statements: Counter[str] = Counter()

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements[_kind(sql)] += 1
        return execute(sql, params, many, context)

    cpu, wall = time.process_time(), time.perf_counter()
    with connection.execute_wrapper(count):
        outcomes = replay.apply_batch(edge_id="bench", office=WONJU, agent=agent, entries=batch)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    rows = {}
    with connection.cursor() as cursor:
        for t in tables:
            # Rows replay wrote (or rewrote): those the table did not hold before.
            cursor.execute(f'SELECT * FROM "{t}" EXCEPT SELECT * FROM "snap_{t}"')
            found = cursor.fetchall()
            if found:
                rows[t] = [tuple(_adapt(v) for v in r) for r in found]
        for t in rows:
            cursor.execute(f'CREATE TABLE "raw_{t}" AS SELECT * FROM "{t}" WHERE 1 = 0')
    written = {t: len(r) for t, r in rows.items()}
    raw_wall = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for t, values in rows.items():
            marks = ", ".join(["%s"] * len(values[0]))
            cursor.executemany(f'INSERT INTO "raw_{t}" VALUES ({marks})', values)
    raw_wall = time.perf_counter() - raw_wall
    vendor = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    print(f"machine: {os.cpu_count()} cores, load {load_at_start} at start, "
          f"{tuple(round(x, 2) for x in os.getloadavg())} at end; {vendor}")  # fmt: skip
    print(f"outcomes: {dict(Counter(o['status'] for o in outcomes))}")
    print(f"replay: {m} entries in {wall:.2f} s -> {m / wall:.0f}/s; "
          f"{cpu / m * 1000:.2f} ms CPU per command")  # fmt: skip
    print(f"raw inserts of the same {sum(written.values())} rows in {len(written)} tables: "
          f"{raw_wall:.3f} s -> {m / raw_wall:.0f} commands' rows/s")  # fmt: skip
    print(f"replay / raw: {raw_wall / wall:.3f}")
    print(f"statements per command: {sum(statements.values()) / m:.2f} (" + ", ".join(
        f"{k} {n / m:g}" for k, n in statements.most_common()) + ")")  # fmt: skip
    print("rows per command: " + ", ".join(
        f"{t} {n / m:g}" for t, n in sorted(written.items(), key=lambda kv: -kv[1])))  # fmt: skip


def _kind(sql: str) -> str:
    """A statement's verb and first table ("INSERT petitions_petition", "SAVEPOINT")."""
    words = sql.replace('"', " ").replace("(", " ").split()
    verb = words[0].upper() if words else "?"
    if verb in ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT"):
        return verb
    if verb == "WITH":
        return "WITH …"
    upper = [w.upper() for w in words]
    for marker in ("INTO", "FROM", "UPDATE"):
        if marker in upper and upper.index(marker) + 1 < len(words):
            return f"{verb} {words[upper.index(marker) + 1]}"
    return verb


def _adapt(value: Any) -> Any:
    """A fetched value as a parameter: PostgreSQL's jsonb comes back as Python objects."""
    if isinstance(value, (dict, list)):
        from psycopg.types.json import Jsonb

        return Jsonb(value)
    return value


if __name__ == "__main__":
    main()
