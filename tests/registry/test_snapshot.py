"""The household snapshot (``registry.snapshot``): the rows its subscribers keep through a
scripted history are, after every command, the rows ``build`` makes from the register, and
``minwon snapshot rebuild`` gives them again; they hold numbers sealed as the register does;
certificates and the counter read them by key in one statement."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minwon.kernel import clock, execute, rrn
from minwon.kernel.types import Channel
from minwon.registry import queries, snapshot
from minwon.registry.bulk import LoadResidents
from minwon.registry.commands import (
    ChangeHouseholdHead,
    ConfirmMoveIn,
    MergeHouseholds,
    MoveHousehold,
    Mover,
    RecordDeath,
    RecordEmigration,
    SplitHousehold,
)
from minwon.registry.importer import HouseholdRow, ImportResidents, ResidentRow
from minwon.registry.models import (
    Household,
    HouseholdMember,
    HouseholdSnapshot,
    HouseholdSnapshotKey,
    Person,
)
from tests.conftest import actor_of
from tests.registry.factories import DANGU, MUSIL, SYSTEM, move_in, new_rrn, register

pytestmark = pytest.mark.django_db

#: A Tuesday morning in Seoul; nothing here depends on the day the suite runs.
ANCHOR = datetime.fromisoformat("2026-03-10T10:00:00+09:00")
NEW = "강원특별자치도 원주시 무실로 55"


def kept() -> tuple[dict[int, tuple[Any, ...]], dict[str, tuple[Any, ...]]]:
    """The rows and keys the subscribers wrote."""
    keys = {k[0]: k for k in HouseholdSnapshotKey.objects.values_list(*snapshot.KEY_COLUMNS)}
    return {r.pk: snapshot._values(r) for r in HouseholdSnapshot.objects.all()}, keys


def built() -> tuple[dict[int, tuple[Any, ...]], dict[str, tuple[Any, ...]]]:
    """The rows and keys the register gives now, for every household."""
    rows = snapshot.build(Household.objects.values_list("pk", flat=True))
    return {r.household_id: snapshot._values(r) for r in rows}, {
        k[0]: k for k in snapshot._keys(rows)
    }


def names(household_id: int) -> list[tuple[str, str]]:
    return [(m.person.name, m.relationship) for m in queries.members_of(household_id)]


def _households(rows: int, start: str) -> list[HouseholdRow]:
    return [
        HouseholdRow(
            road_address=f"강원특별자치도 원주시 단구로 {n + 1}", address_detail="",
            address_code=DANGU, moved_in_on=clock.now().date() - timedelta(days=30),
            members=[
                ResidentRow(name=f"{start}{'가나다'[n]}", relationship="head",
                            sealed_rrn=rrn.SealedRRN.from_text(new_rrn("800101", "1"))),
                ResidentRow(name=f"{start}{'라마바'[n]}", sealed_rrn=rrn.SealedRRN.from_text(new_rrn("820202", "2")),
                            relationship="spouse"),
            ],
        )
        for n in range(rows)
    ]  # fmt: skip


def test_the_snapshot_follows_every_registry_command_and_equals_a_rebuild(
    jurisdictions_loaded: None, make_citizen: Any
) -> None:
    common = {"actor": SYSTEM, "channel": Channel.COUNTER, "jurisdiction": DANGU}
    checked: list[str] = []

    def step(label: str) -> None:
        assert kept() == built(), label
        checked.append(label)

    with clock.frozen_at(ANCHOR):
        today = clock.now().date()
        head = register("김가장", number=new_rrn("700101", "1"))
        hid = queries.household_of(head).pk  # type: ignore[union-attr]
        spouse = register("이배우", number=new_rrn("720202", "2"), household_id=hid,
                          relationship="spouse")  # fmt: skip
        older = register("김첫째", number=new_rrn("000303", "3"), household_id=hid,
                         relationship="child")  # fmt: skip
        younger = register("김둘째", number=new_rrn("050505", "4"), household_id=hid,
                           relationship="child")  # fmt: skip
        step("registrations")
        assert names(hid) == [("김가장", "head"), ("이배우", "spouse"), ("김첫째", "child"),
                              ("김둘째", "child")]  # fmt: skip

        moved = move_in([(older, "head")], moved_in_on=today - timedelta(days=20))
        step("move-in to a new household")
        assert names(hid)[-1] == ("김둘째", "child")
        assert names(moved["household_id"]) == [("김첫째", "head")]

        split = execute(
            SplitHousehold(**common, household_id=hid, members=[Mover(younger.pk, "head")],
                           moved_in_on=today - timedelta(days=15))
        ).value  # fmt: skip
        step("split")
        execute(
            MergeHouseholds(**common, household_id=hid,
                            absorbed_household_id=split["new_household_id"],
                            members=[Mover(younger.pk, "child")],
                            moved_in_on=today - timedelta(days=10))
        )  # fmt: skip
        step("merge")
        assert snapshot.household_view(split["new_household_id"]).members == []  # type: ignore[union-attr]

        execute(ChangeHouseholdHead(**common, household_id=hid, new_head_id=spouse.pk,
                                    former_head_relationship="spouse"))  # fmt: skip
        step("head change")
        assert names(hid)[0] == ("이배우", "head")

        execute(
            MoveHousehold(actor=SYSTEM, channel=Channel.COUNTER, jurisdiction=MUSIL,
                          household_id=hid, road_address=NEW, address_code=MUSIL,
                          moved_in_on=today - timedelta(days=5))
        )  # fmt: skip
        step("whole household move")
        moved_home = queries.household_with_members(spouse)
        assert moved_home is not None and moved_home[0].full_address == NEW
        assert moved_home[0].head is not None and moved_home[0].head.name == "이배우"

        execute(RecordDeath(**common, person_id=spouse.pk, effective_on=today - timedelta(days=2),
                            new_head_id=head.pk))  # fmt: skip
        step("death of the head, a successor named")
        execute(RecordEmigration(**common, person_id=older.pk, effective_on=today))
        step("emigration of someone living alone")

        mover_number, target_number = new_rrn("950505", "2"), new_rrn("690101", "1")
        mover = register("전입자", number=mover_number)
        target_head = register("세대주", number=target_number, address="강원특별자치도 원주시 무실로 9",
                               code=MUSIL)  # fmt: skip
        target = queries.household_of(target_head).pk  # type: ignore[union-attr]
        waiting = move_in([(mover, "spouse")], household_id=target, channel=Channel.ONLINE,
                          actor=actor_of(make_citizen(mover_number, name="전입자")))  # fmt: skip
        step("online move-in awaiting the head")
        execute(ConfirmMoveIn(actor=actor_of(make_citizen(target_number, name="세대주")),
                              channel=Channel.ONLINE, jurisdiction=MUSIL,
                              pending_id=waiting["pending_id"]))  # fmt: skip
        step("the head confirms")
        assert names(target) == [("세대주", "head"), ("전입자", "spouse")]

        load = {"channel": Channel.SYSTEM, "jurisdiction": "0000000000", "actor": SYSTEM}
        execute(ImportResidents(**load, households=_households(3, "일괄")))
        step("row-by-row import")
        execute(LoadResidents(**load, households=_households(3, "적재")))
        step("set-based load")

    assert len(checked) == 12
    before = kept()
    assert len(before[0]) == Household.objects.count()
    assert len(before[1]) == HouseholdMember.objects.filter(left_on__isnull=True).count()
    call_command("snapshot", "rebuild", "--quiet")
    assert kept() == before


def test_rows_hold_numbers_sealed_as_the_register_does(jurisdictions_loaded: None) -> None:
    number = new_rrn("880808", "1")
    person = register("비밀", number=number)
    row = HouseholdSnapshot.objects.get(pk=queries.household_of(person).pk)  # type: ignore[union-attr]
    # The sealed number and its blind index are random-looking text that may hold any
    # digits by chance: look for the clear number and the birth date in everything else.
    sealed = ("rrn_ciphertext", "rrn_index")
    rest = [{k: v for k, v in m.items() if k not in sealed} for m in row.members]
    text = json.dumps(rest, ensure_ascii=False)
    assert number not in text and number[:6] not in text
    assert "1988" not in text and "88-08-08" not in text  # no birth date either
    [member] = row.members
    assert set(member) - set(rest[0]) == set(sealed)
    assert base64.b64decode(member["rrn_ciphertext"]) == bytes(person.rrn_ciphertext)
    assert number.encode() not in base64.b64decode(member["rrn_ciphertext"])
    assert member["rrn_index"] == person.rrn_index
    [shown] = queries.members_of(row.pk)
    assert queries.masked_rrn(shown.person) == rrn.mask(number)


def test_certificates_and_the_counter_read_one_row_by_key(jurisdictions_loaded: None) -> None:
    head = register("김가장", number=new_rrn("700101", "1"))
    hid = queries.household_of(head).pk  # type: ignore[union-attr]
    spouse = register("이배우", household_id=hid, relationship="spouse")
    with CaptureQueriesContext(connection) as q:
        found = queries.person_with_household(spouse.rrn_index)
    assert len(q.captured_queries) == 1  # the member's key row, by primary key
    assert found is not None and found[1] is not None
    me, (household, members) = found[0], found[1]
    assert (me.pk, me.name, me.jurisdiction_id) == (spouse.pk, "이배우", spouse.jurisdiction_id)
    assert household.head is not None and household.head.pk == head.pk
    assert [m.get_relationship_display() for m in members] == ["세대주", "배우자"]
    with CaptureQueriesContext(connection) as q:
        assert queries.household_with_members(spouse.pk) is not None
        assert len(queries.members_of(hid)) == 2
    assert len(q.captured_queries) == 3  # person and key row; the household's row
    assert queries.person_with_household("0" * 64) is None
    assert queries.person_with_household("") is None
    assert queries.household_with_members(10**9) is None


def test_a_person_without_a_household_is_read_as_themself(jurisdictions_loaded: None) -> None:
    person = register("홀로")
    execute(
        RecordEmigration(actor=SYSTEM, channel=Channel.COUNTER, jurisdiction=DANGU,
                         person_id=person.pk, effective_on=clock.now().date())
    )  # fmt: skip
    found = queries.person_with_household(person.rrn_index)
    assert found is not None and isinstance(found[0], Person) and found[1] is None
    assert queries.household_with_members(person) is None


def test_a_household_without_a_row_is_built_when_read_and_nothing_written(
    jurisdictions_loaded: None,
) -> None:
    """An edge's replica takes the register's tables, not the snapshot."""
    head = register("김가장")
    hid = queries.household_of(head).pk  # type: ignore[union-attr]
    HouseholdSnapshotKey.objects.all().delete()
    HouseholdSnapshot.objects.all().delete()
    assert names(hid) == [("김가장", "head")]
    found = queries.person_with_household(head.rrn_index)
    assert found is not None and found[1] is not None and found[1][0].pk == hid
    assert not HouseholdSnapshot.objects.exists() and not HouseholdSnapshotKey.objects.exists()


def test_an_edge_replica_that_took_central_rows_follows_them(jurisdictions_loaded: None) -> None:
    """``continuity.feed`` saves the register's rows as central sent them."""
    head = register("김가장")
    hid = queries.household_of(head).pk  # type: ignore[union-attr]
    HouseholdMember.objects.filter(person=head).update(relationship="head", joined_on=ANCHOR.date())
    Household.objects.filter(pk=hid).update(address_detail="central's")
    assert kept() != built()
    snapshot.follow_replica([hid])
    assert kept() == built()
    assert snapshot.household_view(hid).address_detail == "central's"  # type: ignore[union-attr]
