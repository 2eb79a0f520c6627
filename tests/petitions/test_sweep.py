"""The sweep: the 30-day progress notice, reminders, escalation, per jurisdiction with
failures isolated, and no repeats on a second run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from minwon.notices.models import InboxMessage
from minwon.petitions import sweep
from minwon.petitions.models import Petition

from .conftest import JEONJU, WONJU, at

pytestmark = pytest.mark.django_db
Apply = Callable[..., dict[str, Any]]


def test_progress_notice_after_30_days_once(apply: Apply, citizen: Any) -> None:
    apply("INFO_DISCLOSURE", when="2026-03-02T10:00")
    before = InboxMessage.objects.count()
    report = sweep.run(now=at("2026-04-02T10:00"))
    assert report[WONJU]["progress"] == 1
    assert InboxMessage.objects.count() == before + 1
    assert sweep.run(now=at("2026-04-02T11:00"))[WONJU]["progress"] == 0
    assert Petition.objects.get().steps.filter(action="progress_notice").count() == 1


def test_reminder_then_escalation(apply: Apply) -> None:
    apply("GRIEVANCE", when="2026-03-09T10:00")  # due 03-17 18:00
    assert sweep.run(now=at("2026-03-17T11:00"))[WONJU]["reminders"] == 1
    assert sweep.run(now=at("2026-03-18T09:30"))[WONJU]["escalations"] == 1
    petition = Petition.objects.get()
    assert petition.reminded_at and petition.escalated_at
    # 11–12 and 13–18 on the 17th: the note says it in words, not "5.9시간".
    assert petition.steps.get(action="reminder").note == "처리기한까지 6시간 남음"
    assert sweep.run(now=at("2026-03-19T09:30"))[WONJU] == {
        "progress": 0,
        "reminders": 0,
        "escalations": 0,
    }


def test_one_jurisdiction_failing_does_not_stop_the_others(
    apply: Apply, monkeypatch: pytest.MonkeyPatch
) -> None:
    apply("GRIEVANCE", when="2026-03-09T10:00")
    apply("GRIEVANCE", when="2026-03-09T10:00", jurisdiction=JEONJU)
    real = sweep.sweep_jurisdiction

    def flaky(code: str, now: Any) -> dict[str, int]:
        if code == WONJU:
            raise RuntimeError("원주 database shard down")
        return real(code, now)

    monkeypatch.setattr(sweep, "sweep_jurisdiction", flaky)
    report = sweep.run(now=at("2026-03-18T09:30"))
    assert str(report[WONJU]).startswith("error")
    assert report[JEONJU]["escalations"] == 1


def test_management_command(apply: Apply, capsys: pytest.CaptureFixture[str]) -> None:
    from django.core.management import call_command

    apply("GRIEVANCE", when="2026-03-09T10:00")
    call_command("petitions_sweep", "--jurisdiction", WONJU)
    assert WONJU in capsys.readouterr().out
