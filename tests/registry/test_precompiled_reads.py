"""The registry's hot reads are precompiled statements (``registry.queries._statements``);
they must give exactly what the querysets they replaced give: the same rows, the same field
values (dates, bytes, nulls on both vendors), the related objects loaded, the register order."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minwon.kernel import rrn
from minwon.kernel.types import Channel
from minwon.registry import queries
from minwon.registry.models import Household, HouseholdMember, Person
from tests.registry import factories


def _values(obj: Any) -> dict[str, Any]:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def _orm_members(household: Household, on: Any = None) -> list[HouseholdMember]:
    qs = HouseholdMember.objects.filter(household=household).select_related("person")
    qs = qs.filter(left_on__isnull=True) if on is None else qs.filter(joined_on__lte=on)
    if on is not None:
        qs = qs.exclude(left_on__lte=on)
    return list(qs)


@pytest.fixture
def family(jurisdictions_loaded: None) -> dict[str, Any]:
    """A head, a spouse, two children; one child moves out three days ago."""
    head = factories.register("김가장", number=factories.new_rrn("700101", "1"))
    hid = HouseholdMember.objects.get(person=head).household_id
    spouse = factories.register(
        "이배우", number=factories.new_rrn("720202", "2"), household_id=hid, relationship="spouse"
    )
    older = factories.register(
        "김첫째", number=factories.new_rrn("000303", "3"), household_id=hid, relationship="child"
    )
    younger = factories.register(
        "김둘째", number=factories.new_rrn("050505", "4"), household_id=hid, relationship="child"
    )
    factories.move_in([(older, "head")])
    return {"head": head, "spouse": spouse, "older": older, "younger": younger, "hid": hid}


def test_person_by_index_matches_the_orm(family: dict[str, Any]) -> None:
    head = family["head"]
    with CaptureQueriesContext(connection) as q:
        found = queries.person_by_index(head.rrn_index)
        assert found is not None
        place = found.jurisdiction
    assert len(q.captured_queries) == 1  # the jurisdiction came with the person
    expected = Person.objects.select_related("jurisdiction").get(pk=head.pk)
    assert _values(found) == _values(expected)
    assert _values(place) == _values(expected.jurisdiction)
    assert rrn.mask(rrn.decrypt(bytes(found.rrn_ciphertext), found.rrn_index)).startswith("70")
    assert queries.person_by_index("0" * 64) is None
    assert queries.person_by_index("") is None


def test_household_of_matches_the_orm(family: dict[str, Any]) -> None:
    with CaptureQueriesContext(connection) as q:
        household = queries.household_of(family["spouse"].pk)
        assert household is not None
        head, place = household.head, household.jurisdiction
    assert len(q.captured_queries) == 1
    expected = Household.objects.select_related("jurisdiction", "head").get(pk=family["hid"])
    assert _values(household) == _values(expected)
    assert _values(place) == _values(expected.jurisdiction)
    assert head is not None and _values(head) == _values(expected.head)
    assert queries.household_of(family["older"]).pk != family["hid"]  # moved out


def test_members_of_matches_the_orm_now_and_on_a_date(family: dict[str, Any]) -> None:
    household = Household.objects.get(pk=family["hid"])
    with CaptureQueriesContext(connection) as q:
        members = queries.members_of(household)
        names = [m.person.name for m in members]
    assert len(q.captured_queries) == 1
    assert names == ["김가장", "이배우", "김둘째"]  # head, spouse, then children
    expected = {m.pk: m for m in _orm_members(household)}
    assert {m.pk for m in members} == set(expected)
    for m in members:
        assert _values(m) == _values(expected[m.pk])
        assert _values(m.person) == _values(expected[m.pk].person)
    week_ago = factories.today() - timedelta(days=7)
    before = queries.members_of(household, on=week_ago)
    assert [m.person.name for m in before] == ["김가장", "이배우", "김첫째", "김둘째"]
    assert {m.pk for m in before} == {m.pk for m in _orm_members(household, week_ago)}
    long_ago = factories.today() - timedelta(days=4000)
    assert queries.members_of(household, on=long_ago) == []
    assert _orm_members(household, long_ago) == []


def test_household_with_members_is_one_statement(family: dict[str, Any]) -> None:
    with CaptureQueriesContext(connection) as q:
        found = queries.household_with_members(family["younger"])
        assert found is not None
        household, members = found
        shown = [(m.person.name, m.household.pk) for m in members]
        head = household.head
    assert len(q.captured_queries) == 1
    assert shown == [
        ("김가장", family["hid"]),
        ("이배우", family["hid"]),
        ("김둘째", family["hid"]),
    ]
    assert head is not None and head.pk == family["head"].pk
    assert _values(household) == _values(queries.household_of(family["younger"]))
    with CaptureQueriesContext(connection) as q:
        assert household.jurisdiction.pk == household.jurisdiction_id
    assert len(q.captured_queries) == 1  # not joined: read on first use
    assert [m.pk for m in members] == [m.pk for m in queries.members_of(household)]
    assert queries.household_with_members(10**9) is None


def test_person_with_household_is_one_statement(family: dict[str, Any]) -> None:
    from minwon.kernel import execute
    from minwon.registry.commands import RecordEmigration

    spouse = family["spouse"]
    with CaptureQueriesContext(connection) as q:
        found = queries.person_with_household(spouse.rrn_index)
        assert found is not None
        person, household_and_members = found
        assert household_and_members is not None
        household, members = household_and_members
        shown = [m.person.name for m in members]
        head = household.head
    assert len(q.captured_queries) == 1
    assert _values(person) == _values(Person.objects.get(pk=spouse.pk))
    assert person.jurisdiction.pk == person.jurisdiction_id  # read on first use
    assert shown == ["김가장", "이배우", "김둘째"] and head is not None
    assert _values(household) == _values(queries.household_of(spouse))
    for mine, theirs in zip(members, queries.members_of(household), strict=True):
        assert _values(mine) == _values(theirs)
        assert _values(mine.person) == _values(theirs.person)

    execute(
        RecordEmigration(
            actor=factories.SYSTEM, channel=Channel.COUNTER,
            jurisdiction=factories.DANGU, person_id=family["younger"].pk,
            effective_on=factories.today(),
        )
    )  # fmt: skip
    gone = queries.person_with_household(family["younger"].rrn_index)
    assert gone is not None and gone[0].pk == family["younger"].pk and gone[1] is None
    assert queries.household_of(family["younger"]) is None
    assert queries.person_with_household("0" * 64) is None
    assert queries.person_with_household("") is None


def test_address_history_matches_the_orm(family: dict[str, Any]) -> None:
    from minwon.registry.models import Residence

    older = family["older"]
    with CaptureQueriesContext(connection) as q:
        history = queries.address_history(older)
        places = [r.jurisdiction.name for r in history]
    assert len(q.captured_queries) == 1
    expected = list(
        Residence.objects.filter(person=older)
        .select_related("jurisdiction")
        .order_by("moved_in_on", "id")
    )
    assert len(history) == 2 and len(places) == 2
    for mine, theirs in zip(history, expected, strict=True):
        assert _values(mine) == _values(theirs)
        assert _values(mine.jurisdiction) == _values(theirs.jurisdiction)
    assert history[0].moved_out_on is not None and history[1].moved_out_on is None
    assert queries.address_history(10**9) == []
