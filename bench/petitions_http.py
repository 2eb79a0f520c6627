"""Petition submissions and tracking look-ups per second through HTTP on PostgreSQL, each
beside the raw SQL floor of the same request (psycopg in a loop), as a ratio.

    .venv/bin/python bench/petitions_http.py --seconds 5

It starts its own PostgreSQL (fsync on), migrates, loads the code list and the catalog,
makes a counter clerk with an API token, runs the app through ``minwon serve`` on 127.0.0.1
under granian and then gunicorn (``--servers``), printing granian's rate over gunicorn's
for each measure, and drives it with wrk (``bench/httpbench.py``): a closed loop, then a fixed-rate run (default
500/s) for p99; then the raw SQL of each request from several psycopg connections.
Client, server and database share the machine's cores, so the figures are a floor.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from collections.abc import Callable
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


def raw_submit_sql(seconds: float) -> int:
    """The rows one submission writes (application, petition, step, outbox event, command
    record, audit row with its head update) as plain INSERTs, one transaction each."""
    import uuid

    import psycopg

    conn = psycopg.connect(os.environ["MINWON_DATABASE_URL"], autocommit=False)
    cur = conn.cursor()
    n = 0
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        cid = uuid.uuid4()
        cur.execute(
            "INSERT INTO petitions_application (receipt_number, jurisdiction_id, channel, applicant_name,"
            " identity_index, email, phone, address, received_at, recorded_at, received_by, command_id)"
            " VALUES (%s,%s,'counter','벤치','','','','',now(),now(),'bench',%s) RETURNING id",
            (f"RAW-{cid.hex[:20]}", WONJU, cid),
        )  # fmt: skip
        app_id = cur.fetchone()[0]  # type: ignore[index]
        cur.execute(
            "INSERT INTO petitions_petition (application_id, seq, type_id, jurisdiction_id, department,"
            " state, form, documents, period, received_at, deadline_at, pauses, supplement_requests,"
            " extensions, outcome, reasons, remedies, decided_by_rule, transferred_to, version)"
            " VALUES (%s,1,'GRIEVANCE',%s,'민원여권과','received','{}','[]','7d',now(),now(),'[]',0,'[]',"
            "'','','','','',1) RETURNING id",
            (app_id, WONJU),
        )  # fmt: skip
        pid = cur.fetchone()[0]  # type: ignore[index]
        cur.execute(
            "INSERT INTO petitions_petitionstep (petition_id, action, state, actor, actor_name, department,"
            " at, recorded_at, note, public_note, command_id) VALUES (%s,'received','received','s','s',"
            "'민원여권과',now(),now(),'','',%s)",
            (pid, cid),
        )  # fmt: skip
        for _ in range(2):
            cur.execute(
                "INSERT INTO kernel_outboxevent (name, payload, command_id, jurisdiction, occurred_at,"
                " recorded_at) VALUES ('E','{}',%s,%s,now(),now())",
                (cid, WONJU),
            )  # fmt: skip
        cur.execute(
            "INSERT INTO kernel_commandrecord (command_id, name, digest, payload, result, actor, channel,"
            " jurisdiction, occurred_at, recorded_at) VALUES (%s,'S','d','{}','{}','a','counter',%s,now(),now())",
            (cid, WONJU),
        )  # fmt: skip
        conn.commit()
        n += 1
    conn.close()
    return n


def raw_track_sql(seconds: float, number: str, app_id: int) -> int:
    """The four indexed reads a successful tracking look-up makes."""
    import psycopg

    conn = psycopg.connect(os.environ["MINWON_DATABASE_URL"], autocommit=True)
    cur = conn.cursor()
    n = 0
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        cur.execute("SELECT key, failures FROM petitions_trackingthrottle WHERE key IN (%s,%s) AND \"window\" = %s",
                    ("ip:127.0.0.1", f"rcpt:{number}", 1))  # fmt: skip
        cur.fetchall()
        cur.execute("SELECT * FROM petitions_application WHERE receipt_number = %s", (number,))
        cur.fetchall()
        cur.execute("SELECT p.*, t.* FROM petitions_petition p JOIN petitions_petitiontype t ON t.code = p.type_id"
                    " WHERE p.application_id = %s ORDER BY p.seq", (app_id,))  # fmt: skip
        cur.fetchall()
        cur.execute("SELECT s.* FROM petitions_petitionstep s JOIN petitions_petition p ON p.id = s.petition_id"
                    " WHERE p.application_id = %s ORDER BY s.at, s.id", (app_id,))  # fmt: skip
        cur.fetchall()
        n += 1
    conn.close()
    return n


def over_http(server: str, args: argparse.Namespace, token: str) -> dict[str, Any]:
    """The floor, submissions and tracking look-ups through one server."""
    proc, port = httpbench.start_server(server, args.workers, args.threads)
    base = f"http://127.0.0.1:{port}"
    try:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        body = json.dumps({"jurisdiction": WONJU, "channel": "counter", "applicant_name": "홍길동",
                           "applicant_birth": "1990-01-01",
                           "items": [{"type_code": "GRIEVANCE", "form": {"content": "가로등 고장"}}]},
                          ensure_ascii=False).encode()  # fmt: skip
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
    args = parser.parse_args()
    at_start = httpbench.machine()
    server, token = setup()
    results = {name: over_http(name, args, token) for name in httpbench.servers(args.servers)}
    from minwon.petitions.models import Application

    app = Application.objects.order_by("id").first()
    assert app is not None
    raw_seconds = min(args.seconds, 5)
    raw_submit = in_threads(raw_submit_sql, raw_seconds, args.raw_connections)
    raw_track = in_threads(
        lambda s: raw_track_sql(s, app.receipt_number, app.pk), raw_seconds, args.raw_connections
    )
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
        "raw_sql": f"psycopg, {args.raw_connections} connections in threads",
    }  # fmt: skip
    print(json.dumps(report, indent=1, ensure_ascii=False))
    from django.db import connections

    connections.close_all()
    server.destroy()


if __name__ == "__main__":
    main()
