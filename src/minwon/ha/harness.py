"""Failover under load, checked like Jepsen's set checker (issue 6, "Fault tests").

:class:`AppServer` runs the real application (``minwon serve``, granian) on the cluster's
multi-host URL. :class:`Load` drives write probes through the HTTP API from several clients;
each probe has its own ``(client, seq)`` and Idempotency-Key and is sent once (a client that
gets no answer moves on, so the "at most once" side is really exercised). A fault is injected
into the primary while the load runs; afterwards :func:`check` reads what the database holds:

- every probe acknowledged with a 2xx is present exactly once, with the acknowledged id;
- every probe that timed out or failed with a 5xx is present at most once;
- nothing is present that was never sent; every probe has exactly one audit row;
- the audit chain verifies (``minwon audit verify``, the real verifier).

Recovery time is from the fault to the first successful write among requests sent after it.
Used by tests/chaos/ and bench/failover.py.
"""

from __future__ import annotations

import dataclasses
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from minwon.ha.cluster import Cluster, ClusterError

FAULTS = ("kill-postmaster", "kill-node", "partition")
MIGRATE_APPS = ("contenttypes", "auth", "sessions", "axes", "kernel", "accounts", "ha")


def free_base_port(span: int = 50) -> int:
    """A base port whose next ``span`` ports are free on 127.0.0.1 (for a test cluster)."""
    import random

    for _ in range(200):
        base = random.randrange(20000, 60000, 100)
        try:
            for port in range(base, base + span):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise ClusterError("no free range of ports")


class AppServer:
    """minwon (``minwon serve``) against the cluster: migrated, with a probe account."""

    def __init__(self, cluster: Cluster, *, port: int, var_dir: Path, retry_seconds: int = 30):
        self.cluster = cluster
        self.port = port
        self.var_dir = var_dir
        self.username = "ha-probe-" + uuid.uuid4().hex[:8]
        self.password = "ha-probe-" + uuid.uuid4().hex[:12]
        self.env = {
            **os.environ,
            "MINWON_DATABASE_URL": cluster.spec.url(),
            "MINWON_VAR_DIR": str(var_dir),
            "MINWON_DB_RETRY_SECONDS": str(retry_seconds),
            "MINWON_DISABLE_POOL": "1",
            "MINWON_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "minwon.config.settings",
        }
        self.proc: subprocess.Popen[bytes] | None = None

    def manage(self, *args: str, timeout: float = 300) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "minwon.cli", *args],
            env=self.env, capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise ClusterError(f"minwon {' '.join(args)}: {result.stderr[-2000:]}")
        return result.stdout

    def start(self) -> AppServer:
        self.var_dir.mkdir(parents=True, exist_ok=True)
        # Only what the probe path needs (accounts, tokens, the kernel, this app), so the
        # chaos tests depend on no other app's schema.
        script = (
            "from django.core.management import call_command\n"
            f"for app in {MIGRATE_APPS!r}:\n"
            "    call_command('migrate', app, interactive=False, verbosity=0)\n"
        )
        self.manage("shell", "-c", script)
        self.manage("cluster", "probe-account", "--username", self.username,
                    "--password", self.password)  # fmt: skip
        log = open(self.var_dir / "app.log", "ab")  # noqa: SIM115 - handed to the child
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "minwon.cli", "serve", "--no-worker", "--port", str(self.port),
             "--workers", "2", "--threads", "8"],
            env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        log.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                self.token()
                return self
            except (OSError, ClusterError):
                time.sleep(0.5)
        self.stop()
        raise ClusterError(f"the app did not start; see {self.var_dir / 'app.log'}")

    def token(self) -> str:
        status, body, _ = request(
            self.port, "POST", "/api/auth/token",
            {"username": self.username, "password": self.password}, timeout=10,
        )  # fmt: skip
        if status != 200:
            raise ClusterError(f"token: {status} {body}")
        return str(body["token"])

    def audit_verify(self) -> tuple[bool, str]:
        result = subprocess.run(
            [sys.executable, "-m", "minwon.cli", "audit", "verify"],
            env=self.env, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        return result.returncode == 0, (result.stdout + result.stderr).strip()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self.proc = None


def request(
    port: int,
    method: str,
    path: str,
    body: dict[str, Any] | None = None,
    *,
    headers: dict[str, str] | None = None,
    timeout: float = 60,
) -> tuple[int, Any, dict[str, str]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(
            method,
            path,
            body=json.dumps(body) if body is not None else None,
            headers={"Content-Type": "application/json", **(headers or {})},
        )
        response = conn.getresponse()
        raw = response.read()
        try:
            data = json.loads(raw) if raw else None
        except ValueError:
            data = raw.decode(errors="replace")
        return response.status, data, dict(response.getheaders())
    finally:
        conn.close()


@dataclasses.dataclass
class Op:
    """One probe as the client saw it."""

    client: str
    seq: int
    started: float
    finished: float = 0.0
    status: int | None = None  # None: no answer (timeout, connection error)
    command_id: str | None = None

    @property
    def acknowledged(self) -> bool:
        return self.status == 200

    @property
    def indeterminate(self) -> bool:
        return self.status is None or self.status >= 500


class Load:
    """``clients`` threads each sending probes one after another until stopped."""

    def __init__(self, port: int, token: str, *, clients: int = 4, timeout: float = 45):
        self.port = port
        self.token = token
        self.clients = clients
        self.timeout = timeout
        self.run = uuid.uuid4().hex[:8]
        self.ops: list[Op] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [
            threading.Thread(target=self._client, args=(f"{self.run}-c{i}",), daemon=True)
            for i in range(clients)
        ]

    def start(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def stop(self) -> list[Op]:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=self.timeout + 10)
        return list(self.ops)

    def _client(self, name: str) -> None:
        seq = 0
        while not self.stopping.is_set():
            op = Op(name, seq, time.monotonic())
            with self.lock:
                self.ops.append(op)
            try:
                status, body, _ = request(
                    self.port, "POST", "/api/ha/probe-writes", {"client": name, "seq": seq},
                    headers={"Authorization": f"Bearer {self.token}",
                             "Idempotency-Key": f"{name}-{seq}"},
                    timeout=self.timeout,
                )  # fmt: skip
                op.status = status
                if status == 200 and isinstance(body, dict):
                    op.command_id = body.get("command_id")
            except (OSError, http.client.HTTPException):
                op.status = None
            op.finished = time.monotonic()
            if op.status != 200:
                time.sleep(0.2)
            seq += 1

    def first_success_after(self, moment: float) -> float | None:
        done = [op.finished for op in self.ops if op.acknowledged and op.started >= moment]
        return min(done) if done else None


@dataclasses.dataclass
class Verdict:
    """What the checker found; ``ok`` when nothing acknowledged was lost or doubled."""

    acknowledged: int
    indeterminate: int
    lost: list[str]
    duplicated: list[str]
    phantom: list[str]
    wrong_id: list[str]
    audit_missing: list[str]
    audit_ok: bool
    audit_message: str

    @property
    def ok(self) -> bool:
        return self.audit_ok and not (
            self.lost or self.duplicated or self.phantom or self.wrong_id or self.audit_missing
        )


def check(ops: list[Op], url: str, audit: Callable[[], tuple[bool, str]]) -> Verdict:
    """Compare what clients were told with what the database holds (module docstring)."""
    import psycopg

    clients = sorted({op.client for op in ops})
    with psycopg.connect(url, connect_timeout=10) as conn:
        rows = conn.execute(
            "SELECT client, seq, command_id::text FROM ha_probewrite WHERE client = ANY(%s)",
            (clients,),
        ).fetchall()
        ids = [row[2] for row in rows]
        audited: dict[str, int] = dict(
            conn.execute(
                "SELECT command_id::text, count(*) FROM kernel_auditrecord "
                "WHERE command_id::text = ANY(%s) GROUP BY command_id",
                (ids,),
            ).fetchall()
        )
    stored: dict[tuple[str, int], list[str]] = {}
    for client, seq, command_id in rows:
        stored.setdefault((client, seq), []).append(command_id)
    sent = {(op.client, op.seq): op for op in ops}
    lost, duplicated, phantom, wrong_id = [], [], [], []
    for key, op in sent.items():
        found = stored.get(key, [])
        label = f"{key[0]}#{key[1]}"
        if len(found) > 1:
            duplicated.append(label)
        if op.acknowledged:
            if not found:
                lost.append(label)
            elif op.command_id not in found:
                wrong_id.append(label)
    phantom = [f"{c}#{s}" for (c, s) in stored if (c, s) not in sent]
    audit_missing = [i for i in ids if audited.get(i, 0) != 1]
    audit_ok, message = audit()
    return Verdict(
        acknowledged=sum(op.acknowledged for op in ops),
        indeterminate=sum(op.indeterminate for op in ops),
        lost=lost,
        duplicated=duplicated,
        phantom=phantom,
        wrong_id=wrong_id,
        audit_missing=audit_missing,
        audit_ok=audit_ok,
        audit_message=message,
    )


@dataclasses.dataclass
class RoundResult:
    fault: str
    old_primary: str
    new_primary: str | None
    recovery_seconds: float | None
    verdict: Verdict

    def summary(self) -> str:
        v = self.verdict
        recovery = f"{self.recovery_seconds:.1f} s" if self.recovery_seconds is not None else "-"
        return (
            f"{self.fault}: {self.old_primary} -> {self.new_primary}, recovery {recovery}, "
            f"acknowledged {v.acknowledged}, indeterminate {v.indeterminate}, "
            f"lost {len(v.lost)}, duplicated {len(v.duplicated)}, phantom {len(v.phantom)}, "
            f"audit {'ok' if v.audit_ok else v.audit_message}"
        )


def run_round(
    cluster: Cluster,
    app: AppServer,
    fault: str,
    *,
    clients: int = 4,
    warmup: float = 2.0,
    settle: float = 2.0,
    max_outage: float = 60.0,
) -> RoundResult:
    """One fault under load: inject, wait for the first write after it, repair, check."""
    if fault not in FAULTS:
        raise ValueError(f"fault must be one of {FAULTS}")
    cluster.wait_healthy(120)
    old = cluster.leader()
    if old is None:
        raise ClusterError("no primary before the fault")
    load = Load(app.port, app.token(), clients=clients).start()
    recovered: float | None = None
    try:
        time.sleep(warmup)
        if fault == "kill-postmaster":
            cluster.kill_postmaster(old)
        elif fault == "kill-node":
            cluster.kill_node(old)
        else:
            cluster.partition(old)
        # The clock starts once the fault has taken effect (a cut is acknowledged by the
        # forwarder): a write that slipped through the old primary in between is no recovery.
        fault_at = time.monotonic()
        deadline = fault_at + max_outage
        while time.monotonic() < deadline:
            first = load.first_success_after(fault_at)
            if first is not None:
                recovered = first - fault_at
                break
            time.sleep(0.1)
        time.sleep(settle)
    finally:
        ops = load.stop()
        if fault == "kill-node":
            cluster.start_node(old)
        elif fault == "partition":
            cluster.heal(old)
    new = cluster.leader()
    cluster.wait_healthy(180)
    verdict = check(ops, cluster.spec.url(), app.audit_verify)
    return RoundResult(fault, old, new, recovered, verdict)


def write_probes(port: int, token: str, client: str, seqs: range) -> list[tuple[str, int]]:
    """Send probes one by one (no fault expected); returns those acknowledged."""
    done = []
    for seq in seqs:
        status, _, _ = request(
            port, "POST", "/api/ha/probe-writes", {"client": client, "seq": seq},
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"{client}-{seq}"},
        )  # fmt: skip
        if status == 200:
            done.append((client, seq))
    return done
