"""System grades and continuity plans checked against what the system observes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from minwon.kernel import clock, execute
from minwon.kernel.types import NATION, Actor, Channel
from minwon.ops import plans
from minwon.ops.commands import RecordBackup, RecordDrill, SetServicePlan
from minwon.ops.models import ServicePlan

SYSTEM = Actor.system("test")
NOW = datetime(2026, 3, 16, 11, 0, tzinfo=clock.SEOUL)
COMPLETE = dict(
    manual_fallback="수기 발급대장",
    alternative_channels="창구",
    retroactive_entry="소급 반영",
    owner="과장",
)


def plan(
    key: str = "certificates", grade: int = 1, rto: int = 60, rpo: int = 0, **fields: Any
) -> None:
    execute(SetServicePlan(actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=NATION, key=key, name="증명서 발급",
                           grade=grade, rto_minutes=rto, rpo_minutes=rpo, **{**COMPLETE, **fields}))  # fmt: skip


def codes(facts: dict[str, Any], key: str = "certificates") -> set[str]:
    return {v.code for v in plans.check_plan(ServicePlan.objects.get(pk=key), facts, NOW)}


@pytest.mark.django_db
def test_grade_one_without_synchronous_replication_is_a_violation() -> None:
    plan()
    execute(RecordDrill(actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=NATION, key="certificates",
                        drilled_at=NOW - timedelta(days=10), note="분기 훈련"))  # fmt: skip
    healthy = {"synchronous": True, "app_processes": 2, "last_backup": NOW - timedelta(hours=3)}
    assert codes(healthy) == set()
    assert codes({**healthy, "synchronous": False}) == {"sync_replication"}
    # A grade-3 service does not need it.
    plan(key="portal", grade=3, rto=600, rpo=600)
    assert "sync_replication" not in codes(
        {**healthy, "synchronous": False, "last_backup": NOW - timedelta(hours=1)}, "portal"
    )


@pytest.mark.django_db
def test_backup_older_than_rpo_old_drill_and_incomplete_plan() -> None:
    plan(key="petitions", grade=2, rto=240, rpo=60, owner="")
    facts = {"synchronous": False, "app_processes": 2, "last_backup": NOW - timedelta(hours=2)}
    assert codes(facts, "petitions") == {"backup", "drill", "plan_incomplete"}
    execute(RecordDrill(actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=NATION, key="petitions",
                        drilled_at=NOW - timedelta(days=120), note="작년 훈련"))  # fmt: skip
    assert "drill" in codes(facts, "petitions")
    plan(key="petitions", grade=2, rto=600, rpo=120)
    assert codes({**facts, "app_processes": 1}, "petitions") >= {"rto", "rpo", "redundancy"}


@pytest.mark.django_db
def test_violations_use_what_the_system_observes(client: Any, operator: Any) -> None:
    """On the embedded database there is no replication: the room shows the violation."""
    plan()
    with clock.frozen_at(NOW):
        execute(RecordBackup(actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=NATION, repository="repo1",
                             kind="full", ok=True, finished_at=NOW - timedelta(hours=1)))  # fmt: skip
        found = {v.code for v in plans.violations()}
    assert "sync_replication" in found
    assert "backup" not in found
    client.force_login(operator)
    room = client.get("/ops/live/health").content.decode()
    assert "동기 복제가 없습니다" in room
    body = client.get("/api/ops/services").json()
    assert any(v["code"] == "sync_replication" for v in body[0]["violations"])
    assert "동기 복제" in client.get("/ops/services/").content.decode()
