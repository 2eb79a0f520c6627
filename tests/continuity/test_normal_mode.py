"""Normal mode at an edge: a counter command runs on the edge's replica, reaches central
within moments, and the next change feed replaces the edge's own copy of the rows it
made (local-range ids) with central's, with no agent round failing on the way."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from minwon.continuity.feed import LOCAL_ID_BASE
from minwon.kernel import clock

from .harness import WONJU, cluster

pytestmark = pytest.mark.slow


def _open_memberships(db: Path, person: int) -> list[int]:
    with sqlite3.connect(db) as edge:
        return [
            r[0]
            for r in edge.execute(
                "SELECT id FROM registry_householdmember WHERE person_id = ? AND left_on IS NULL",
                [person],
            )
        ]


def test_normal_mode_command_reaches_central_and_replica_converges(tmp_path: Path) -> None:
    with cluster(tmp_path, {"wonju-n": WONJU}, persons=3) as c:
        c.setup_central()
        c.start_central()
        c.start_proxy()
        c.start_edge("wonju-n", fake_clock=False)
        residents = c.secrets["residents"][WONJU]
        mover = residents[1]["person_id"]
        status, body = c.counter(
            "wonju-n",
            "ReportMoveIn",
            {
                "movers": [{"person_id": mover, "relationship": "cohabitant"}],
                "household_id": residents[0]["household_id"],
                "moved_in_on": clock.now().date().isoformat(),
            },
        )
        assert status == 200 and body["mode"] == "normal", body
        edge_db = tmp_path / "wonju-n" / "db.sqlite3"
        (local,) = _open_memberships(edge_db, mover)
        assert local >= LOCAL_ID_BASE  # made on the edge, in its own id range

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            ids = _open_memberships(edge_db, mover)
            if c.edge_state("wonju-n")["pending"] == 0 and ids and ids[0] < LOCAL_ID_BASE:
                break
            time.sleep(0.25)
        assert c.edge_state("wonju-n")["pending"] == 0
        command = body["command_id"].replace("-", "")
        assert c.central_rows(
            "SELECT name FROM kernel_commandrecord WHERE command_id = ?", (command,)
        ) == [("ReportMoveIn",)]
        ((central_id,),) = c.central_rows(
            "SELECT id FROM registry_householdmember WHERE person_id = ? AND left_on IS NULL",
            (mover,),
        )
        assert _open_memberships(edge_db, mover) == [central_id]  # central's row, once
        assert c.edge_state("wonju-n")["mode"] == "normal"
        assert "round failed" not in (tmp_path / "wonju-n.log").read_text()
