"""The public tracking read model (``TrackingView``): the rows the subscribers keep through
a scripted life of several applications equal the rows ``tracking.rebuild`` builds from the
petitions, and what the tracking API answers comes from that row."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client

from minwon.accounts.models import User
from minwon.kernel import clock, execute
from minwon.kernel.commands import DeclareHoliday
from minwon.kernel.types import NATION, Actor, Channel
from minwon.petitions import catalog, receipts, tracking
from minwon.petitions.commands import LoadPetitionCatalog
from minwon.petitions.models import Application, TrackingView
from tests.petitions.conftest import JEONJU, SYSTEM, at

pytestmark = pytest.mark.django_db
Apply = Callable[..., dict[str, Any]]
Act = Callable[..., dict[str, Any]]


def rows() -> list[dict[str, Any]]:
    return list(TrackingView.objects.order_by("receipt_number").values())


def built() -> list[dict[str, Any]]:
    """The rows as a rebuild would write them now, without writing them."""
    views = tracking.build(Application.objects.values_list("pk", flat=True))
    fields = [f.attname for f in TrackingView._meta.concrete_fields]
    return sorted(({f: getattr(v, f) for f in fields} for v in views),
                  key=lambda r: r["receipt_number"])  # fmt: skip


def scripted_life(apply: Apply, act: Act, officer: User, citizen: User) -> list[str]:
    """Every kind of command that changes what the public sees, over four applications;
    after each, the rows the events kept are the rows a rebuild would write."""
    real = {"apply": apply, "act": act}

    def checked(name: str) -> Callable[..., dict[str, Any]]:
        def run(*args: Any, **kwargs: Any) -> dict[str, Any]:
            value = real[name](*args, **kwargs)
            assert rows() == built(), (args, kwargs)
            return value

        return run

    apply, act = checked("apply"), checked("act")
    full = apply("INFO_DISCLOSURE", "GRIEVANCE")["receipt_number"]
    act(officer, "assign", full, officer_id=officer.pk, when="2026-03-09T11:00")
    act(officer, "start-review", full, when="2026-03-09T13:00")
    act(officer, "request-supplement", full, items_needed=["청구 대상 기간"],
        due_date=date(2026, 3, 16), when="2026-03-10T15:00")  # fmt: skip
    act(citizen, "supplement", full, note="2025년 1~12월", when="2026-03-13T11:00")
    act(officer, "extend", full, period="10d", reason="제3자 의견 청취", when="2026-03-13T14:00")
    act(officer, "decide", full, outcome="approved", when="2026-03-16T10:00")
    act(officer, "deliver", full, method="online", when="2026-03-16T11:00")
    moved = apply("GRIEVANCE")["receipt_number"]
    act(officer, "transfer", moved, to=JEONJU, reason="전주시 관할 시설", when="2026-03-12T15:00")
    dropped = apply("GRIEVANCE", when="2026-03-10T09:00")["receipt_number"]
    act(citizen, "withdraw", dropped, reason="해결됨", when="2026-03-10T10:00")
    waiting = apply("GRIEVANCE", when="2026-03-11T09:00")["receipt_number"]
    with clock.frozen_at(at("2026-03-11T09:30")):
        execute(DeclareHoliday(actor=Actor.system("admin-test"), channel=Channel.ONLINE,
                               jurisdiction=NATION, day=date(2026, 3, 17), name="임시공휴일"))  # fmt: skip
    assert rows() == built()
    data = catalog.read()
    renamed = [dict(t, name="고충 민원(개칭)") if t["code"] == "GRIEVANCE" else t
               for t in data["types"]]  # fmt: skip
    execute(LoadPetitionCatalog(actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction="0000000000",
                                version="renamed", types=renamed))  # fmt: skip
    return [full, moved, dropped, waiting]


def test_rows_kept_by_events_equal_a_rebuild(
    apply: Apply, act: Act, officer: User, citizen: User, make_staff: Callable[..., User]
) -> None:
    make_staff("officer", JEONJU)
    numbers = scripted_life(apply, act, officer, citizen)
    kept = rows()
    assert kept == built()
    assert [r["receipt_number"] for r in kept] == sorted(numbers)
    assert tracking.rebuild() == len(numbers)
    assert rows() == kept
    full = next(r for r in kept if r["receipt_number"] == numbers[0])
    actions = [s["action"] for s in full["petitions"][0]["steps"]]
    assert actions == ["received", "assign", "start_review", "request_supplement", "supplement",
                       "extend", "decide", "deliver"]  # fmt: skip
    waiting = next(r for r in kept if r["receipt_number"] == numbers[3])
    assert waiting["petitions"][0]["type_name"] == "고충 민원(개칭)"
    assert waiting["petitions"][0]["steps"][-1]["action"] == "calendar_change"
    moved = next(r for r in kept if r["receipt_number"] == numbers[1])
    assert [p["state"] for p in moved["petitions"]] == ["transferred", "received"]


def test_the_row_holds_no_clear_personal_data(apply: Apply, clerk: User) -> None:
    from tests.petitions.conftest import actor

    number = apply("GRIEVANCE", who=actor(clerk), channel=Channel.COUNTER,
                   applicant_name="박 서류", applicant_birth=date(1980, 5, 6))["receipt_number"]  # fmt: skip
    row = TrackingView.objects.get(pk=number)
    text = repr(list(TrackingView.objects.filter(pk=number).values()))
    assert "박" not in text and "1980" not in text
    assert row.factor == tracking.factor_digest("박서류", date(1980, 5, 6))
    client = Client()
    by_name = {"name": "박서류", "birth_date": "1980-05-06"}
    answer = client.post(f"/api/track/{number}", by_name, content_type="application/json")
    assert answer.status_code == 200
    assert answer.json()["petitions"][0]["state"] == "received"
    wrong = client.post(f"/api/track/{number}", {"name": "박서류", "birth_date": "1980-05-07"},
                        content_type="application/json")  # fmt: skip
    assert wrong.status_code == 404


def test_a_missing_row_is_not_found_even_with_the_right_pin(apply: Apply) -> None:
    number = apply("GRIEVANCE")["receipt_number"]
    TrackingView.objects.filter(pk=number).delete()
    answer = Client().post(f"/api/track/{number}", {"pin": receipts.pin_for(number)},
                           content_type="application/json")  # fmt: skip
    assert answer.status_code == 404


def test_the_data_migration_fills_the_rows_of_existing_applications(apply: Apply) -> None:
    """The migration builds the rows with its historical models, as a rebuild does."""
    import importlib

    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    numbers = [apply("GRIEVANCE")["receipt_number"], apply("INFO_DISCLOSURE")["receipt_number"]]
    kept = rows()
    TrackingView.objects.all().delete()
    state = MigrationLoader(connection).project_state(("petitions", "0006_tracking_view"))
    importlib.import_module("minwon.petitions.migrations.0006_tracking_view").fill(state.apps, None)
    assert rows() == kept and [r["receipt_number"] for r in kept] == sorted(numbers)
