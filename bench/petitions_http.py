"""Petition submissions and tracking look-ups per second through HTTP on PostgreSQL, each
beside the raw SQL floor of the same request (psycopg in a loop), as a ratio.

    .venv/bin/python bench/petitions_http.py --seconds 10 --workers 3

It starts its own PostgreSQL (``PostgresServer(fast=False)``: fsync on), migrates, loads
the code list and the catalog, makes a counter clerk with an API token, runs the app under
gunicorn on 127.0.0.1 and drives it from a thread pool with keep-alive connections, bounded
by count and time. Then: a fixed-rate run (default 500/s) for p99, and the raw SQL loops.
Client and server share the machine's cores, so the figures are a floor.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WONJU = "5113000000"


def setup() -> tuple[Any, str, list[str]]:
    from minwon.testing.pgserver import PostgresServer

    var = tempfile.mkdtemp(prefix="minwon-bench-petitions-")
    os.environ["MINWON_VAR_DIR"] = var
    server = PostgresServer(fast=False).start()
    os.environ["MINWON_DATABASE_URL"] = server.url
    os.environ["DJANGO_SETTINGS_MODULE"] = "minwon.config.settings"
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from minwon.accounts.commands import CreateStaffAccount, GrantRole, IssueApiToken
    from minwon.kernel import clock, execute
    from minwon.kernel.management.commands.load_jurisdictions import load
    from minwon.kernel.types import Actor, ActorKind, Channel
    from minwon.petitions import catalog
    from minwon.petitions.commands import LoadPetitionCatalog
    from minwon.web.api import key_hash

    load()
    system = Actor.system("bench")
    data = catalog.read()
    execute(LoadPetitionCatalog(actor=system, channel=Channel.SYSTEM, jurisdiction="0000000000",
                                version=data["version"], types=data["types"]))  # fmt: skip
    uid = execute(CreateStaffAccount(actor=system, channel=Channel.SYSTEM, jurisdiction=WONJU,
                                     username="bench-clerk", display_name="bench",
                                     password_hash=make_password("x" * 12))).value["user_id"]  # fmt: skip
    execute(GrantRole(actor=system, channel=Channel.SYSTEM, jurisdiction=WONJU, user_id=uid,
                      role="counter_clerk"))  # fmt: skip
    token = secrets.token_urlsafe(32)
    execute(IssueApiToken(actor=Actor(ActorKind.STAFF, uid, "bench-clerk"), channel=Channel.SYSTEM,
                          jurisdiction=WONJU, token_hash=key_hash(token),
                          expires_at=clock.now() + timedelta(hours=2)))  # fmt: skip
    return server, token, []


def start_gunicorn(workers: int, threads: int) -> tuple[subprocess.Popen[bytes], int]:
    from minwon.testing.pgserver import free_port

    port = free_port()
    env = dict(os.environ, MINWON_LOG_LEVEL="WARNING")
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "minwon.config.wsgi:application", "-b",
         f"127.0.0.1:{port}", "-w", str(workers), "--threads", str(threads), "-k", "gthread",
         "--keep-alive", "30", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    for _ in range(200):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthz")
            if conn.getresponse().status < 500:
                return proc, port
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


Request = Callable[[int], tuple[str, str, bytes | None, dict[str, str]]]


def drive(port: int, make: Request, *, clients: int, seconds: float, count: int,
          rate: float | None = None) -> dict[str, Any]:  # fmt: skip
    """Closed loop (``rate`` None) or open loop at a fixed rate; latencies in ms."""
    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    counter = iter(range(count))
    start = time.perf_counter()
    deadline = start + seconds

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            due = start + n / rate if rate else time.perf_counter()
            now = time.perf_counter()
            if due > deadline or now > deadline:
                return
            if due > now:
                time.sleep(due - now)
            method, path, body, headers = make(n)
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status = 599
            took = (time.perf_counter() - due) * 1000
            with lock:
                latencies.append(took)
                if status != 200:
                    errors.append(status)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    latencies.sort()
    return {
        "requests": len(latencies), "errors": len(errors), "seconds": round(elapsed, 2),
        "per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 1) if latencies else None,
        "error_codes": sorted(set(errors))[:5],
    }  # fmt: skip


def raw_submit_sql(seconds: float) -> float:
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
    return n / seconds


def raw_track_sql(seconds: float, number: str, app_id: int) -> float:
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
    return n / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--count", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--track-rate", type=float, default=1000)
    args = parser.parse_args()
    server, token, _ = setup()
    proc, port = start_gunicorn(args.workers, args.threads)
    try:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        body = json.dumps({"jurisdiction": WONJU, "channel": "counter", "applicant_name": "홍길동",
                           "applicant_birth": "1990-01-01",
                           "items": [{"type_code": "GRIEVANCE", "form": {"content": "가로등 고장"}}]}).encode()  # fmt: skip

        def submit(n: int) -> tuple[str, str, bytes | None, dict[str, str]]:
            return "POST", "/api/petitions", body, headers

        drive(port, submit, clients=4, seconds=2, count=200)  # warm-up
        closed = drive(port, submit, clients=args.clients, seconds=args.seconds, count=args.count)
        fixed = drive(port, submit, clients=args.clients * 2, seconds=args.seconds, count=args.count,
                      rate=args.rate)  # fmt: skip
        from minwon.petitions import receipts
        from minwon.petitions.models import Application

        app = Application.objects.order_by("id").first()
        assert app is not None
        path = f"/api/track/{app.receipt_number}?pin={receipts.pin_for(app.receipt_number)}"

        def track(n: int) -> tuple[str, str, bytes | None, dict[str, str]]:
            return "GET", path, None, {}

        drive(port, track, clients=4, seconds=2, count=200)
        t_closed = drive(port, track, clients=args.clients, seconds=args.seconds, count=args.count)
        t_fixed = drive(port, track, clients=args.clients * 2, seconds=args.seconds, count=args.count,
                        rate=args.track_rate)  # fmt: skip
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    raw_submit = raw_submit_sql(min(args.seconds, 5))
    raw_track = raw_track_sql(min(args.seconds, 5), app.receipt_number, app.pk)
    report = {
        "machine": f"{os.cpu_count()} cores", "gunicorn": f"{args.workers} workers x {args.threads} threads",
        "submit": closed, "submit_fixed_rate": {"rate": args.rate, **fixed},
        "submit_raw_sql_per_second": round(raw_submit, 1),
        "submit_ratio_http_to_raw": round(closed["per_second"] / raw_submit, 3),
        "track": t_closed, "track_fixed_rate": {"rate": args.track_rate, **t_fixed},
        "track_raw_sql_per_second": round(raw_track, 1),
        "track_ratio_http_to_raw": round(t_closed["per_second"] / raw_track, 3),
    }  # fmt: skip
    print(json.dumps(report, indent=1, ensure_ascii=False))
    from django.db import connections

    connections.close_all()
    server.destroy()


if __name__ == "__main__":
    main()
