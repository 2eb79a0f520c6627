"""Health board: the Patroni cluster and its etcd read from Patroni's REST API, edges that
stop reporting turn red, and colours remember since when."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from minwon.kernel import clock, execute
from minwon.kernel.types import Actor, Channel
from minwon.ops import health
from minwon.ops.commands import ReportEdgeStatus
from minwon.ops.models import ComponentState
from tests.conftest import WONJU

CLUSTER: dict[str, Any] = {
    "members": [
        {"name": "pg1", "role": "leader", "state": "running", "lag": 0},
        {"name": "pg2", "role": "sync_standby", "state": "streaming", "lag": 0},
    ]
}


class Patroni(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = (
            CLUSTER
            if self.path == "/cluster"
            else {"state": "running", "dcs_last_seen": int(time.time())}
        )
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def patroni_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Patroni)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_cluster_and_etcd_from_patroni(patroni_url: str) -> None:
    now = clock.now()
    cluster, etcd = health.cluster([patroni_url], now)
    assert (cluster.status, etcd.status) == ("green", "green")
    assert "pg1" in cluster.detail
    CLUSTER["members"][1]["state"] = "stopped"
    try:
        cluster, _ = health.cluster([patroni_url], now)
        assert cluster.status == "amber"
    finally:
        CLUSTER["members"][1]["state"] = "streaming"
    cluster, etcd = health.cluster(["http://127.0.0.1:9"], now)
    assert (cluster.status, etcd.status) == ("red", "red")


@pytest.mark.django_db
def test_edges_and_since_when(jurisdictions_loaded: None) -> None:
    t0 = clock.now()
    with clock.frozen_at(t0):
        execute(ReportEdgeStatus(actor=Actor.system("edge"), channel=Channel.EDGE, jurisdiction=WONJU,
                                 edge_id="wonju-1", office=WONJU, mode="online"))  # fmt: skip
        board = {c.key: c for c in health.board(use_cache=False)}
        assert board["edge:wonju-1"].status == "green"
        health.observe(list(board.values()))
    assert ComponentState.objects.get(pk="backup").status == "red"
    with clock.frozen_at(t0 + timedelta(minutes=30)):
        board = {c.key: c for c in health.board(use_cache=False)}
        assert board["edge:wonju-1"].status == "red"  # no report for 30 minutes
        assert "보고 없음" in board["edge:wonju-1"].detail
        assert board["backup"].since == t0  # still red, since the first time it was seen red
