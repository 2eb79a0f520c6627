"""Three scripted days of counter work at two edge nodes of one office while central is
cut off, then healing: nothing lost, nothing duplicated, every conflict queued, deadlines
from the original reception times. Real processes (central, proxy, two edges)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import pytest

from minwon.kernel import clock

from .harness import WONJU, cluster

pytestmark = pytest.mark.slow

SEOUL = ZoneInfo("Asia/Seoul")
PER_EDGE = 2_520  # x2 edges, plus move-ins: over 5,000 commands


def _utc(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace(" ", "T"))
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo("UTC"))


def _anchor() -> datetime:
    """09:00 KST on the last working day at least four calendar days ago: the scripted days
    lie wholly in the past whatever the hour, weekday or holiday the suite runs on."""
    day = clock.now().date() - timedelta(days=4)
    closed = holidays.country_holidays("KR", years=range(day.year - 1, day.year + 1))
    while day.weekday() >= 5 or day in closed:
        day -= timedelta(days=1)
    return datetime(day.year, day.month, day.day, 9, tzinfo=SEOUL)


def _work(
    c: Any,
    edge: str,
    start: datetime,
    residents: list[dict[str, int]],
    side: int,
    out: dict[str, Any],
) -> None:
    """One edge's three days from ``start``: applications all day, move-ins on the second
    day — ten of them the same movers into the same household as the other edge
    (conflicts)."""
    acked: list[tuple[str, dict[str, Any]]] = []
    per_day = PER_EDGE // 3
    for day in range(3):
        c.set_clock(edge, (start + timedelta(days=day)).isoformat())
        for n in range(per_day):
            status, body = c.counter(
                edge,
                "SubmitApplication",
                {
                    "items": [{"type_code": "GRIEVANCE"}],
                    "applicant_name": f"민원인{side}-{day}-{n}",
                    "applicant_birth": "1980-01-01",
                },
            )
            assert status == 200, body
            acked.append(("SubmitApplication", body))
            if day == 1 and n < 20:
                if n < 10:  # the conflict: both edges move person n into household 50
                    move = {
                        "movers": [
                            {"person_id": residents[n]["person_id"], "relationship": "cohabitant"}
                        ],
                        "household_id": residents[50]["household_id"],
                    }
                else:  # each edge its own movers, into a new household
                    person = residents[20 + side * 10 + (n - 10)]["person_id"]
                    move = {
                        "movers": [{"person_id": person, "relationship": "head"}],
                        "road_address": f"새주소 {side}-{n}",
                        "address_code": "5113025000",
                    }
                move["moved_in_on"] = (start + timedelta(days=day)).date().isoformat()
                status, body = c.counter(edge, "ReportMoveIn", move)
                assert status == 200, body
                acked.append(("ReportMoveIn", body))
    out[edge] = acked


def test_three_days_partitioned_then_healed(tmp_path: Path) -> None:
    offices = {"wonju-a": WONJU, "wonju-b": WONJU}
    with cluster(tmp_path, offices, persons=60) as c:
        c.setup_central()
        c.start_central()
        c.start_proxy()
        for edge in offices:
            c.start_edge(edge)
        c.cut()
        for edge in offices:
            assert c.wait_mode(edge, "continuity") < 2.0
        residents = c.secrets["residents"][WONJU]
        start = _anchor()
        out: dict[str, Any] = {}
        threads = [
            threading.Thread(target=_work, args=(c, edge, start, residents, side, out))
            for side, edge in enumerate(offices)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        acked = [item for edge in offices for item in out[edge]]
        assert len(acked) >= 5_000
        for edge in offices:
            assert c.edge_state(edge)["pending"] > 0
        c.heal()
        for edge in offices:
            c.wait_mode(edge, "normal", timeout=600)
            assert c.edge_state(edge)["pending"] == 0

        done = {r[0] for r in c.central_rows("SELECT command_id FROM kernel_commandrecord")}
        queued = {
            r[0]: r[1]
            for r in c.central_rows("SELECT command_id, name FROM continuity_reconciliationitem")
        }
        ids = [body["command_id"].replace("-", "") for _, body in acked]
        assert len(set(ids)) == len(ids)
        lost = [i for i in ids if i not in done and i not in queued]
        assert lost == []  # 0 lost
        # Every conflict is in the queue: exactly one of each pair of same-person move-ins.
        assert sorted(queued.values()) == ["ReportMoveIn"] * 10
        # 0 duplicated, same receipt numbers, deadlines from the original reception.
        found = c.central_rows(
            "SELECT a.receipt_number, a.received_at, p.deadline_at FROM petitions_application a "
            "JOIN petitions_petition p ON p.application_id = a.id"
        )
        rows = {r[0]: (*r[1:], sum(1 for o in found if o[0] == r[0])) for r in found}
        apps = [body["result"] for name, body in acked if name == "SubmitApplication"]
        assert len(rows) == len(apps)
        for result in apps:
            received, deadline, count = rows[result["receipt_number"]]
            assert count == 1
            assert _utc(received) == datetime.fromisoformat(result["received_at"])
            assert _utc(deadline) == datetime.fromisoformat(result["petitions"][0]["deadline_at"])
            # Received at the edge's scripted time, not when central applied it.
            received_at = datetime.fromisoformat(result["received_at"])
            assert start <= received_at < start + timedelta(days=2, hours=12)
