"""Backups and point-in-time recovery with pgBackRest (issue 6, "Backups").

The repository (``<cluster>/backup-repo``) stands for the other site: in production it is a
directory on the DR site's storage or an object store (deploy/pgbackrest/). Every WAL segment
is archived there by the primary's ``archive_command`` (``archive_timeout`` 60 s bounds the
archive's lag), so any moment since the oldest kept full backup can be restored:
``minwon restore --to <timestamp>`` replays a base backup plus WAL up to that moment onto a
*fresh* data directory and starts it beside the cluster — never over a running node, so a
drill or a mistaken target cannot damage production.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import zoneinfo
from datetime import UTC, datetime
from pathlib import Path

from minwon.ha.cluster import Cluster, ClusterError, _as_postgres, _chown
from minwon.testing.pgserver import pg_bin

SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")
BACKUP_TYPES = ("full", "diff", "incr")


def parse_target(text: str) -> datetime:
    """An ISO 8601 moment; without an offset it is Korean time (Asia/Seoul)."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise ClusterError(
            f"--to: not an ISO 8601 time: {text!r} (e.g. 2026-11-20T11:59:00+09:00)"
        ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SEOUL)
    return moment


def backup(cluster: Cluster, kind: str = "full") -> str:
    """Take a backup from the current primary; returns pgBackRest's summary."""
    if kind not in BACKUP_TYPES:
        raise ClusterError(f"--type must be one of {', '.join(BACKUP_TYPES)}")
    cluster.pgbackrest("stanza-create", check=False)
    cluster.pgbackrest(f"--type={kind}", "backup", timeout=3600)
    return info(cluster)


def flush_wal(cluster: Cluster) -> None:
    """Close the current WAL segment and wait until it is in the repository (``check``
    forces a switch and waits for the archive), so everything committed so far can be
    restored — what an operator does before a planned drill or shutdown."""
    cluster.pgbackrest("check", timeout=120)


def info(cluster: Cluster) -> str:
    return cluster.pgbackrest("info").stdout


def restore(
    cluster: Cluster,
    *,
    target: datetime,
    target_dir: Path,
    port: int,
    start: bool = True,
    timeout: float = 300,
) -> Path:
    """Restore the cluster as it was at ``target`` into ``target_dir`` (which must not hold
    a database) and, with ``start``, run it on 127.0.0.1:``port`` as a promoted primary
    with archiving off (a restored copy must never write into the production archive)."""
    data = target_dir / "data"
    if data.exists() and any(data.iterdir()):
        raise ClusterError(f"--target-dir: {data} is not empty; restore needs a fresh directory")
    data.mkdir(parents=True, exist_ok=True)
    for path in (target_dir, data):
        _chown(path)
    os.chmod(data, 0o700)
    stamp = target.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f+00")
    cluster.pgbackrest(
        f"--pg1-path={data}",
        "--type=time",
        f"--target={stamp}",
        "--target-action=promote",
        "--archive-mode=off",
        "restore",
        timeout=timeout,
    )
    if start:
        start_restored(target_dir, port, timeout=timeout)
    return data


def start_restored(target_dir: Path, port: int, *, timeout: float = 300) -> None:
    """Start a restored data directory and wait until recovery reached its target and the
    server was promoted (it then accepts writes)."""
    import psycopg

    data = target_dir / "data"
    binary = pg_bin()
    if binary is None:
        raise ClusterError("PostgreSQL binaries not found")
    options = (
        f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={target_dir} "
        f"-c archive_mode=off -c synchronous_standby_names='' "
        f"-c hba_file={data / 'pg_hba.conf'} -c ident_file={data / 'pg_ident.conf'}"
    )
    subprocess.run(
        [str(binary / "pg_ctl"), "-D", str(data), "-l", str(target_dir / "postgres.log"),
         "-o", options, "-w", "-t", str(int(timeout)), "start"],
        check=True, capture_output=True, cwd=target_dir, **_as_postgres(),
    )  # fmt: skip
    deadline = time.monotonic() + timeout
    while True:
        try:
            with psycopg.connect(
                host="127.0.0.1", port=port, user="postgres", dbname="postgres", connect_timeout=3
            ) as conn:
                row = conn.execute("SELECT pg_is_in_recovery()").fetchone()
                if row is not None and not row[0]:
                    return
        except psycopg.OperationalError:
            pass
        if time.monotonic() > deadline:
            raise ClusterError(f"restored server did not finish recovery; see {target_dir}")
        time.sleep(0.5)


def stop_restored(target_dir: Path, *, destroy: bool = False) -> None:
    binary = pg_bin()
    data = target_dir / "data"
    if binary is not None and (data / "postmaster.pid").exists():
        subprocess.run(
            [str(binary / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
            check=False, capture_output=True, cwd="/", **_as_postgres(),
        )  # fmt: skip
    if destroy:
        shutil.rmtree(target_dir, ignore_errors=True)
