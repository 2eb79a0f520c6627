"""A real high-availability PostgreSQL cluster on one machine (DESIGN §1 "High availability").

etcd holds the cluster state; three PostgreSQL 15 nodes each run under Patroni with
synchronous replication (``synchronous_mode`` + ``synchronous_mode_strict``: a commit is
acknowledged only once a second node has it, and with no synchronous standby the primary
refuses to acknowledge rather than silently going asynchronous). Data checksums are on (they
also let ``pg_rewind`` bring a failed primary back). Every path between nodes, clients and
etcd passes through :mod:`minwon.ha.netproxy`, so one node can be cut off for the
partition test.

The same layout — node names, ports, timing — is what ``deploy/`` templates describe for
production; here everything listens on 127.0.0.1 and lives under one directory so that
``minwon cluster down`` can leave nothing behind.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from minwon.ha import netproxy
from minwon.testing.pgserver import pg_bin

#: Patroni's own floor for ``ttl`` (it raises smaller values to 20).
MIN_TTL = 20


class ClusterError(RuntimeError):
    """The cluster could not be brought to the asked state; the message says what was seen."""


@dataclasses.dataclass
class ClusterSpec:
    """Where the cluster lives, its ports and its Patroni timing.

    Timing (measured with ``bench/failover.py``, see docs/benchmarks/failover.md):
    ``ttl`` 20 s is Patroni's minimum and bounds how long a vanished primary keeps its lock;
    ``loop_wait`` 1 s makes a crashed postmaster noticed within a second;
    ``retry_timeout`` 5 s lets a cut-off primary demote itself after at most
    ``loop_wait + retry_timeout`` = 6 s, long before its lock can expire (Patroni's rule
    ``loop_wait + 2 * retry_timeout <= ttl``: 11 <= 20); ``primary_start_timeout`` 0 fails
    over at once on a crash instead of restarting in place — safe only because replication
    is synchronous, so the promoted standby has every acknowledged commit.
    """

    base: Path
    base_port: int = 15400
    nodes: int = 3
    scope: str = "minwon"
    database: str = "minwon"
    ttl: int = 20
    loop_wait: int = 1
    retry_timeout: int = 5
    primary_start_timeout: int = 0

    def validate(self) -> None:
        if self.ttl < MIN_TTL:
            raise ClusterError(f"ttl must be at least {MIN_TTL} s (Patroni's minimum)")
        if self.loop_wait < 1 or self.retry_timeout < 3:
            raise ClusterError("loop_wait must be >= 1 s and retry_timeout >= 3 s")
        if self.loop_wait + 2 * self.retry_timeout > self.ttl:
            raise ClusterError("Patroni requires loop_wait + 2 * retry_timeout <= ttl")
        if self.nodes < 2:
            raise ClusterError("synchronous replication needs at least 2 nodes")

    @property
    def names(self) -> list[str]:
        return [f"node{i}" for i in range(1, self.nodes + 1)]

    def index(self, name: str) -> int:
        if name not in self.names:
            raise ClusterError(f"no node named {name!r}; nodes are {', '.join(self.names)}")
        return self.names.index(name) + 1

    @property
    def etcd_port(self) -> int:
        return self.base_port

    @property
    def etcd_peer_port(self) -> int:
        return self.base_port + 1

    def pg_port(self, name: str) -> int:
        """Where the node's PostgreSQL listens (operators and backups use it directly)."""
        return self.base_port + 10 * self.index(name)

    def pg_public_port(self, name: str) -> int:
        """Where clients and replicas reach the node (through the forwarder)."""
        return self.pg_port(name) + 1

    def rest_port(self, name: str) -> int:
        return self.pg_port(name) + 2

    def rest_public_port(self, name: str) -> int:
        return self.pg_port(name) + 3

    def etcd_port_for(self, name: str) -> int:
        """The node's own path to etcd (through the forwarder)."""
        return self.pg_port(name) + 4

    def data_dir(self, name: str) -> Path:
        return self.base / name / "data"

    def url(self, *, read_write: bool = True) -> str:
        """libpq multi-host URL for minwon: ``read-write`` finds the primary wherever it is;
        ``prefer-standby`` is for read-only pages that tolerate a second of staleness."""
        hosts = ",".join(f"127.0.0.1:{self.pg_public_port(n)}" for n in self.names)
        attrs = "read-write" if read_write else "prefer-standby"
        return (
            f"postgresql://postgres@{hosts}/{self.database}"
            f"?target_session_attrs={attrs}&connect_timeout=3"
        )

    def save(self) -> None:
        data = dataclasses.asdict(self)
        data["base"] = str(self.base)
        (self.base / "cluster.json").write_text(json.dumps(data, indent=2))

    @classmethod
    def load(cls, base: Path) -> ClusterSpec:
        path = base / "cluster.json"
        if not path.exists():
            raise ClusterError(f"no cluster in {base} (run `minwon cluster up` first)")
        data = json.loads(path.read_text())
        data["base"] = Path(data["base"])
        return cls(**data)


def _as_postgres() -> dict[str, Any]:
    """Popen arguments that run a child as the ``postgres`` system user when we are root
    (PostgreSQL refuses to run as root), with no extra fork so the pid is the real one."""
    if os.geteuid() != 0:
        return {}
    return {"user": "postgres", "group": "postgres", "extra_groups": []}


def _chown(path: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")


_patroni_command: tuple[list[str], dict[str, str]] | None = None


def patroni_command() -> tuple[list[str], dict[str, str]]:
    """How to start Patroni as the postgres user. The venv's interpreter may live where
    that user cannot read it (e.g. under /root); then the system Python of the same version
    runs the venv's packages."""
    global _patroni_command
    if _patroni_command is not None:
        return _patroni_command
    candidates: list[tuple[list[str], dict[str, str]]] = [([sys.executable, "-m", "patroni"], {})]
    import patroni

    site = str(Path(patroni.__file__).resolve().parent.parent)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for system_python in (f"/usr/bin/{version}", f"/usr/local/bin/{version}"):
        if Path(system_python).exists():
            candidates.append(([system_python, "-S", "-m", "patroni"], {"PYTHONPATH": site}))
    for argv, extra in candidates:
        try:
            probe = subprocess.run(
                [*argv[:-2], "-c", "import patroni, psycopg"],
                env={**os.environ, **extra},
                capture_output=True,
                check=False,
                cwd="/",
                **_as_postgres(),
            )
        except OSError:
            continue
        if probe.returncode == 0:
            _patroni_command = (argv, extra)
            return _patroni_command
    raise ClusterError("Patroni cannot be started as the postgres user (install patroni)")


class Cluster:
    """Bring the cluster up and down, look at it, and inject the faults the chaos tests need."""

    def __init__(self, spec: ClusterSpec) -> None:
        spec.validate()
        self.spec = spec
        self.base = spec.base
        self.run_dir = self.base / "run"
        self.log_dir = self.base / "log"
        self.net_dir = self.base / "net"

    # -- files ------------------------------------------------------------------------------

    def pgbackrest_conf(self) -> Path:
        return self.base / "pgbackrest.conf"

    def repo_dir(self) -> Path:
        """The backup repository: a separate directory standing for the other site."""
        return self.base / "backup-repo"

    def _write_pgbackrest_conf(self) -> None:
        lines = [
            "[global]",
            f"repo1-path={self.repo_dir()}",
            "repo1-retention-full=2",
            f"log-path={self.log_dir}",
            f"lock-path={self.run_dir}",
            f"spool-path={self.run_dir}",
            "log-level-console=warn",
            "log-level-file=info",
            "start-fast=y",
            "compress-type=lz4",
            "",
            f"[{self.spec.scope}]",
        ]
        for i, name in enumerate(self.spec.names, start=1):
            lines += [
                f"pg{i}-path={self.spec.data_dir(name)}",
                f"pg{i}-port={self.spec.pg_port(name)}",
                f"pg{i}-socket-path={self.base / name}",
                f"pg{i}-user=postgres",
            ]
        self.pgbackrest_conf().write_text("\n".join(lines) + "\n")

    def _patroni_config(self, name: str) -> dict[str, Any]:
        spec = self.spec
        pgbackrest = (
            f"pgbackrest --config={self.pgbackrest_conf()} --stanza={spec.scope} "
            f"--pg1-path={spec.data_dir(name)}"
        )
        return {
            "scope": spec.scope,
            "name": name,
            "namespace": "/minwon/",
            "log": {"level": "INFO", "dir": str(self.log_dir / name), "file_num": 2},
            "restapi": {
                "listen": f"127.0.0.1:{spec.rest_port(name)}",
                "connect_address": f"127.0.0.1:{spec.rest_public_port(name)}",
            },
            "etcd3": {"hosts": [f"127.0.0.1:{spec.etcd_port_for(name)}"], "use_proxies": True},
            "bootstrap": {
                "dcs": {
                    "ttl": spec.ttl,
                    "loop_wait": spec.loop_wait,
                    "retry_timeout": spec.retry_timeout,
                    "primary_start_timeout": spec.primary_start_timeout,
                    "maximum_lag_on_failover": 1048576,
                    "synchronous_mode": True,
                    "synchronous_mode_strict": True,
                    "synchronous_node_count": 1,
                    "failsafe_mode": False,
                    "postgresql": {
                        "use_pg_rewind": True,
                        "use_slots": True,
                        "parameters": {
                            "wal_level": "replica",
                            "hot_standby": "on",
                            "wal_log_hints": "on",
                            "max_connections": 200,
                            "max_wal_senders": 10,
                            "max_replication_slots": 10,
                            "wal_keep_size": "256MB",
                            "archive_mode": "on",
                            "archive_timeout": 60,
                            "archive_command": f"{pgbackrest} archive-push %p",
                            "synchronous_commit": "on",
                        },
                    },
                },
                "initdb": [{"encoding": "UTF8"}, {"locale": "C.UTF-8"}, "data-checksums"],
                "pg_hba": [
                    "local all all trust",
                    "host replication all 127.0.0.1/32 trust",
                    "host all all 127.0.0.1/32 trust",
                ],
            },
            "postgresql": {
                "listen": f"127.0.0.1:{spec.pg_port(name)}",
                "connect_address": f"127.0.0.1:{spec.pg_public_port(name)}",
                "data_dir": str(spec.data_dir(name)),
                "bin_dir": str(pg_bin()),
                "pgpass": str(self.base / name / "pgpass"),
                "authentication": {
                    "superuser": {"username": "postgres"},
                    "replication": {"username": "postgres"},
                    "rewind": {"username": "postgres"},
                },
                "parameters": {"unix_socket_directories": str(self.base / name)},
                "recovery_conf": {"restore_command": f"{pgbackrest} archive-get %f %p"},
            },
            "watchdog": {"mode": "off"},
            "tags": {"nofailover": False, "noloadbalance": False},
        }

    # -- processes --------------------------------------------------------------------------

    def _pidfile(self, name: str) -> Path:
        return self.run_dir / f"{name}.pid"

    def _pid(self, name: str) -> int | None:
        path = self._pidfile(name)
        if not path.exists():
            return None
        pid = int(path.read_text().strip() or 0)
        return pid if pid and _alive(pid) else None

    def _spawn(
        self,
        name: str,
        argv: list[str],
        *,
        as_postgres: bool = False,
        extra_env: dict[str, str] | None = None,
    ) -> int:
        env = {**os.environ, **(extra_env or {}), "HOME": str(self.base)}
        log = open(self.log_dir / f"{name}.out", "ab")  # noqa: SIM115 - handed to the child
        proc = subprocess.Popen(
            argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=self.base,
            start_new_session=True,
            **(_as_postgres() if as_postgres else {}),
        )
        log.close()
        self._pidfile(name).write_text(str(proc.pid))
        return proc.pid

    def postmaster_pid(self, name: str) -> int | None:
        path = self.spec.data_dir(name) / "postmaster.pid"
        try:
            pid = int(path.read_text().splitlines()[0])
        except (OSError, ValueError, IndexError):
            return None
        return pid if _alive(pid) else None

    def start_etcd(self) -> None:
        if self._pid("etcd"):
            return
        spec = self.spec
        client = f"http://127.0.0.1:{spec.etcd_port}"
        peer = f"http://127.0.0.1:{spec.etcd_peer_port}"
        self._spawn(
            "etcd",
            [
                shutil.which("etcd") or "etcd",
                "--name", "etcd1",
                "--data-dir", str(self.base / "etcd"),
                "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", f"etcd1={peer}",
                "--initial-cluster-state", "new",
                "--initial-cluster-token", f"{spec.scope}-{spec.base_port}",
                "--log-level", "warn",
            ],
        )  # fmt: skip
        self._wait(lambda: _http_json(f"{client}/health") is not None, 30, "etcd to start")

    def start_proxy(self) -> None:
        if self._pid("netproxy"):
            return
        spec = self.spec
        routes: list[str] = []
        for name in spec.names:
            routes += [
                f"--route={name}:{spec.pg_public_port(name)}:{spec.pg_port(name)}",
                f"--route={name}:{spec.rest_public_port(name)}:{spec.rest_port(name)}",
                f"--route={name}:{spec.etcd_port_for(name)}:{spec.etcd_port}",
            ]
        self._spawn(
            "netproxy",
            [sys.executable, "-m", "minwon.ha.netproxy", f"--dir={self.net_dir}", *routes],
        )

    def start_node(self, name: str) -> None:
        if self._pid(name):
            return
        config = self.base / name / "patroni.yml"
        # JSON is YAML: Patroni reads it as its configuration file.
        config.write_text(json.dumps(self._patroni_config(name), indent=2))
        _chown(config)
        (self.log_dir / name).mkdir(parents=True, exist_ok=True)
        _chown(self.log_dir / name)
        argv, extra_env = patroni_command()
        self._spawn(name, [*argv, str(config)], as_postgres=True, extra_env=extra_env)

    # -- whole cluster ----------------------------------------------------------------------

    def up(self, *, timeout: float = 180) -> None:
        """Start etcd, the forwarder and every node; wait for a primary with a streaming
        synchronous standby; create the application database and the backup stanza."""
        for path in (self.base, self.run_dir, self.log_dir, self.net_dir):
            path.mkdir(parents=True, exist_ok=True)
            _chown(path)
        for name in self.spec.names:
            (self.base / name).mkdir(exist_ok=True)
            _chown(self.base / name)
        self.repo_dir().mkdir(exist_ok=True)
        _chown(self.repo_dir())
        self.spec.save()
        self._write_pgbackrest_conf()
        self.start_etcd()
        self.start_proxy()
        for name in self.spec.names:
            self.start_node(name)
        self.wait_healthy(timeout)
        self.create_database()
        self.pgbackrest("stanza-create", check=False)

    def down(self, *, destroy: bool = False) -> None:
        """Stop everything: replicas first, then the primary (so stopping causes no
        failover), then etcd and the forwarder; whatever does not stop is killed."""
        leader = self.leader()
        order = [n for n in self.spec.names if n != leader] + ([leader] if leader else [])
        for name in order:
            pid = self._pid(name)
            if pid:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGTERM)
                _wait_gone(pid, 30)
        for name in self.spec.names:
            for pid in (self._pid(name), self.postmaster_pid(name)):
                if pid:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                    _wait_gone(pid, 5)
        for name in ("etcd", "netproxy"):
            pid = self._pid(name)
            if pid:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGTERM)
                if not _wait_gone(pid, 10):
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
        for pid in _processes_mentioning(str(self.base)):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if destroy:
            shutil.rmtree(self.base, ignore_errors=True)

    # -- looking ----------------------------------------------------------------------------

    def members(self) -> list[dict[str, Any]]:
        """Patroni's view of the members (from the first node whose REST API answers and
        which is not cut off), or an empty list when none answers."""
        for name in sorted(self.spec.names, key=self.is_partitioned):
            data = _http_json(f"http://127.0.0.1:{self.spec.rest_port(name)}/cluster")
            if data is not None:
                members: list[dict[str, Any]] = data.get("members", [])
                return members
        return []

    def leader(self) -> str | None:
        for member in self.members():
            if member.get("role") in ("leader", "primary") and member.get("state") == "running":
                return str(member["name"])
        return None

    def sync_standby(self) -> str | None:
        for member in self.members():
            if member.get("role") == "sync_standby":
                return str(member["name"])
        return None

    def is_healthy(self) -> bool:
        members = self.members()
        if len(members) != self.spec.nodes:
            return False
        roles = [m.get("role") for m in members]
        states = {m.get("state") for m in members if m.get("role") != "leader"}
        return (
            roles.count("leader") == 1
            and "sync_standby" in roles
            and states <= {"streaming"}
            and self.leader() is not None
        )

    def wait_healthy(self, timeout: float = 120) -> None:
        self._wait(self.is_healthy, timeout, "a primary with every standby streaming")

    def _wait(self, predicate: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.3)
        raise ClusterError(
            f"timed out after {timeout:.0f} s waiting for {what}; see {self.log_dir}"
        )

    def status_lines(self) -> Iterator[str]:
        yield f"cluster {self.spec.scope} in {self.base}"
        yield f"  application URL: {self.spec.url()}"
        yield f"  read-only URL:   {self.spec.url(read_write=False)}"
        members = self.members()
        if not members:
            yield "  no Patroni node answers"
        for m in members:
            cut = " (cut off)" if self.is_partitioned(str(m.get("name"))) else ""
            yield (
                f"  {m.get('name'):6} {m.get('role', '?'):12} {m.get('state', '?'):10} "
                f"timeline {m.get('timeline', '-')} lag {m.get('lag', '-')}{cut}"
            )

    # -- actions ----------------------------------------------------------------------------

    def create_database(self) -> None:
        import psycopg

        leader = self.leader()
        if leader is None:
            raise ClusterError("no primary to create the database on")
        with psycopg.connect(
            host="127.0.0.1", port=self.spec.pg_port(leader), user="postgres",
            dbname="postgres", autocommit=True,
        ) as conn:  # fmt: skip
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (self.spec.database,)
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{self.spec.database}"')

    def switchover(self, candidate: str | None = None) -> str:
        """Planned move of the primary (maintenance): Patroni stops the old primary cleanly,
        so nothing is lost and the old primary rejoins as a standby."""
        leader = self.leader()
        if leader is None:
            raise ClusterError("no primary to switch over from")
        body: dict[str, Any] = {"leader": leader}
        if candidate:
            body["candidate"] = candidate
        return self._post(leader, "/switchover", body)

    def failover(self, candidate: str) -> str:
        """Manual failover to ``candidate`` (when the primary is unhealthy)."""
        return self._post(candidate, "/failover", {"candidate": candidate})

    def _post(self, node: str, path: str, body: dict[str, Any]) -> str:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.spec.rest_port(node)}{path}",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback
                return str(response.read().decode())
        except urllib.error.HTTPError as exc:
            raise ClusterError(f"{path}: {exc.code} {exc.read().decode()}") from exc

    # -- faults -----------------------------------------------------------------------------

    def kill_postmaster(self, name: str) -> None:
        """``kill -9`` the node's postmaster: PostgreSQL crashes, Patroni survives."""
        pid = self.postmaster_pid(name)
        if pid is None:
            raise ClusterError(f"{name}: PostgreSQL is not running")
        os.kill(pid, signal.SIGKILL)

    def kill_node(self, name: str) -> None:
        """The whole node stops at once (power loss): Patroni and PostgreSQL killed."""
        for pid in (self._pid(name), self.postmaster_pid(name)):
            if pid:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)

    def partition(self, name: str) -> None:
        """Cut the node off: no client, replica or peer reaches it and it cannot reach etcd.
        Returns once the cut has taken effect."""
        self.spec.index(name)
        try:
            netproxy.cut(self.net_dir, name)
        except TimeoutError as exc:
            raise ClusterError(str(exc)) from exc

    def heal(self, name: str) -> None:
        netproxy.heal(self.net_dir, name)

    def is_partitioned(self, name: str) -> bool:
        return (self.net_dir / f"{name}.cut").exists()

    def pgbackrest(
        self, *args: str, check: bool = True, timeout: float = 600
    ) -> subprocess.CompletedProcess[str]:
        """Run pgBackRest as the postgres user with this cluster's configuration."""
        result = subprocess.run(
            [
                shutil.which("pgbackrest") or "pgbackrest",
                f"--config={self.pgbackrest_conf()}",
                f"--stanza={self.spec.scope}",
                *args,
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            cwd=self.base,
            **_as_postgres(),
        )
        if check and result.returncode != 0:
            raise ClusterError(
                f"pgbackrest {' '.join(args)} failed ({result.returncode}): "
                f"{(result.stderr or result.stdout).strip()}"
            )
        return result


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return True
    return state != "Z"


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            with contextlib.suppress(ChildProcessError, OSError):
                os.waitpid(pid, os.WNOHANG)
            return True
        time.sleep(0.1)
    return not _alive(pid)


_OURS = ("patroni", "postgres", "etcd", "minwon.ha.netproxy", "pgbackrest")


def _ancestors() -> set[int]:
    pids, pid = set(), os.getpid()
    while pid > 1:
        pids.add(pid)
        try:
            pid = int(Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[1])
        except (OSError, ValueError, IndexError):
            break
    return pids


def _processes_mentioning(text: str) -> list[int]:
    """Leftover cluster processes (Patroni, PostgreSQL, etcd, the forwarder, pgBackRest)
    whose command line names this cluster's directory — never this process or its callers."""
    found = []
    skip = _ancestors()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) in skip:
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        cmdline = b" ".join(args).decode(errors="replace")
        program = args[0].decode(errors="replace").rsplit("/", 1)[-1] if args else ""
        if text in cmdline and any(word in program or word in cmdline for word in _OURS):
            if program.startswith(("bash", "sh", "pytest", "minwon")):
                continue
            found.append(int(entry.name))
    return found


def _http_json(url: str, timeout: float = 2) -> Any:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback
            return json.loads(response.read().decode())
    except (OSError, ValueError):
        return None


def default_dir() -> Path:
    """``MINWON_CLUSTER_DIR``, else ``<var>/cluster``."""
    if os.environ.get("MINWON_CLUSTER_DIR"):
        return Path(os.environ["MINWON_CLUSTER_DIR"])
    from minwon.config.paths import var_dir

    return var_dir() / "cluster"


def open_cluster(base: Path | None) -> Cluster:
    """The cluster that ``minwon cluster up`` created in ``base`` (or the default)."""
    return Cluster(ClusterSpec.load((base or default_dir()).resolve()))
