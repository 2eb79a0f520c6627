"""Kill the edge process (SIGKILL) in the middle of journal writes and restart it: every
command the counter was told succeeded is still in the journal."""

from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from http.client import HTTPException
from pathlib import Path

import pytest

from .harness import WONJU, cluster

pytestmark = pytest.mark.slow


def test_acknowledged_commands_survive_sigkill(tmp_path: Path) -> None:
    with cluster(tmp_path, {"wonju-k": WONJU}, persons=2) as c:
        c.setup_central()
        c.start_central()
        c.start_proxy()
        c.start_edge("wonju-k", fake_clock=False)
        c.cut()
        c.wait_mode("wonju-k", "continuity")
        acked: list[str] = []
        stop = threading.Event()

        def writer() -> None:
            while not stop.is_set():
                cid = str(uuid.uuid4())
                try:
                    status, body = c.counter(
                        "wonju-k",
                        "SubmitApplication",
                        {
                            "command_id": cid,
                            "items": [{"type_code": "GRIEVANCE"}],
                            "applicant_name": "홍길동",
                            "applicant_birth": "1980-01-01",
                        },
                    )
                except (OSError, HTTPException):
                    return  # the edge died under us: this one was never acknowledged
                if status == 200 and body:  # a status line without its body: not an answer
                    acked.append(body["command_id"])

        threads = [threading.Thread(target=writer) for _ in range(3)]
        for t in threads:
            t.start()
        time.sleep(4)
        os.kill(c.procs["wonju-k"].pid, signal.SIGKILL)
        stop.set()
        for t in threads:
            t.join()
        c.procs.pop("wonju-k").wait()
        assert len(acked) > 20
        c.start_edge("wonju-k", fake_clock=False)
        from .harness import http

        status, body = http(
            "GET",
            c.edge_url("wonju-k", "/api/continuity/journal"),
            token=c.secrets["tokens"]["wonju-k"],
        )
        assert status == 200, body
        journal = set(body["ids"])
        assert [cid for cid in acked if cid not in journal] == []
        # And once central is back, every one of them reaches it.
        c.heal()
        c.wait_mode("wonju-k", "normal", timeout=120)
        assert c.edge_state("wonju-k")["pending"] == 0
