"""임시공휴일 and open deadlines: declaring a day off moves every open deadline whose window
holds it, records the change on each petition (staff page and public tracking), and
withdrawing it moves them back. The clock is frozen; the days are fixed (2026-11-30 is a
Monday)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest

from minwon.kernel import clock, execute
from minwon.kernel.clock import local
from minwon.kernel.commands import DeclareHoliday
from minwon.kernel.errors import Conflict
from minwon.kernel.models import CommandRecord
from minwon.kernel.types import NATION, Actor, Channel
from minwon.petitions import deadlines, tracking
from minwon.petitions.models import Petition, PetitionStep
from tests.petitions.conftest import at

pytestmark = pytest.mark.django_db
ADMIN = Actor.system("admin-test")


def declare(day: date, name: str = "임시공휴일", *, withdraw: bool = False, **extra: Any) -> Any:
    with clock.frozen_at(at("2026-12-01T09:30")):
        return execute(
            DeclareHoliday(
                actor=ADMIN, channel=Channel.ONLINE, jurisdiction=NATION, day=day, name=name,
                withdraw=withdraw, **extra,
            )
        )  # fmt: skip


def petition_of(result: dict[str, Any]) -> Petition:
    return Petition.objects.select_related("application").get(
        application__receipt_number=result["receipt_number"], seq=1
    )


def test_the_issues_case_the_date_moves_and_the_hours_left_stay(
    apply: Callable[..., dict[str, Any]],
) -> None:
    """Before: declaring 12월 3일 took 8 hours off the remaining time and left the date."""
    filed = petition_of(apply("GRIEVANCE", when="2026-11-30T10:00"))  # 7일: days regime
    assert local(filed.deadline_at) == at("2026-12-08T18:00")
    now = at("2026-12-01T09:30")
    left_before = deadlines.working_hours_left(filed.deadline_at, now)
    declare(date(2026, 12, 3))
    moved = petition_of({"receipt_number": filed.application.receipt_number})
    assert local(moved.deadline_at) == at("2026-12-09T18:00")
    assert deadlines.working_hours_left(moved.deadline_at, now) == left_before
    step = PetitionStep.objects.get(petition=moved, action="calendar_change")
    assert step.public_note == "임시공휴일 지정으로 처리기한 변경: 12월 8일 → 12월 9일"
    assert local(step.deadline_at) == at("2026-12-09T18:00")  # type: ignore[arg-type]


def test_an_hours_regime_deadline_keeps_its_hour(apply: Callable[..., dict[str, Any]]) -> None:
    filed = petition_of(apply("LAND_MERGE", when="2026-11-30T10:00"))  # 5일 = 40 working hours
    assert local(filed.deadline_at) == at("2026-12-07T10:00")
    declare(date(2026, 12, 2))
    moved = petition_of({"receipt_number": filed.application.receipt_number})
    assert local(moved.deadline_at) == at("2026-12-08T10:00")
    step = PetitionStep.objects.get(petition=moved, action="calendar_change")
    assert step.public_note == "임시공휴일 지정으로 처리기한 변경: 12월 7일 10:00 → 12월 8일 10:00"


def test_only_open_petitions_whose_window_holds_the_day_move(
    apply: Callable[..., dict[str, Any]], act: Callable[..., dict[str, Any]], officer: Any
) -> None:
    holding = petition_of(apply("GRIEVANCE", when="2026-11-30T10:00"))
    before = petition_of(apply("GRIEVANCE", when="2026-11-20T10:00"))  # due 11-30 18:00
    after = petition_of(apply("GRIEVANCE", when="2026-12-09T10:00"))  # received after the day
    decided = petition_of(apply("GRIEVANCE", when="2026-11-30T11:00"))
    number = decided.application.receipt_number
    act(officer, "assign", number, when="2026-11-30T13:00")
    act(officer, "start-review", number, when="2026-11-30T13:30")
    act(officer, "decide", number, when="2026-11-30T14:00", outcome="approved")
    decided.refresh_from_db()
    frozen = {p.pk: p.deadline_at for p in (before, after, decided)}
    result = declare(date(2026, 12, 7))
    for p in (before, after, decided):
        p.refresh_from_db()
        assert p.deadline_at == frozen[p.pk]
        assert not PetitionStep.objects.filter(petition=p, action="calendar_change").exists()
    holding.refresh_from_db()
    assert local(holding.deadline_at) == at("2026-12-09T18:00")
    steps = PetitionStep.objects.filter(action="calendar_change")
    assert [s.petition_id for s in steps] == [holding.pk]
    assert steps[0].command_id == result.command_id


def test_withdrawing_moves_them_back_and_a_replay_moves_nothing(
    apply: Callable[..., dict[str, Any]],
) -> None:
    filed = petition_of(apply("GRIEVANCE", when="2026-11-30T10:00"))
    first = declare(date(2026, 12, 3))
    replay = declare(date(2026, 12, 3), command_id=first.command_id)
    assert replay.replayed
    assert PetitionStep.objects.filter(petition=filed, action="calendar_change").count() == 1
    declare(date(2026, 12, 3), name="", withdraw=True)
    filed.refresh_from_db()
    assert local(filed.deadline_at) == at("2026-12-08T18:00")
    notes = list(
        PetitionStep.objects.filter(petition=filed, action="calendar_change").values_list(
            "public_note", flat=True
        )
    )
    assert notes == [
        "임시공휴일 지정으로 처리기한 변경: 12월 8일 → 12월 9일",
        "임시공휴일 지정 취소로 처리기한 변경: 12월 9일 → 12월 8일",
    ]


def test_the_public_tracking_shows_the_change(apply: Callable[..., dict[str, Any]]) -> None:
    filed = apply("GRIEVANCE", when="2026-11-30T10:00")
    declare(date(2026, 12, 3))
    petition = petition_of(filed)
    view = tracking.public_view(petition.application)
    (item,) = view["petitions"]
    assert local(datetime.fromisoformat(item["deadline_at"])) == at("2026-12-09T18:00")
    change = [s for s in item["steps"] if s["action"] == "calendar_change"]
    assert change[0]["note"] == "임시공휴일 지정으로 처리기한 변경: 12월 8일 → 12월 9일"
    assert change[0]["action_label"] == "처리기한 변경(공휴일)"


def test_a_day_already_closed_or_never_declared_changes_nothing(
    apply: Callable[..., dict[str, Any]],
) -> None:
    apply("GRIEVANCE", when="2026-11-30T10:00")
    with pytest.raises(Conflict) as closed:
        declare(date(2026, 12, 5))  # a Saturday
    assert closed.value.field == "day"
    with pytest.raises(Conflict) as never:
        declare(date(2026, 12, 3), name="", withdraw=True)
    assert never.value.field == "day"
    assert not CommandRecord.objects.filter(name="DeclareHoliday").exists()
    assert not PetitionStep.objects.filter(action="calendar_change").exists()


def test_renaming_a_declared_day_moves_nothing_again(apply: Callable[..., dict[str, Any]]) -> None:
    filed = petition_of(apply("GRIEVANCE", when="2026-11-30T10:00"))
    declare(date(2026, 12, 3), "선거일")
    declare(date(2026, 12, 3), "제9회 전국동시지방선거일")
    filed.refresh_from_db()
    assert local(filed.deadline_at) == at("2026-12-09T18:00")
    assert PetitionStep.objects.filter(petition=filed, action="calendar_change").count() == 1
