"""Petition submissions and tracking look-ups per second through HTTP on PostgreSQL, each
beside the raw SQL floor of the same request (psycopg in a loop), as a ratio.

    .venv/bin/python bench/petitions_http.py --seconds 5

It starts its own PostgreSQL (fsync on), migrates, loads the code list and the catalog,
makes a counter clerk with an API token, runs the app through ``minwon serve`` on 127.0.0.1
under granian and then gunicorn (``--servers``), printing granian's rate over gunicorn's
for each measure, and drives it with wrk (``bench/httpbench.py``): a closed loop, then a fixed-rate run (default
500/s) for p99; then the raw SQL floor of each request from several psycopg connections.

The floor is the app's own statements: one submission and one look-up are run through
Django's test client with every statement recorded (text, parameters, transaction, rows),
then replayed by psycopg with each request's unique values (receipt number, command id,
returned ids, the audit chain's head) made anew. It prints the statements and round trips
of each request beside it. ``--raw-only`` skips the servers.
Client, server and database share the machine's cores, so the figures are a floor.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpbench

WONJU = httpbench.WONJU


def setup() -> tuple[Any, str]:
    """PostgreSQL with the catalog loaded and a counter clerk's token."""
    server = httpbench.start_database("petitions")
    from minwon.kernel import execute
    from minwon.kernel.types import Actor, Channel
    from minwon.petitions import catalog
    from minwon.petitions.commands import LoadPetitionCatalog

    data = catalog.read()
    execute(LoadPetitionCatalog(actor=Actor.system("bench"), channel=Channel.SYSTEM,
                                jurisdiction="0000000000", version=data["version"],
                                types=data["types"]))  # fmt: skip
    return server, httpbench.staff_token("bench-clerk", "counter_clerk")


def in_threads(loop: Callable[[float], int], seconds: float, connections: int) -> float:
    """Run ``loop`` (one connection each) in ``connections`` threads; total per second."""
    counts: list[int] = []
    threads = [
        threading.Thread(target=lambda: counts.append(loop(seconds))) for _ in range(connections)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / seconds


@dataclasses.dataclass
class Statement:
    """One statement the app ran for a request, as it ran it: its text and parameters,
    whether it ran inside the request's transaction, and the rows it gave back."""

    sql: str
    params: Any
    many: bool
    atomic: bool
    rows: list[tuple[Any, ...]] | None


def spread_ids() -> None:
    """Every id sequence moved to its own range (table n from n·10^7), so an id a statement
    returned cannot be mistaken for another table's or for a small number in the replay."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT schemaname, sequencename FROM pg_sequences ORDER BY 2")
        for n, (schema, name) in enumerate(cur.fetchall(), start=1):
            cur.execute("SELECT setval(%s, %s)", [f'"{schema}"."{name}"', n * 10_000_000])


def open_audit_chains() -> None:
    """The audit chain heads of the office (one per stripe) exist before anything is
    captured, so no capture holds a chain's one-time creation."""
    import uuid

    from minwon.kernel import audit
    from minwon.kernel.models import AuditHead

    chains = {audit.chain_for(WONJU, uuid.UUID(int=i)) for i in range(audit.STRIPES)}
    AuditHead.objects.bulk_create(
        [AuditHead(chain=c, seq=0, hash=audit.GENESIS) for c in sorted(chains)],
        ignore_conflicts=True,
    )


def capture(method: str, path: str, body: bytes, headers: dict[str, str]) -> list[Statement]:
    """The statements of one request through Django's test client (all middleware, the
    same code the servers run), recorded as the app sent them to PostgreSQL."""
    from django.db import connection
    from django.test import Client

    recorded: list[Statement] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        result = execute(sql, params, many, context)
        raw = context["cursor"].cursor
        rows = None
        if raw.description is not None:
            rows = raw.fetchall()
            if rows:
                raw.scroll(0, mode="absolute")  # the app reads them again
        recorded.append(Statement(sql, params, many, connection.in_atomic_block, rows))
        return result

    sent = {k: v for k, v in headers.items() if k.lower() != "content-type"}
    client = Client()
    with connection.execute_wrapper(record):
        response = client.generic(method, path, body, content_type="application/json", headers=sent)
    assert response.status_code < 300, response.content
    captured.append(response.json())
    return recorded


#: The answers of the captured requests, in order.
captured: list[Any] = []


def _replace(value: Any, exact: dict[Any, Any], texts: list[tuple[str, str]]) -> Any:
    """``value`` with the request's unique values swapped for this replay's: exact matches
    (ids, the command id, the audit chain), and inside strings and JSON (the receipt
    number, the command id as text)."""
    from psycopg.types.json import Json, Jsonb

    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (Jsonb, Json)):
        return type(value)(_replace(value.obj, exact, texts), value.dumps)
    if isinstance(value, dict):
        return {k: _replace(v, exact, texts) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_replace(v, exact, texts) for v in value)
    try:
        if value in exact:
            return exact[value]
    except TypeError:
        return value
    if isinstance(value, str):
        for old, new in texts:
            value = value.replace(old, new)
    return value


def replay(
    statements: list[Statement],
    *,
    receipt: str | None = None,
    command_id: Any = None,
    chain_of: Callable[[Any], str] | None = None,
    more_of: Callable[[str], dict[Any, Any]] | None = None,
) -> Callable[..., None]:
    """A loop body that runs the captured statements again through psycopg: the same texts
    and parameters, transactions where the app had them, and each request's unique values
    (receipt number, command id, ids the inserts returned, the audit chain and its head)
    made anew when ``receipt`` is given — what the app's statements cost the database with
    no application around them. ``chain_of(new command id)`` picks the audit chain (default:
    the app's own rule); ``more_of(new chain)`` adds values to swap (an audit row's seq where
    the statements no longer read the head: ``bench/submit_floor.py``'s variants)."""
    import uuid

    from minwon.kernel import audit
    from minwon.kernel.models import AuditHead
    from minwon.petitions import receipts

    head = f'FROM "{AuditHead._meta.db_table}"'
    pick = chain_of or (lambda cid: audit.chain_for(WONJU, cid))

    def run(cur: Any, conn: Any) -> None:
        exact: dict[Any, Any] = {}
        texts: list[tuple[str, str]] = []
        if receipt is not None:
            cid = uuid.uuid4()
            number = receipts.new_receipt_number(WONJU, date.today())
            chain = audit.chain_for(WONJU, command_id)
            new_chain = pick(cid)
            exact.update({command_id: cid, chain: new_chain})
            if more_of is not None:
                exact.update(more_of(new_chain))
            texts += [(receipt, number), (receipt.replace("-", ""), number.replace("-", "")),
                      (str(command_id), str(cid)), (command_id.hex, cid.hex)]  # fmt: skip
        transaction: Any = None
        for st in statements:
            if st.atomic and transaction is None:
                transaction = conn.transaction()
                transaction.__enter__()
            elif not st.atomic and transaction is not None:
                transaction.__exit__(None, None, None)
                transaction = None
            params = _replace(st.params, exact, texts)
            if st.many:
                cur.executemany(st.sql, params)
            else:
                cur.execute(st.sql, params)
            if st.rows is None:
                continue
            rows = cur.fetchall()
            if "RETURNING" in st.sql:
                for old, new in zip(st.rows, rows, strict=True):
                    for o, n in zip(old, new, strict=True):
                        exact[o] = n
                        exact[str(o)] = str(n)
            elif head in st.sql and st.rows and rows:
                (old_seq, old_hash), (new_seq, new_hash) = st.rows[0], rows[0]
                exact[old_seq + 1], exact[old_hash] = new_seq + 1, new_hash
        if transaction is not None:
            transaction.__exit__(None, None, None)

    return run


def raw_loop(body: Callable[..., None], seconds: float) -> int:
    """``body`` in a loop on one psycopg connection (autocommit outside the transactions
    the app opens, as Django runs): how many times in ``seconds``."""
    import psycopg

    conn = psycopg.connect(os.environ["MINWON_DATABASE_URL"], autocommit=True)
    cur = conn.cursor()
    n = 0
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        body(cur, conn)
        n += 1
    conn.close()
    return n


def statement_count(statements: list[Statement]) -> dict[str, int]:
    """Statements and round trips of a request: each statement is one round trip, and each
    transaction adds its BEGIN and COMMIT."""
    opened = sum(1 for i, s in enumerate(statements)
                 if s.atomic and (i == 0 or not statements[i - 1].atomic))  # fmt: skip
    return {"statements": len(statements), "round_trips": len(statements) + 2 * opened}


def submission(token: str) -> tuple[bytes, dict[str, str]]:
    """The submission every run sends: one 고충민원 at the counter."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    body = json.dumps({"jurisdiction": WONJU, "channel": "counter", "applicant_name": "홍길동",
                       "applicant_birth": "1990-01-01",
                       "items": [{"type_code": "GRIEVANCE", "form": {"content": "가로등 고장"}}]},
                      ensure_ascii=False).encode()  # fmt: skip
    return body, headers


def raw_floors(token: str, seconds: float, connections: int) -> dict[str, Any]:
    """The app's own statements of a submission and of a look-up, captured in-process and
    replayed through psycopg from ``connections`` threads: per second, and their counts."""
    from minwon.petitions import receipts
    from minwon.petitions.models import Application

    body, headers = submission(token)
    for _ in range(3):  # first-use caches (office code, catalog statements) warmed
        capture("POST", "/api/petitions", body, headers)
    submit = capture("POST", "/api/petitions", body, headers)
    number = captured[-1]["receipt_number"]
    command_id = Application.objects.get(receipt_number=number).command_id
    pin = json.dumps({"pin": receipts.pin_for(number)}).encode()
    json_only = {"Content-Type": "application/json"}
    capture("POST", f"/api/track/{number}", pin, json_only)
    track = capture("POST", f"/api/track/{number}", pin, json_only)
    submit_body = replay(submit, receipt=number, command_id=command_id)
    track_body = replay(track)
    return {
        "submit_per_second": in_threads(lambda t: raw_loop(submit_body, t), seconds, connections),
        "track_per_second": in_threads(lambda t: raw_loop(track_body, t), seconds, connections),
        "submit_statements": statement_count(submit),
        "track_statements": statement_count(track),
    }


def over_http(server: str, args: argparse.Namespace, token: str) -> dict[str, Any]:
    """The floor, submissions and tracking look-ups through one server."""
    proc, port = httpbench.start_server(server, args.workers, args.threads)
    base = f"http://127.0.0.1:{port}"
    try:
        body, headers = submission(token)
        submit: dict[str, Any] = {"method": "POST", "body": body, "headers": headers}
        # The floor of the stack itself: the server, every middleware, a JSON answer, no
        # database; no request through this stack can be cheaper on this machine.
        httpbench.wrk(f"{base}/healthz", connections=4, seconds=2)
        floor = httpbench.wrk(f"{base}/healthz", connections=args.connections, seconds=args.seconds)
        httpbench.wrk(f"{base}/api/petitions", **submit, connections=4, seconds=2)  # warm-up
        closed = httpbench.wrk(f"{base}/api/petitions", **submit, connections=args.connections,
                               seconds=args.seconds)  # fmt: skip
        fixed = httpbench.paced(port, lambda n: ("POST", "/api/petitions", body, headers),
                                rate=args.rate, seconds=args.seconds)  # fmt: skip
        from minwon.petitions import receipts
        from minwon.petitions.models import Application

        app = Application.objects.order_by("id").first()
        assert app is not None
        # The PIN goes in the body: never in a URL (web.urlguard).
        track = f"{base}/api/track/{app.receipt_number}"
        pin_body = json.dumps({"pin": receipts.pin_for(app.receipt_number)}).encode()
        json_only = {"Content-Type": "application/json"}
        post: dict[str, Any] = {"method": "POST", "body": pin_body, "headers": json_only}
        httpbench.wrk(track, **post, connections=4, seconds=2)
        t_closed = httpbench.wrk(track, **post, connections=args.connections, seconds=args.seconds)
        t_fixed = httpbench.paced(port, lambda n: ("POST", track.removeprefix(base), pin_body,
                                                   json_only),
                                  rate=args.track_rate, seconds=args.seconds)  # fmt: skip
    finally:
        httpbench.stop_server(proc)
    return {
        "stack_floor_healthz": floor,
        "submit": closed, "submit_fixed_rate": {"offered_per_second": args.rate, **fixed},
        "track": t_closed, "track_fixed_rate": {"offered_per_second": args.track_rate, **t_fixed},
        "track_ratio_to_floor": round(t_closed["per_second"] / floor["per_second"], 3),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=0, help="0: minwon serve's rule")
    parser.add_argument("--threads", type=int, default=0, help="0: minwon serve's rule")
    parser.add_argument("--servers", default="granian,gunicorn")
    parser.add_argument("--connections", type=int, default=24)
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--track-rate", type=float, default=1000)
    parser.add_argument("--raw-connections", type=int, default=8)
    parser.add_argument("--raw-only", action="store_true", help="only the raw SQL floors")
    args = parser.parse_args()
    at_start = httpbench.machine()
    # The look-ups all come from 127.0.0.1: with the public limits, the in-flight ones of
    # the closed loop pass 20 per address and every answer after that is a 429. The
    # throttle's statements still run; only its limits are lifted.
    for scope in ("TRACK_ADDRESS", "TRACK_PROBE"):
        os.environ.setdefault(f"MINWON_RATE_{scope}", "100000000/600")
    server, token = setup()
    spread_ids()
    open_audit_chains()
    names = [] if args.raw_only else httpbench.servers(args.servers)
    results = {name: over_http(name, args, token) for name in names}
    raw = raw_floors(token, min(args.seconds, 5), args.raw_connections)
    raw_submit, raw_track = raw["submit_per_second"], raw["track_per_second"]
    for result in results.values():
        result["submit_ratio_http_to_raw"] = round(result["submit"]["per_second"] / raw_submit, 3)
        result["track_ratio_http_to_raw"] = round(result["track"]["per_second"] / raw_track, 3)
    report = {
        "machine": at_start, "load_average_at_end": httpbench.machine()["load_average"],
        "workers_threads": f"{args.workers or 'rule'} x {args.threads or 'rule'}",
        "client": f"wrk, {args.connections} connections",
        **results,
        "granian_to_gunicorn": httpbench.ratios(results),
        "submit_raw_sql_per_second": round(raw_submit, 1),
        "track_raw_sql_per_second": round(raw_track, 1),
        "raw_sql": f"the app's statements replayed by psycopg, {args.raw_connections} connections",
        "submit_statements": raw["submit_statements"],
        "track_statements": raw["track_statements"],
    }  # fmt: skip
    print(json.dumps(report, indent=1, ensure_ascii=False))
    from django.db import connections

    connections.close_all()
    server.destroy()


if __name__ == "__main__":
    main()
