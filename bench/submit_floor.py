"""The raw floor of a petition submission taken apart: what caps the app's own statements
when psycopg replays them without any application around them.

    .venv/bin/python bench/submit_floor.py --seconds 3 --clients 1,4,8,16
    PYTHONPATH=<older tree>/src .venv/bin/python bench/submit_floor.py --save /tmp/old.pickle
    .venv/bin/python bench/submit_floor.py --against /tmp/old.pickle --clients 8 --rounds 6

It captures one ``POST /api/petitions`` as ``bench/petitions_http.py`` does (its statements,
parameters and transactions), prints them, and replays them from N psycopg connections in
variants that isolate the audit chain's head:

- ``stripes``: as the app runs them (the chain fixed by the command id, 8 per 시·군·구);
- ``one_chain``: every submission on one chain (one head row per office);
- ``own_chain``: each connection on a chain of its own (the head statements still run, but
  no transaction ever waits on another's head lock);
- ``no_head``: the head's ``SELECT … FOR UPDATE`` dropped and the audit row inserted without
  moving the head (two round trips fewer, no head lock at all) — not a design, a
  measurement: without the head the chain's seq is not serialised.

and under PostgreSQL settings that share WAL flushes across concurrent commits
(``commit_delay``/``commit_siblings``; ``synchronous_commit`` stays on). One reference row
with ``synchronous_commit=off`` sizes the flush's share of the cost — it is not a setting
the project allows (it loses the last commits on a crash). For each cell it prints the
submissions per second, submissions per WAL flush (``pg_stat_wal.wal_sync``: above 1, commits
shared a flush), the CPU per submission of the client (this process) and of PostgreSQL (its
backends, from /proc), and the ratio to ``stripes`` with default settings at the same
client count, measured in the same run.
With ``--against``, it replays the statements another version captured (``--save``) and
this version's in alternating rounds on one database: a before/after of the statements
alone, measured under the same load.
Client and database share the machine's cores, so the figures are a floor under load.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import os
import pickle
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpbench
import petitions_http as ph

WONJU = httpbench.WONJU

#: The captured audit row's seq, swapped for a placeholder that no other parameter can hold.
SEQ_MARK = -7_777_777_777

#: PostgreSQL settings of each run: (label, {setting: value}).
SETTINGS: list[tuple[str, dict[str, str]]] = [
    ("default", {}),
    ("commit_delay=200us,siblings=2", {"commit_delay": "200", "commit_siblings": "2"}),
    ("commit_delay=1000us,siblings=5", {"commit_delay": "1000", "commit_siblings": "5"}),
]
REFERENCE = ("synchronous_commit=off (reference only)", {"synchronous_commit": "off"})


def without_head(statements: list[ph.Statement]) -> list[ph.Statement]:
    """The statements with the audit head's read dropped and its move cut from the audit
    insert; the row's seq becomes ``SEQ_MARK`` (a fresh one per replay)."""
    from minwon.kernel.models import AuditHead

    table = f'"{AuditHead._meta.db_table}"'
    out = []
    for st in statements:
        lock = f" SELECT seq, hash FROM {table}"
        if lock in st.sql and st.sql.startswith("WITH "):
            # The command's other rows ride on the lock: they stay, the lock goes (the last
            # data-modifying WITH becomes the statement).
            clauses = st.sql[: st.sql.index(lock)]
            last = clauses.rindex(", _w") + 2 if ", _w" in clauses else len("WITH ")
            main = clauses[clauses.index(" AS (", last) + len(" AS (") : -1]
            head = clauses[: last - 2] if last > len("WITH ") else ""
            st = ph.Statement(f"{head} {main}".strip(), st.params[:-1], st.many, st.atomic, None)
            out.append(st)
            continue
        if f"FROM {table}" in st.sql and "FOR UPDATE" in st.sql:
            continue
        if st.sql.startswith("WITH _row AS (INSERT"):
            insert = st.sql[len("WITH _row AS (") : st.sql.index(f") UPDATE {table}")]
            params = list(st.params[:13])
            params[1] = SEQ_MARK
            st = ph.Statement(insert, params, st.many, st.atomic, st.rows)
        out.append(st)
    return out


def set_postgres(url: str, values: dict[str, str]) -> None:
    """``ALTER SYSTEM`` each setting (the others reset) and reload the configuration."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        for name in ("commit_delay", "commit_siblings", "synchronous_commit"):
            if name in values:
                conn.execute(f"ALTER SYSTEM SET {name} = '{values[name]}'")
            else:
                conn.execute(f"ALTER SYSTEM RESET {name}")
        conn.execute("SELECT pg_reload_conf()")
    time.sleep(0.2)


def wal_counters(url: str) -> tuple[int, int]:
    """(WAL syncs, commits) of the server so far."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        syncs = conn.execute("SELECT wal_sync FROM pg_stat_wal").fetchone()
        commits = conn.execute(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()
    assert syncs is not None and commits is not None
    return int(syncs[0]), int(commits[0])


def server_cpu(data: Path, *, children: int | None = None) -> tuple[float, int]:
    """CPU seconds PostgreSQL has used so far — the postmaster, its live children, and the
    children it has reaped (``cutime``/``cstime``: each bench connection's backend) — and
    how many children it has. With ``children``, it first waits (up to 3 s) until no more
    than that many are left: a closed connection's backend counts once it is reaped."""
    tick = os.sysconf("SC_CLK_TCK")
    postmaster = int((data / "postmaster.pid").read_text().split()[0])
    deadline = time.monotonic() + 3
    while True:
        total, alive = _cpu_ticks(postmaster)
        if children is None or alive <= children or time.monotonic() > deadline:
            return total / tick, alive
        time.sleep(0.05)


def _cpu_ticks(postmaster: int) -> tuple[int, int]:
    total = alive = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry.name), int(fields[1])
        if pid == postmaster:
            total += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
        elif ppid == postmaster:
            total += int(fields[11]) + int(fields[12])
            alive += 1
    return total, alive


def run_cell(
    bodies: list[Callable[..., None]], seconds: float, url: str, data: Path
) -> dict[str, Any]:
    """Each body in a loop on its own connection for ``seconds``: submissions per second,
    submissions per WAL flush, and the CPU per submission of the client and of the
    server."""
    counts: list[int] = []
    threads = [
        threading.Thread(target=lambda b=b: counts.append(ph.raw_loop(b, seconds))) for b in bodies
    ]
    syncs0, _ = wal_counters(url)
    client0, (server0, children) = time.process_time(), server_cpu(data)
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    client1, (server1, _) = time.process_time(), server_cpu(data, children=children)
    syncs1, _ = wal_counters(url)
    done = max(sum(counts), 1)
    return {
        "per_second": round(sum(counts) / seconds, 1),
        "submissions_per_wal_flush": round(done / max(syncs1 - syncs0, 1), 2),
        "client_cpu_ms": round(1000 * (client1 - client0) / done, 2),
        "server_cpu_ms": round(1000 * (server1 - server0) / done, 2),
    }


def against(
    args: argparse.Namespace,
    statements: list[ph.Statement],
    number: str,
    command_id: Any,
    clients: list[int],
    url: str,
    data: Path,
) -> dict[str, Any]:
    """This version's statements and another's (``--against``), replayed in alternating
    rounds on the same database, so both see the same load: each round's figures and the
    median of this version's rate over the other's."""
    theirs, their_number, their_id = pickle.loads(args.against.read_bytes())
    # The other run's bearer token is not in this database: its look-up takes this one's.
    if theirs[0].sql == statements[0].sql:
        theirs[0] = dataclasses.replace(theirs[0], params=statements[0].params)
    runs: dict[int, list[dict[str, Any]]] = {}
    for n in clients:
        for r in range(args.rounds):
            pair: dict[str, Any] = {"round": r}
            order = [("this", statements, number, command_id),
                     ("other", theirs, their_number, their_id)]  # fmt: skip
            for label, sts, num, cid in order if r % 2 == 0 else order[::-1]:
                bodies = [ph.replay(sts, receipt=num, command_id=cid) for _ in range(n)]
                pair[label] = run_cell(bodies, args.seconds, url, data)
            pair["ratio"] = round(pair["this"]["per_second"] / pair["other"]["per_second"], 2)
            runs.setdefault(n, []).append(pair)
            print(json.dumps({"clients": n, **pair}), file=sys.stderr)
    return {
        "this_statements": ph.statement_count(statements),
        "other_statements": ph.statement_count(theirs),
        "median_ratio_this_to_other": {
            n: statistics.median(p["ratio"] for p in pairs) for n, pairs in runs.items()
        },
        "rounds": runs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3)
    parser.add_argument("--clients", default="1,4,8,16")
    parser.add_argument("--variants", default="stripes,one_chain,own_chain,no_head")
    parser.add_argument("--quiet", action="store_true", help="do not print the statements")
    parser.add_argument("--save", type=Path, help="pickle the captured statements here")
    parser.add_argument(
        "--against",
        type=Path,
        help="statements saved by another version (--save): replay both, alternating, "
        "for --rounds rounds at each client count, instead of the variants",
    )
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    clients = [int(c) for c in args.clients.split(",")]
    variants = args.variants.split(",")
    at_start = httpbench.machine()
    server, token = ph.setup()
    ph.spread_ids()
    ph.open_audit_chains()
    url = os.environ["MINWON_DATABASE_URL"]

    from minwon.kernel import audit
    from minwon.kernel.models import AuditHead
    from minwon.petitions.models import Application

    own = [f"{WONJU[:5]}-c{i}" for i in range(max(clients))]
    AuditHead.objects.bulk_create(
        [AuditHead(chain=c, seq=0, hash=audit.GENESIS) for c in [*own, f"{WONJU[:5]}-one"]],
        ignore_conflicts=True,
    )
    body, headers = ph.submission(token)
    for _ in range(3):  # first-use caches warmed
        ph.capture("POST", "/api/petitions", body, headers)
    statements = ph.capture("POST", "/api/petitions", body, headers)
    number = ph.captured[-1]["receipt_number"]
    command_id = Application.objects.get(receipt_number=number).command_id
    if not args.quiet:
        for n, st in enumerate(statements):
            print(f"{n:2} {'tx' if st.atomic else '  '} {st.sql[:110]}", file=sys.stderr)
    if args.save is not None:
        args.save.write_bytes(pickle.dumps((statements, number, command_id)))
    if args.against is not None:
        report = against(args, statements, number, command_id, clients, url, server.data)
        report = {"machine": at_start, "load_average_at_end": httpbench.machine()["load_average"],
                  "command": " ".join(["bench/submit_floor.py", *sys.argv[1:]]), **report}  # fmt: skip
        print(json.dumps(report, indent=1, ensure_ascii=False))
        from django.db import connections

        connections.close_all()
        server.destroy()
        return
    headless = without_head(statements)
    seqs = itertools.count(10**12)  # far above any seq the app wrote; next() is atomic

    def bodies(variant: str, n: int) -> list[Callable[..., None]]:
        common = {"receipt": number, "command_id": command_id}
        if variant == "stripes":
            return [ph.replay(statements, **common) for _ in range(n)]
        if variant == "one_chain":
            return [
                ph.replay(statements, chain_of=lambda cid: f"{WONJU[:5]}-one", **common)
                for _ in range(n)
            ]
        if variant == "own_chain":

            def chain(i: int) -> Callable[[str], str]:
                return lambda cid: own[i]

            return [ph.replay(statements, chain_of=chain(i), **common) for i in range(n)]
        if variant == "no_head":
            return [
                ph.replay(headless, more_of=lambda chain: {SEQ_MARK: next(seqs)}, **common)
                for _ in range(n)
            ]
        raise SystemExit(f"unknown variant {variant}")

    cells: list[dict[str, Any]] = []
    for label, values in [*SETTINGS, REFERENCE]:
        set_postgres(url, values)
        for n in clients:
            for variant in variants if label == "default" else ["stripes", "no_head"]:
                if variant not in variants:
                    continue
                cell = run_cell(bodies(variant, n), args.seconds, url, server.data)
                cells.append({"settings": label, "clients": n, "variant": variant, **cell})
                print(json.dumps(cells[-1]), file=sys.stderr)
    set_postgres(url, {})
    floor = {c["clients"]: c["per_second"] for c in cells
             if c["settings"] == "default" and c["variant"] == "stripes"}  # fmt: skip
    for c in cells:
        if c["clients"] in floor:
            c["ratio_to_stripes_default"] = round(c["per_second"] / floor[c["clients"]], 2)
    report = {
        "machine": at_start,
        "load_average_at_end": httpbench.machine()["load_average"],
        "command": " ".join(["bench/submit_floor.py", *sys.argv[1:]]),
        "statements": ph.statement_count(statements),
        "statements_without_head": ph.statement_count(headless),
        "cells": cells,
    }
    print(json.dumps(report, indent=1, ensure_ascii=False))
    from django.db import connections

    connections.close_all()
    server.destroy()


if __name__ == "__main__":
    main()
