"""Shared parts of the HTTP benchmarks: a throw-away PostgreSQL (fsync on) with the app
migrated and the code list loaded, a staff account with an API token, the app through
``minwon serve`` on 127.0.0.1 under either server (granian, the default, or gunicorn, the
baseline: every HTTP bench runs both in the same run and prints the ratio), and the load
itself from ``wrk`` (Debian package ``wrk``).

Why wrk: the load generator shares the machine's two cores with the server and the
database. A Python client spends about as much CPU per request as a lean request costs the
server, so its own cost would be counted against the app; wrk (C, epoll) costs a few
microseconds per request. A closed loop is ``connections`` connections each sending the
next request when the answer arrives.

wrk cannot hold a fixed arrival rate (its ``delay()`` only spaces a connection's requests
after each answer, so a slow server lowers the offered rate). ``paced()`` does: requests
are due at ``start + n / rate`` whatever happened before, and a request's latency counts
from when it was due, so time spent waiting behind a slow one is counted (no coordinated
omission). It is Python, so it is used only at the moderate rates the issues quote for p99.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import shutil
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


def start_database(prefix: str) -> Any:
    """Start PostgreSQL (fsync on) in a temporary directory, point Django at it, migrate,
    load the code list. Returns the server (``server.destroy()`` removes it)."""
    from minwon.testing.pgserver import PostgresServer

    os.environ["MINWON_VAR_DIR"] = tempfile.mkdtemp(prefix=f"minwon-bench-{prefix}-")
    server = PostgresServer(fast=False).start()
    # e.g. MINWON_BENCH_DB_QUERY="?server_side_binding=false" for an A/B of a URL option
    os.environ["MINWON_DATABASE_URL"] = server.url + os.environ.get("MINWON_BENCH_DB_QUERY", "")
    os.environ["DJANGO_SETTINGS_MODULE"] = "minwon.config.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from minwon.kernel.management.commands.load_jurisdictions import load

    load()
    return server


def staff_token(username: str, role: str, jurisdiction: str = WONJU) -> str:
    """A staff account with ``role`` over ``jurisdiction`` and a bearer token for it, made
    through commands like any other account."""
    from django.contrib.auth.hashers import make_password

    from minwon.accounts.commands import CreateStaffAccount, GrantRole, IssueApiToken
    from minwon.kernel import clock, execute
    from minwon.kernel.types import Actor, ActorKind, Channel
    from minwon.web.api import key_hash

    system = Actor.system("bench")
    uid = execute(
        CreateStaffAccount(
            actor=system, channel=Channel.SYSTEM, jurisdiction=jurisdiction, username=username,
            display_name="bench", password_hash=make_password("x" * 12),
        )
    ).value["user_id"]  # fmt: skip
    execute(
        GrantRole(actor=system, channel=Channel.SYSTEM, jurisdiction=jurisdiction, user_id=uid,
                  role=role)
    )  # fmt: skip
    token = secrets.token_urlsafe(32)
    execute(
        IssueApiToken(
            actor=Actor(ActorKind.STAFF, uid, username), channel=Channel.SYSTEM,
            jurisdiction=jurisdiction, token_hash=key_hash(token),
            expires_at=clock.now() + timedelta(hours=2),
        )
    )  # fmt: skip
    return token


SERVERS = ("granian", "gunicorn")


#: A bare Django view (no middleware) served by ``start_server(..., bare=True)``: the floor
#: of what the same server and Django give before minwon's own stack (``bench/bare_app.py``).
BARE_APP = "bare_app:application"


def start_server(
    server: str = "granian",
    workers: int = 0,
    threads: int = 0,
    *,
    bare: bool = False,
) -> tuple[subprocess.Popen[bytes], int]:
    """The app through ``minwon serve --server <server>`` on 127.0.0.1 — the same command
    line as production, without the outbox worker and the access log (the A/B is of the
    servers). ``workers``/``threads`` of 0 take serve's sizing rule. ``bare``: the same
    command serving ``BARE_APP`` instead of minwon (the floor)."""
    from minwon.testing.pgserver import free_port

    port = free_port()
    env = dict(os.environ, MINWON_LOG_LEVEL="WARNING")
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    app: list[str] = []
    if bare:
        here = str(Path(__file__).resolve().parent)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (here, env.get("PYTHONPATH")) if p)
        app = ["--app", BARE_APP]
    proc = subprocess.Popen(
        [sys.executable, "-m", "minwon.cli", "serve", "--server", server, "--no-worker",
         "--no-access-log", "--port", str(port), "--workers", str(workers),
         "--threads", str(threads), *app],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(600):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthz")
            if conn.getresponse().status < 500:
                return proc, port
        except OSError:
            time.sleep(0.1)
        if proc.poll() is not None:
            break
    proc.kill()
    raise RuntimeError(f"minwon serve --server {server} did not start")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)


def servers(arg: str) -> list[str]:
    """``--servers granian,gunicorn`` → the servers to run, in that order."""
    names = [s.strip() for s in arg.split(",") if s.strip()]
    for name in names:
        if name not in SERVERS:
            raise SystemExit(f"unknown server {name!r}; one of {', '.join(SERVERS)}")
    return names


def ratios(results: dict[str, dict[str, Any]], key: str = "per_second") -> dict[str, Any]:
    """For every measure both servers have: granian's ``key`` over gunicorn's."""
    if not {"granian", "gunicorn"} <= results.keys():
        return {}
    out = {}
    for measure, value in results["granian"].items():
        other = results["gunicorn"].get(measure)
        if isinstance(value, dict) and isinstance(other, dict) and other.get(key):
            out[measure] = round(value[key] / other[key], 2)
    return out


_SCRIPT = """
wrk.method = %(method)s
wrk.body = %(body)s
%(headers)s
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %%d, "micros": %%d, "non2xx": %%d, "socket_errors": %%d, ' ..
    '"p50_us": %%d, "p90_us": %%d, "p99_us": %%d, "max_us": %%d}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""


def _lua(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid Lua string


def wrk(
    url: str,
    *,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    connections: int = 32,
    seconds: float = 10,
    threads: int = 1,
) -> dict[str, Any]:
    """Drive ``url`` with wrk for ``seconds`` in a closed loop. Returns requests/s, error
    counts and latency percentiles in ms."""
    exe = shutil.which("wrk")
    if exe is None:
        raise SystemExit("wrk is needed for the HTTP benchmarks: apt-get install -y wrk")
    header_lines = "\n".join(
        f"wrk.headers[{_lua(k)}] = {_lua(v)}" for k, v in (headers or {}).items()
    )
    script = _SCRIPT % {
        "method": _lua(method),
        "body": "nil" if body is None else _lua(body.decode()),
        "headers": header_lines,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        out = subprocess.run(
            [exe, "-t", str(threads), "-c", str(connections), "-d", f"{seconds:g}s",
             "--timeout", "30s", "-s", f.name, url],
            capture_output=True, text=True, check=True, timeout=seconds + 120,
        )  # fmt: skip
    finally:
        os.unlink(f.name)
    line = next(x for x in out.stdout.splitlines() if x.startswith("WRKJSON "))
    raw = json.loads(line.removeprefix("WRKJSON "))
    elapsed = raw["micros"] / 1e6
    return {
        "requests": raw["requests"],
        "per_second": round(raw["requests"] / elapsed, 1),
        "non_2xx": raw["non2xx"],
        "socket_errors": raw["socket_errors"],
        "p50_ms": round(raw["p50_us"] / 1000, 1),
        "p90_ms": round(raw["p90_us"] / 1000, 1),
        "p99_ms": round(raw["p99_us"] / 1000, 1),
        "max_ms": round(raw["max_us"] / 1000, 1),
    }


Request = Callable[[int], tuple[str, str, bytes | None, dict[str, str]]]


def paced(
    port: int, make: Request, *, rate: float, seconds: float, clients: int = 32
) -> dict[str, Any]:
    """Requests due at a fixed ``rate`` for ``seconds`` (module docstring); latencies in ms,
    counted from when each request was due."""
    count = int(rate * seconds) + 1
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
            due = start + n / rate
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


def machine() -> dict[str, Any]:
    """What the figures were taken on: cores and the load average at the start."""
    return {"cores": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()]}
