"""A throw-away PostgreSQL server run with Debian's binaries (``pg_ctl``), for tests and
benchmarks. PostgreSQL refuses to run as root, so as root the server runs as the
``postgres`` system user."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

PG_BIN_CANDIDATES = [
    Path(os.environ["MINWON_PG_BIN"]) if os.environ.get("MINWON_PG_BIN") else None,
    Path("/usr/lib/postgresql/17/bin"),
    Path("/usr/lib/postgresql/16/bin"),
    Path("/usr/lib/postgresql/15/bin"),
]


def pg_bin() -> Path | None:
    for candidate in PG_BIN_CANDIDATES:
        if candidate is not None and (candidate / "pg_ctl").exists():
            return candidate
    found = shutil.which("pg_ctl")
    return Path(found).resolve().parent if found else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres() -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--"]
    return []


class PostgresServer:
    """initdb + pg_ctl start on a free loopback port; ``url`` for MINWON_DATABASE_URL."""

    def __init__(
        self,
        *,
        base: Path | None = None,
        port: int | None = None,
        fast: bool = True,
        settings: dict[str, str] | None = None,
    ) -> None:
        binary = pg_bin()
        if binary is None:
            raise RuntimeError(
                "PostgreSQL server binaries (pg_ctl) not found; install postgresql-15"
            )
        self.bin = binary
        self.base = Path(base or tempfile.mkdtemp(prefix="minwon-pg-"))
        self.data = self.base / "data"
        self.port = port or free_port()
        self.fast = fast
        #: extra server parameters (``-c name=value``), e.g. a benchmark's memory sizing
        self.settings = dict(settings or {})
        self.log = self.base / "postgres.log"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/minwon"

    def _run(self, *args: str) -> None:
        subprocess.run([*_as_postgres(), *args], check=True, capture_output=True)

    def start(self) -> PostgresServer:
        self.base.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres", "postgres")
        if not (self.data / "PG_VERSION").exists():
            self._run(
                str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres",
                "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--data-checksums",
            )  # fmt: skip
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.base} -c max_connections=200"
        )
        if self.fast:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        for name, value in self.settings.items():
            options += f" -c {name}={value}"
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            options,
            "-w",
            "start",
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                self._run(
                    str(self.bin / "createdb"),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(self.port),
                    "-U",
                    "postgres",
                    "minwon",
                )
                break
            except subprocess.CalledProcessError as exc:
                if b"already exists" in exc.stderr:
                    break
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        return self

    def stop(self, *, fast: bool = False) -> None:
        """Stop the server: immediately (a throw-away one), or ``fast`` — a clean shutdown
        with a checkpoint, for a data directory that is kept (it runs with fsync off)."""
        mode = "fast" if fast else "immediate"
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)


@contextlib.contextmanager
def running(**kwargs: object) -> Iterator[PostgresServer]:
    server = PostgresServer(**kwargs).start()  # type: ignore[arg-type]
    try:
        yield server
    finally:
        server.destroy()
