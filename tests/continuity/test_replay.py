"""Central's replay, in process: applied, replayed on resend, refusals queued once, ids of
rows created offline translated."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from minwon.continuity import replay
from minwon.continuity.feed import LOCAL_ID_BASE
from minwon.continuity.models import ReconciliationItem
from minwon.kernel import clock, rrn
from minwon.kernel.types import Actor, ActorKind, Channel
from minwon.registry.commands import RegisterPerson

WONJU = "5113000000"


def _edge_actor(scope: str) -> Actor:
    """An edge's agency key holding continuity.replay over ``scope``."""
    from minwon.accounts.commands import RegisterAgencyClient
    from minwon.kernel import execute

    prefix = f"e{uuid.uuid4().hex[:8]}"
    result = execute(
        RegisterAgencyClient(
            actor=Actor.system("test"), channel=Channel.SYSTEM, jurisdiction=scope,
            name="edge", prefix=prefix, key_hash=uuid.uuid4().hex * 2,
            permissions=["continuity.replay"],
        )
    )  # fmt: skip
    return Actor(ActorKind.AGENCY, result.value["client_id"], "edge")


def _entry(seq: int, cmd: Any, edge_result: Any = None) -> replay.Entry:
    return replay.Entry(
        seq=seq,
        name=cmd.command_name(),
        command_id=cmd.command_id,
        occurred_at=cmd.occurred_at,
        payload=cmd.to_json(),
        edge_result=edge_result,
    )


def _person(actor: Actor, n: int, **extra: Any) -> RegisterPerson:
    return RegisterPerson(
        actor=actor,
        channel=Channel.COUNTER,
        jurisdiction=WONJU,
        name=f"주민{n}",
        sealed_rrn=rrn.SealedRRN.from_text(rrn.with_check_digit(f"9001011{n:05d}")),
        road_address="시청로 1",
        address_code="5113025000",
        moved_in_on=date(2024, 1, 2),
        **extra,
    )


def test_translate_and_learn() -> None:
    ids: dict[int, int] = {}
    replay.learn_ids(
        {"household_id": LOCAL_ID_BASE + 7, "x": [LOCAL_ID_BASE + 9]},
        {"household_id": 12, "x": [13]},
        ids,
    )
    assert ids == {LOCAL_ID_BASE + 7: 12, LOCAL_ID_BASE + 9: 13}
    assert replay.translate({"a": [LOCAL_ID_BASE + 7, 5, True]}, ids) == {"a": [12, 5, True]}


def test_applied_replayed_and_queued_once(make_staff: Any) -> None:
    from tests.conftest import actor_of as to_actor

    clerk = to_actor(make_staff("counter_clerk", WONJU))
    head = _person(clerk, 1)
    local_household = LOCAL_ID_BASE + 3
    first = _entry(1, head, {"person_id": LOCAL_ID_BASE + 1, "household_id": local_household})
    # The second joins the household the edge formed offline (a local-range id).
    joiner = _person(clerk, 2, household_id=local_household, relationship="spouse")
    second = _entry(2, joiner)
    stranger = _entry(3, _person(Actor.system("x"), 3))
    edge = _edge_actor(WONJU)
    with clock.frozen_at(clock.now()):
        out = replay.apply_batch(
            edge_id="e1", office=WONJU, agent=edge, entries=[second, first, stranger]
        )
    assert [o["status"] for o in out] == ["applied", "applied", "queued"]
    assert out[1]["result"]["household_id"] == out[0]["result"]["household_id"]
    assert out[2]["error"]["code"] == "actor_not_allowed"
    again = replay.apply_batch(edge_id="e1", office=WONJU, agent=edge, entries=[first, stranger])
    assert [o["status"] for o in again] == ["replayed", "queued"]
    assert ReconciliationItem.objects.count() == 1
    item = ReconciliationItem.objects.get()
    assert item.command_id == stranger.command_id and item.state == "open"


def test_out_of_scope_and_unknown_are_queued(make_staff: Any) -> None:
    from tests.conftest import actor_of as to_actor

    clerk = to_actor(make_staff("counter_clerk", WONJU))
    gongju = _entry(1, _person(clerk, 4))
    edge = _edge_actor("4415000000")
    bad = replay.Entry(
        seq=2, name="NoSuchCommand", command_id=uuid.uuid4(), occurred_at=clock.now(), payload={}
    )
    out = replay.apply_batch(edge_id="e2", office="4415000000", agent=edge, entries=[gongju, bad])
    assert [o["error"]["code"] for o in out] == ["out_of_scope", "unknown_command"]
    assert ReconciliationItem.objects.filter(edge_id="e2").count() == 2


def test_journal_reads_sqlite_times_as_utc() -> None:
    """SQLite keeps datetimes as naive UTC text; the journal must send them as that
    instant (read as Seoul time, every deadline ran nine hours early)."""
    from minwon.continuity import journal

    entry = journal._row(
        (7, uuid.uuid4().hex, "SubmitApplication", "{}", "null", "2026-11-18 00:00:00", "counter")
    )
    assert entry["occurred_at"] == "2026-11-18T09:00:00+09:00"
    assert entry["seq"] == 7
