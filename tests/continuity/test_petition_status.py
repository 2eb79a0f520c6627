"""During an outage the counter tells a citizen where their petition stands: the edge
replicates the office's open petitions through the change feed (its own copies of
applications it received give way to central's), drops the ones closed on central, and
its status page answers from the replica in continuity mode. Real processes."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pytest

from minwon.continuity.feed import LOCAL_ID_BASE
from minwon.kernel import formats

from .harness import WONJU, Cluster, cluster

pytestmark = pytest.mark.slow

EDGE = "wonju-p"


def _replica(db: Path) -> dict[str, tuple[int, str]]:
    """receipt number -> (application id, state of its first petition) on the edge."""
    with sqlite3.connect(db) as edge:
        return {
            number: (pk, state)
            for pk, number, state in edge.execute(
                "SELECT a.id, a.receipt_number, p.state FROM petitions_application a"
                " JOIN petitions_petition p ON p.application_id = a.id AND p.seq = 1"
            )
        }


def _submit(c: Cluster, name: str) -> str:
    status, body = c.counter(
        EDGE,
        "SubmitApplication",
        {"items": [{"type_code": "GRIEVANCE"}], "applicant_name": name,
         "applicant_birth": "1980-01-01"},
    )  # fmt: skip
    assert status == 200, body
    return str(body["result"]["receipt_number"])


def test_open_petition_status_at_the_counter_during_an_outage(tmp_path: Path) -> None:
    with cluster(tmp_path, {EDGE: WONJU}, persons=2) as c:
        c.setup_central()
        c.start_central()
        c.start_proxy()
        c.start_edge(EDGE, fake_clock=False)
        edge_db = tmp_path / EDGE / "db.sqlite3"
        kept, withdrawn = _submit(c, "김계속"), _submit(c, "이취하")
        assert all(pk >= LOCAL_ID_BASE for pk, _ in _replica(edge_db).values())

        # Withdrawn on the counter (normal mode: it reaches central); central's copies of
        # both arrive with the feed, and the withdrawn one leaves the replica.
        status, body = c.counter(EDGE, "WithdrawPetition", {"receipt_number": withdrawn})
        assert status == 200, body
        deadline = time.monotonic() + 90
        replica = _replica(edge_db)
        while time.monotonic() < deadline and (
            set(replica) != {kept} or replica[kept][0] >= LOCAL_ID_BASE
        ):
            time.sleep(0.5)
            replica = _replica(edge_db)
        assert set(replica) == {kept} and replica[kept][0] < LOCAL_ID_BASE, replica
        ((central_id,),) = c.central_rows(
            "SELECT id FROM petitions_application WHERE receipt_number = ?", (kept,)
        )
        assert replica[kept] == (central_id, "received")

        c.cut()
        c.wait_mode(EDGE, "continuity")
        clerk = c.staff_session(EDGE)
        status, html = clerk.get("/staff/continuity/petitions/?receipt=" + quote(kept))
        assert status == 200, html[-2000:]
        assert f'data-testid="receipt-number">{kept}<' in html
        assert "고충민원" in html and "민원여권과" in html  # type and department
        ((deadline_at,),) = c.central_rows(
            "SELECT p.deadline_at FROM petitions_petition p JOIN petitions_application a"
            " ON a.id = p.application_id WHERE a.receipt_number = ?",
            (kept,),
        )
        due = datetime.fromisoformat(str(deadline_at))
        due = due if due.tzinfo else due.replace(tzinfo=UTC)  # SQLite: naive UTC text
        assert formats.instant(due, "ko") in html  # the deadline (처리기한), in Seoul words
        assert "접수" in html and 'class="state state-received"' in html
        assert 'id="continuity-banner"' in html and 'data-mode="continuity"' in html
        # The banner links the look-up; the withdrawn petition is not in the replica.
        assert "/staff/continuity/petitions/" in clerk.get("/staff/certificates/")[1]
        status, html = clerk.get("/staff/continuity/petitions/?receipt=" + quote(withdrawn))
        assert status == 404 and "중앙 시스템" in html
        status, html = clerk.get("/staff/continuity/petitions/?receipt=51130-260309-XXXX")
        assert status == 400 and "접수번호 형식" in html
