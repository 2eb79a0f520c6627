"""Backup drill (issue 6): write, note the time, write more, restore to the noted time onto
a fresh data directory — exactly the earlier writes exist and the audit chain verifies."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from minwon.ha.backup import stop_restored
from minwon.ha.cluster import Cluster
from minwon.ha.harness import AppServer, write_probes
from minwon.testing.pgserver import free_port

pytestmark = pytest.mark.chaos


def _minwon(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "minwon.cli", *args],
        env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip


def test_point_in_time_restore_drill(ha_cluster: Cluster, ha_app: AppServer) -> None:
    env = dict(ha_app.env)
    done = _minwon("backup", "--dir", str(ha_cluster.base), env=env)
    assert done.returncode == 0, done.stderr
    assert (
        "full backup" in _minwon("backup", "--dir", str(ha_cluster.base), "--info", env=env).stdout
    )

    token = ha_app.token()
    client = f"drill-{os.getpid()}"
    before = write_probes(ha_app.port, token, client, range(0, 20))
    assert len(before) == 20
    time.sleep(1.5)
    noted = datetime.now(UTC)
    time.sleep(1.5)
    after = write_probes(ha_app.port, token, client, range(20, 40))
    assert len(after) == 20
    flushed = _minwon("backup", "--dir", str(ha_cluster.base), "--wal-only", env=env)
    assert flushed.returncode == 0, flushed.stderr

    # Under /tmp itself: pytest's tmp_path is private to root and PostgreSQL runs as postgres.
    scratch = Path(tempfile.mkdtemp(prefix="minwon-restore-"))
    scratch.chmod(0o755)
    target = scratch / "restored"
    port = free_port()
    try:
        restored = _minwon(
            "restore", "--dir", str(ha_cluster.base), "--to", noted.isoformat(),
            "--target-dir", str(target), "--port", str(port), env=env,
        )  # fmt: skip
        assert restored.returncode == 0, restored.stderr
        url = f"postgresql://postgres@127.0.0.1:{port}/{ha_cluster.spec.database}"
        with psycopg.connect(url) as conn:
            rows = conn.execute(
                "SELECT client, seq FROM ha_probewrite WHERE client = %s ORDER BY seq", (client,)
            ).fetchall()
        assert [tuple(r) for r in rows] == before
        verified = _minwon("audit", "verify", env={**env, "MINWON_DATABASE_URL": url})
        assert verified.returncode == 0, verified.stderr
        assert "OK" in verified.stdout

        # A restore never overwrites: the same directory is refused.
        again = _minwon(
            "restore", "--dir", str(ha_cluster.base), "--to", noted.isoformat(),
            "--target-dir", str(target), "--port", str(free_port()), env=env,
        )  # fmt: skip
        assert again.returncode != 0
        assert "not empty" in again.stderr
    finally:
        stop_restored(target, destroy=True)
        shutil.rmtree(scratch, ignore_errors=True)


def test_restore_refuses_a_time_that_is_not_a_time(
    ha_cluster: Cluster, ha_app: AppServer, tmp_path: Path
) -> None:
    bad = _minwon(
        "restore", "--dir", str(ha_cluster.base), "--to", "yesterday noon",
        "--target-dir", str(tmp_path / "x"), env=dict(ha_app.env),
    )  # fmt: skip
    assert bad.returncode != 0
    assert "ISO 8601" in bad.stderr
