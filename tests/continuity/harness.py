"""Real processes for continuity scenarios: central (``minwon serve``), a TCP proxy we can cut
between central and the edges (``minwon.ha.netproxy``), and edge nodes (``minwon edge``).

``python -m tests.continuity.harness setup`` (run with central's environment) prepares
central: divisions, the petition catalog, a clerk per office with an API token, an agency
key per edge, and residents registered through commands.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from minwon.ha import netproxy

ROOT = Path(__file__).resolve().parents[2]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
WONJU = "5113000000"
DATA_KEY = "11" * 32
SECRET = "continuity-test-secret-key-0123456789abcdef"
#: A 읍·면·동 of each test office, for addresses.
UNITS = {WONJU: "5113025000", "4415000000": "4415025000"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def env_for(var: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        MINWON_VAR_DIR=str(var),
        MINWON_DATABASE_URL=f"sqlite:///{var}/db.sqlite3",
        MINWON_DATA_KEY=DATA_KEY,
        MINWON_SECRET_KEY=SECRET,
        # One key store for central and its edges: the demo's stand-in for the office's
        # continuity key (and the root that certifies it) provisioned on the edge.
        MINWON_KEYS_DIR=str(var.parent / "keys"),
        DJANGO_SETTINGS_MODULE="minwon.config.settings",
        PYTHONPATH=str(ROOT),
        MINWON_LOG_LEVEL="WARNING",
    )
    env.pop("MINWON_EDGE_OFFICE", None)
    return env


def http(
    method: str, url: str, body: Any = None, token: str = "", timeout: float = 30.0
) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def wait_http(url: str, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            status, _ = http("GET", url, timeout=2)
            if status < 500:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError(url)


def central_database(base: Path) -> str:
    """Central's database: SQLite in ``base``, or — when the tests run with ``--postgres``
    (``MINWON_DATABASE_URL`` names a PostgreSQL server) — a fresh database on that server.
    Edges always run on SQLite."""
    url = os.environ.get("MINWON_DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{base}/central/db.sqlite3"
    import psycopg

    name = "continuity_" + uuid.uuid4().hex[:12]
    with psycopg.connect(url, autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{name}"')  # a generated identifier, not input
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


class Cluster:
    """Central + cuttable proxy + edges, all on 127.0.0.1."""

    def __init__(self, base: Path, offices: dict[str, str], persons: int = 60) -> None:
        self.base = base
        self.offices = offices  # edge_id -> office code
        self.persons = persons
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.central_port = free_port()
        self.proxy_port = free_port()
        self.edge_ports = {edge_id: free_port() for edge_id in offices}
        self.cut_dir = base / "cuts"
        self.cut_dir.mkdir(parents=True, exist_ok=True)
        self.secrets: dict[str, Any] = {}
        self.central_db = central_database(base)

    def central_env(self) -> dict[str, str]:
        env = env_for(self.base / "central")
        env["MINWON_DATABASE_URL"] = self.central_db
        return env

    def central_rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Rows of a query on central's database, whichever engine it runs on (values as
        SQLite gives them: UUIDs as 32 hex digits, times as text)."""
        if self.central_db.startswith("sqlite"):
            with contextlib.closing(sqlite3.connect(self.central_db[len("sqlite:///") :])) as db:
                return list(db.execute(sql, params))
        import psycopg

        def plain(value: Any) -> Any:
            if isinstance(value, uuid.UUID):
                return value.hex
            if isinstance(value, datetime):
                return value.isoformat()
            return value

        with psycopg.connect(self.central_db) as pg:
            rows = pg.execute(sql.replace("?", "%s"), params).fetchall()
        return [tuple(plain(v) for v in row) for row in rows]

    # -- central -------------------------------------------------------------------------
    def setup_central(self) -> None:
        (self.base / "central").mkdir(exist_ok=True)
        env = self.central_env()
        env["CONTINUITY_OFFICES"] = json.dumps(self.offices)
        env["CONTINUITY_PERSONS"] = str(self.persons)
        subprocess.run(
            [PYTHON, "-m", "minwon.cli", "migrate", "--verbosity", "0"], env=env, check=True
        )
        out = subprocess.run(
            [PYTHON, "-m", "tests.continuity.harness", "setup"],
            env=env, check=False, capture_output=True, cwd=ROOT,
        )  # fmt: skip
        if out.returncode != 0:
            raise RuntimeError(out.stderr.decode()[-3000:])
        self.secrets = json.loads(out.stdout.decode().strip().splitlines()[-1])

    def start_central(self) -> None:
        env = self.central_env()
        log = open(self.base / "central.log", "ab")  # noqa: SIM115
        self.procs["central"] = subprocess.Popen(
            [
                PYTHON, "-m", "minwon.cli", "serve", "--no-worker", "--port",
                str(self.central_port), "--workers", "1", "--threads", "4",
            ],
            env=env, stdout=log, stderr=log, cwd=ROOT,
        )  # fmt: skip
        wait_http(f"http://127.0.0.1:{self.central_port}/api/continuity/ping")

    def stop(self, name: str) -> None:
        proc = self.procs.pop(name, None)
        if proc is not None:
            proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=15)
            if proc.poll() is None:
                proc.kill()
                proc.wait()

    def start_proxy(self) -> None:
        self.procs["proxy"] = subprocess.Popen(
            [
                PYTHON, "-m", "minwon.ha.netproxy", "--dir", str(self.cut_dir),
                "--route", f"central:{self.proxy_port}:{self.central_port}",
            ],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_http(f"http://127.0.0.1:{self.proxy_port}/api/continuity/ping")

    def cut(self) -> None:
        netproxy.cut(self.cut_dir, "central")

    def heal(self) -> None:
        netproxy.heal(self.cut_dir, "central")

    # -- edges ---------------------------------------------------------------------------
    def start_edge(self, edge_id: str, *, fake_clock: bool = True) -> None:
        var = self.base / edge_id
        var.mkdir(exist_ok=True)
        env = env_for(var)
        if fake_clock:
            env["MINWON_EDGE_FAKE_CLOCK"] = "1"
        log = open(self.base / f"{edge_id}.log", "ab")  # noqa: SIM115
        self.procs[edge_id] = subprocess.Popen(
            [
                PYTHON, "-m", "minwon.cli", "edge", "--office", self.offices[edge_id],
                "--central", f"http://127.0.0.1:{self.proxy_port}", "--edge-id", edge_id,
                "--key", self.secrets["keys"][edge_id], "--port", str(self.edge_ports[edge_id]),
            ],
            env=env, stdout=log, stderr=log, cwd=ROOT,
        )  # fmt: skip
        wait_http(self.edge_url(edge_id, "/api/continuity/state"), timeout=180)

    def edge_url(self, edge_id: str, path: str) -> str:
        return f"http://127.0.0.1:{self.edge_ports[edge_id]}{path}"

    def edge_state(self, edge_id: str) -> dict[str, Any]:
        return http("GET", self.edge_url(edge_id, "/api/continuity/state"), timeout=5)[1]

    def wait_mode(self, edge_id: str, mode: str, timeout: float = 60.0) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            try:
                if self.edge_state(edge_id).get("mode") == mode:
                    return time.monotonic() - started
            except OSError:  # busy (resync on two cores): not there yet, ask again
                pass
            time.sleep(0.05)
        raise TimeoutError(f"{edge_id} never reached {mode}: {self.edge_state(edge_id)}")

    def counter(self, edge_id: str, command: str, payload: dict[str, Any]) -> tuple[int, Any]:
        return http(
            "POST",
            self.edge_url(edge_id, "/api/continuity/counter"),
            {"command": command, "payload": payload},
            token=self.secrets["tokens"][edge_id],
        )

    def staff_session(self, edge_id: str) -> StaffSession:
        """The edge's clerk logged in to the edge's HTML pages (session cookie + CSRF)."""
        session = StaffSession(self.edge_url(edge_id, ""))
        session.log_in(f"clerk-{edge_id}", "continuity-pass-2026")
        return session

    def set_clock(self, edge_id: str, iso: str) -> None:
        status, body = http("POST", self.edge_url(edge_id, "/api/continuity/clock"), {"now": iso})
        assert status == 200, body

    def close(self) -> None:
        for name in list(self.procs):
            self.stop(name)


class StaffSession:
    """A logged-in browser without a browser: cookies and the CSRF token, for posting the
    counter pages' forms as a clerk would."""

    def __init__(self, base: str) -> None:
        import http.cookiejar

        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def _csrf(self) -> str:
        return next((c.value or "" for c in self.jar if c.name == "csrftoken"), "")

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        from urllib.parse import urlencode

        data = None if form is None else urlencode({**form, "csrfmiddlewaretoken": self._csrf()})
        req = urllib.request.Request(
            self.base + path, data=None if data is None else data.encode(), method=method
        )
        req.add_header("Referer", self.base + path)
        try:
            with self.opener.open(req, timeout=60) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def get(self, path: str) -> tuple[int, str]:
        status, body = self.request("GET", path)
        return status, body.decode()

    def post(self, path: str, form: dict[str, str]) -> tuple[int, str]:
        self.request("GET", path)  # the form page sets the CSRF cookie
        status, body = self.request("POST", path, form)
        return status, body.decode()

    def log_in(self, username: str, password: str) -> None:
        status, html = self.post(
            "/accounts/login/", {"username": username, "password": password, "next": "/staff/"}
        )
        if status != 200 or "/accounts/logout/" not in html:
            raise RuntimeError(f"log-in failed: HTTP {status}")


@contextlib.contextmanager
def cluster(base: Path, offices: dict[str, str], persons: int = 60) -> Iterator[Cluster]:
    c = Cluster(base, offices, persons)
    try:
        yield c
    finally:
        c.close()


# ------------------------------------------------------------------------ central set-up


def _setup() -> dict[str, Any]:
    import django

    django.setup()
    from datetime import date, timedelta

    from minwon.accounts.commands import (
        CreateStaffAccount,
        GrantRole,
        IssueApiToken,
        RegisterAgencyClient,
    )  # fmt: skip
    from minwon.kernel import clock, execute, rrn
    from minwon.kernel.management.commands.load_jurisdictions import load
    from minwon.kernel.types import Actor, ActorKind, Channel
    from minwon.petitions import catalog
    from minwon.petitions.commands.catalog import LoadPetitionCatalog
    from minwon.registry.commands import RegisterPerson

    system = Actor.system("continuity-test")
    load()
    data = catalog.read()
    execute(
        LoadPetitionCatalog(
            actor=system, channel=Channel.SYSTEM, jurisdiction="0000000000",
            version=str(data.get("version", "1")), types=data["types"],
        )
    )  # fmt: skip
    offices: dict[str, str] = json.loads(os.environ["CONTINUITY_OFFICES"])
    persons = int(os.environ["CONTINUITY_PERSONS"])
    keys: dict[str, str] = {}
    tokens: dict[str, str] = {}
    households: dict[str, list[dict[str, int]]] = {}
    from django.contrib.auth.hashers import make_password

    pw = make_password("continuity-pass-2026")
    for n, (edge_id, office) in enumerate(sorted(offices.items())):
        key = f"edge{n:02d}.{hashlib.sha256(edge_id.encode()).hexdigest()[:32]}"
        keys[edge_id] = key
        execute(
            RegisterAgencyClient(
                actor=system, channel=Channel.SYSTEM, jurisdiction=office,
                name=f"거점 {edge_id}", prefix=f"edge{n:02d}",
                key_hash=hashlib.sha256(key.encode()).hexdigest(),
                permissions=["continuity.replay", "ops.report_edge"],
            )
        )  # fmt: skip
        user = execute(
            CreateStaffAccount(
                actor=system, channel=Channel.SYSTEM, jurisdiction=office,
                username=f"clerk-{edge_id}", display_name=f"clerk {edge_id}", password_hash=pw,
            )
        ).value["user_id"]  # fmt: skip
        execute(
            GrantRole(
                actor=system, channel=Channel.SYSTEM, jurisdiction=office,
                user_id=user, role="counter_clerk",
            )
        )  # fmt: skip
        token = f"tok-{edge_id}-{hashlib.sha256(key.encode()).hexdigest()[:24]}"
        tokens[edge_id] = token
        execute(
            IssueApiToken(
                actor=Actor(ActorKind.STAFF, user, f"clerk-{edge_id}"), channel=Channel.COUNTER,
                jurisdiction=office, token_hash=hashlib.sha256(token.encode()).hexdigest(),
                expires_at=clock.now() + timedelta(days=30),
            )
        )  # fmt: skip
    for k, office in enumerate(sorted(set(offices.values()))):
        rows = []
        for i in range(persons):
            serial = k * 10000 + i
            number = rrn.with_check_digit(f"8{i % 10}0{(i % 9) + 1}{(i % 28) + 1:02d}1{serial:05d}")
            res = execute(
                RegisterPerson(
                    actor=system, channel=Channel.SYSTEM, jurisdiction=office,
                    name=f"주민{i}", sealed_rrn=rrn.SealedRRN.from_text(number),
                    road_address=f"시청로 {i + 1}", address_code=UNITS[office],
                    moved_in_on=date(2020, 1, 1),
                )
            ).value  # fmt: skip
            rows.append({"person_id": res["person_id"], "household_id": res["household_id"]})
        households[office] = rows
    return {"keys": keys, "tokens": tokens, "residents": households}


if __name__ == "__main__" and sys.argv[1:] == ["setup"]:
    print(json.dumps(_setup()))
