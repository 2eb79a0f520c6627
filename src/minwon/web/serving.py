"""How ``minwon serve`` runs the application: granian in WSGI mode (gunicorn kept as the
baseline of the benchmarks), sized by one rule, with Prometheus multiprocess mode.

Sizing (docs/OPERATIONS.md §4, "App server processes"):

- **workers = the cores this process may run on.** A worker is one Python interpreter; the
  GIL lets one of its threads run Python at a time, so one worker per core uses the cores
  and more only add memory and context switches (granian's HTTP parsing and I/O run in
  its own Rust threads, outside the GIL).
- **blocking threads per worker: bounded, 4 by default.** They overlap the waits on the
  database (a thread waiting on a socket releases the GIL). Unbounded threads (granian's
  default for WSGI) open one database connection each and exhausted PostgreSQL.
- **database pool per worker = its threads.** A thread holds at most one connection at a
  time, so more connections than threads would sit idle; fewer would make threads queue.
- **budget:** workers × pool + the helper processes' connections (2 each, the pool's minimum) must fit in the
  database's ``max_connections`` less a reserve (``MINWON_DB_MAX_CONNECTIONS``, default
  100, PostgreSQL's default); ``minwon serve`` refuses a plan that does not fit, naming
  the numbers. SQLite has no such limit.

Metrics: every process of a run (web workers, the outbox worker, the ops tick) writes its
counters into one directory, ``var/run/prometheus-<port>/``, emptied at start, so that
``/metrics`` from any worker adds up all of them. A worker that has exited is marked dead
(``prometheus_client.multiprocess.mark_process_dead``) by a watcher in the serving process,
so that a live gauge of a process that is gone is not reported; its counters stay in the
sum (a counter never goes down when a worker is replaced).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

APP = "minwon.config.wsgi:application"
SERVERS = ("granian", "gunicorn")
DEFAULT_THREADS = 4
# Connections PostgreSQL keeps for superusers and for maintenance (backups, psql).
RESERVED_CONNECTIONS = 10
# Each helper (outbox worker, ops tick) is one thread, but its pool opens its minimum of 2.
HELPER_CONNECTIONS = 2
POOL_MIN = 2
# Time a new worker gets to load the application before the one it replaces stops.
RELOAD_GRACE_SECONDS = float(os.environ.get("MINWON_RELOAD_GRACE_SECONDS", "10"))


class SizingError(ValueError):
    """A plan that would ask the database for more connections than it has."""


@dataclass(frozen=True)
class Sizing:
    """Processes and threads of one run, and the database connections they may open."""

    workers: int
    threads: int
    pool_max: int
    connections: int


def cores() -> int:
    """The cores this process may run on (a container's CPU set, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def plan(
    *,
    cores: int,
    workers: int = 0,
    threads: int = 0,
    helpers: int = 2,
    max_connections: int | None = 100,
) -> Sizing:
    """The sizing rule of the module docstring. ``workers``/``threads`` of 0 take the
    rule's value; ``max_connections`` None means no limit (SQLite)."""
    workers = workers or max(1, cores)
    threads = threads or DEFAULT_THREADS
    if workers < 1 or threads < 1:
        raise SizingError("workers and threads must be at least 1")
    connections = workers * threads + helpers * HELPER_CONNECTIONS
    if max_connections is not None and connections > max_connections - RESERVED_CONNECTIONS:
        raise SizingError(
            f"{workers} workers × {threads} threads + {helpers} helpers need {connections} "
            f"database connections; the database allows {max_connections} less "
            f"{RESERVED_CONNECTIONS} reserved. Lower --threads or --workers, or raise "
            "max_connections (and MINWON_DB_MAX_CONNECTIONS)."
        )
    return Sizing(workers=workers, threads=threads, pool_max=threads, connections=connections)


def server_argv(
    server: str,
    *,
    host: str,
    port: int,
    sizing: Sizing,
    python: str = sys.executable,
    app: str = APP,
) -> list[str]:
    """The command line of the HTTP server for ``sizing`` (``app``: another WSGI
    application, for the benchmarks' bare-Django floor)."""
    if server == "granian":
        return [
            python, "-m", "granian", "--interface", "wsgi", app,
            "--host", host, "--port", str(port),
            "--workers", str(sizing.workers), "--blocking-threads", str(sizing.threads),
            "--runtime-threads", "1", "--backlog", "2048", "--no-ws",
            # The application writes its own access log (minwon.web.accesslog).
            "--no-access-log", "--log-level", "warning",
            "--respawn-failed-workers", "--workers-kill-timeout", "30",
            # On SIGHUP granian replaces one worker at a time and stops the old one this
            # long after starting the new, which must have loaded Django by then.
            "--respawn-interval", str(RELOAD_GRACE_SECONDS),
        ]  # fmt: skip
    if server == "gunicorn":
        return [
            python, "-m", "gunicorn", app, "--bind", f"{host}:{port}",
            "--workers", str(sizing.workers), "--threads", str(sizing.threads),
            "--worker-class", "gthread", "--keep-alive", "30", "--backlog", "2048",
            "--graceful-timeout", "30", "--log-level", "warning",
        ]  # fmt: skip
    raise ValueError(f"unknown server {server!r}; one of {', '.join(SERVERS)}")


def multiproc_dir(var_dir: Path, port: int) -> Path:
    """This run's Prometheus directory, emptied (one per port: one run can hold a port)."""
    path = var_dir / "run" / f"prometheus-{port}"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


_PID_FILE = re.compile(r"_(\d+)\.db$")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def mark_dead_processes(path: Path, seen_dead: set[int]) -> list[int]:
    """Mark every process that wrote into ``path`` and has exited as dead, once."""
    from prometheus_client import multiprocess

    marked = []
    for entry in path.glob("*.db"):
        match = _PID_FILE.search(entry.name)
        if match is None:
            continue
        pid = int(match.group(1))
        if pid in seen_dead or _alive(pid):
            continue
        multiprocess.mark_process_dead(pid, str(path))  # type: ignore[no-untyped-call]
        seen_dead.add(pid)
        marked.append(pid)
    return marked


def port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def _die_with_parent() -> None:
    """In a child: receive SIGTERM when ``minwon serve`` dies, even by SIGKILL, so that no
    server or helper outlives it (Linux ``PR_SET_PDEATHSIG``)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)


def run(
    server_cmd: Sequence[str],
    helper_cmds: Sequence[Sequence[str]],
    *,
    env: dict[str, str],
    prom_dir: Path,
    sweep_seconds: float = 2.0,
) -> int:
    """Start the helpers and the server with ``env``; forward SIGHUP (graceful reload of
    the workers) and SIGTERM/SIGINT (graceful stop) to the server; mark exited processes
    dead while it runs. Returns the server's exit code."""
    helpers = [
        subprocess.Popen(list(cmd), env=env, preexec_fn=_die_with_parent) for cmd in helper_cmds
    ]
    proc = subprocess.Popen(list(server_cmd), env=env, preexec_fn=_die_with_parent)
    stop = threading.Event()

    def forward(signum: int, _frame: object) -> None:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGTERM if signum == signal.SIGINT else signum)

    for signum in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, forward)

    def sweep() -> None:
        dead: set[int] = set()
        while not stop.wait(sweep_seconds):
            mark_dead_processes(prom_dir, dead)

    watcher = threading.Thread(target=sweep, name="prometheus-dead-pids", daemon=True)
    watcher.start()
    try:
        code = proc.wait()
    finally:
        stop.set()
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=40)
        for helper in helpers:
            helper.terminate()
        for helper in helpers:
            try:
                helper.wait(timeout=10)
            except subprocess.TimeoutExpired:
                helper.kill()
                helper.wait()
    return code
