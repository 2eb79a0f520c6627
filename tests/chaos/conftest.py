"""Chaos fixtures: one real cluster (etcd + 3 Patroni/PostgreSQL nodes) and one app server on
it for the whole session, torn down even when a test fails."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from minwon.ha.cluster import Cluster, ClusterSpec
from minwon.ha.harness import AppServer, free_base_port
from minwon.testing.pgserver import free_port, pg_bin


def _missing() -> list[str]:
    missing = [name for name in ("etcd", "pgbackrest") if shutil.which(name) is None]
    if pg_bin() is None:
        missing.append("postgresql")
    try:
        import patroni  # noqa: F401
    except ImportError:
        missing.append("patroni")
    return missing


@pytest.fixture(scope="session")
def ha_cluster() -> Iterator[Cluster]:
    missing = _missing()
    if missing:
        pytest.skip(f"HA cluster needs: {', '.join(missing)}")
    base = Path(tempfile.mkdtemp(prefix="minwon-chaos-"))
    base.chmod(0o755)
    cluster = Cluster(ClusterSpec(base=base / "cluster", base_port=free_base_port()))
    try:
        cluster.up(timeout=180)
        yield cluster
    finally:
        cluster.down(destroy=True)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def ha_app(ha_cluster: Cluster) -> Iterator[AppServer]:
    var = Path(tempfile.mkdtemp(prefix="minwon-chaos-app-"))
    app = AppServer(ha_cluster, port=free_port(), var_dir=var)
    try:
        app.start()
        yield app
    finally:
        app.stop()
        shutil.rmtree(var, ignore_errors=True)
