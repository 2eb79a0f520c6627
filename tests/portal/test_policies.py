"""Search never returns what the officer may not see: a matrix of roles and offices over
records of every kind in 원주시 and 공주시, and the policy applied before the limit."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import pytest

from minwon.accounts.models import User
from minwon.kernel import execute
from minwon.kernel.types import NATION, Actor, ActorKind, Channel
from minwon.land.commands import RegisterParcel
from minwon.portal import policies, queries
from minwon.portal.models import SearchDocument
from tests.conftest import actor_of
from tests.registry.factories import SINGWAN, SYSTEM, permit, register, vehicle

pytestmark = pytest.mark.django_db
WONJU, GONGJU = "5113000000", "4415000000"
KINDS = {"person", "household", "vehicle", "permit", "parcel"}


def _parcel(owner_id: int, dong: str, name: str) -> None:
    execute(
        RegisterParcel(
            actor=SYSTEM, channel=Channel.COUNTER, jurisdiction=dong[:5] + "00000",
            legal_dong_code=dong, legal_dong_name=name, main_no=7, category="대",
            area_m2="100", owner_id=owner_id, acquired_on=date(2020, 1, 1),
        )
    )  # fmt: skip


@pytest.fixture
def records(jurisdictions_loaded: None) -> dict[str, int]:
    """The same name, a vehicle, a permit and a parcel in each city."""
    wonju = register("정민서")
    gongju = register("정민서", code=SINGWAN, address="충청남도 공주시 신관로 10")
    vehicle(wonju, plate="11가1111")
    vehicle(gongju, plate="22나2222")
    permit(wonju)
    _parcel(wonju.pk, "5113010100", "중앙동")
    _parcel(gongju.pk, "4415010100", "반죽동")
    return {"wonju": wonju.pk, "gongju": gongju.pk}


def visible_kinds(actor: Actor, query: str = "정민서") -> dict[str, set[str]]:
    """kind → jurisdiction paths of the hits."""
    out: dict[str, set[str]] = {}
    for group in queries.search(actor, query).groups:
        for hit in group.hits:
            doc = SearchDocument.objects.get(kind=hit.kind, entity_id=hit.entity_id)
            out.setdefault(hit.kind, set()).add(doc.jurisdiction_path.split("/")[2])
    return out


@pytest.mark.parametrize(
    ("role", "scope", "kinds", "city"),
    [
        ("officer", WONJU, KINDS, WONJU),
        ("officer", GONGJU, KINDS - {"permit"}, GONGJU),
        ("counter_clerk", WONJU, KINDS, WONJU),
        ("department_head", GONGJU, KINDS - {"permit"}, GONGJU),
        ("auditor", WONJU, {"person", "household"}, WONJU),
        ("operator", NATION, set(), None),
    ],
)
def test_role_and_office_matrix(
    records: dict[str, int],
    make_staff: Callable[..., User],
    role: str,
    scope: str,
    kinds: set[str],
    city: str | None,
) -> None:
    who = actor_of(make_staff(role, scope))
    seen = visible_kinds(who)
    assert set(seen) == kinds
    for paths in seen.values():
        assert paths == {city}
    for kind, entity in (("person", records["wonju"]), ("person", records["gongju"])):
        doc = SearchDocument.objects.get(kind=kind, entity_id=str(entity))
        expected = kind in kinds and doc.jurisdiction_path.split("/")[2] == city
        assert policies.can_read(who, doc) == expected
        assert (queries.document_for(who, kind, str(entity)) is not None) == expected


def test_citizens_and_anonymous_see_nothing(records: dict[str, int]) -> None:
    for who in (Actor(ActorKind.CITIZEN, 1, "c"), Actor.anonymous()):
        assert queries.search(who, "정민서").groups == []


def test_policy_is_applied_before_the_limit(
    jurisdictions_loaded: None, make_staff: Callable[..., User]
) -> None:
    for n in range(15):
        register(f"공민{n:02d}", code=SINGWAN, address="충청남도 공주시 신관로 10")
    for n in range(12):
        register(f"원민{n:02d}")
    who = actor_of(make_staff("officer", WONJU))
    people = next(g for g in queries.search(who, "민").groups if g.kind == "person")
    assert people.count == 12 and len(people.hits) == queries.PER_KIND
    assert all(h.title.startswith("원민") for h in people.hits)


@pytest.fixture
def small_cap(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """The search's per-kind cap lowered to 4 (the compiled statements hold it)."""
    monkeypatch.setattr(queries, "CAP", 4)
    queries._compiled.cache_clear()
    yield 4
    queries._compiled.cache_clear()


def test_each_kind_is_bounded_by_the_cap_after_the_policy(
    jurisdictions_loaded: None, make_staff: Callable[..., User], small_cap: int
) -> None:
    """More matches than the cap: the count says "at least the cap" and the hits are the best
    of what the bounded scan found; out-of-scope matches never use up the cap; a kind
    under the cap keeps its exact count."""
    for n in range(9):
        register(f"공민{n:02d}", code=SINGWAN, address="충청남도 공주시 신관로 10")
    people = [register(f"원민{n:02d}") for n in range(7)]
    vehicle(people[0], plate="33다3333")
    who = actor_of(make_staff("officer", WONJU))
    results = queries.search(who, "민")
    groups = {g.kind: g for g in results.groups}
    persons = groups["person"]
    assert (persons.count, persons.more) == (small_cap, True)
    assert len(persons.hits) == small_cap + 1  # the best of the cap + 1 it found
    assert all(h.title.startswith("원민") for h in persons.hits)
    assert results.more and results.total >= small_cap
    # A search that stays under the cap is exact and says so.
    exact = queries.search(who, "원민03")
    assert [(g.kind, g.count, g.more) for g in exact.groups if g.kind == "person"] == [
        ("person", 1, False)
    ]
    assert not queries.search(who, "33다3333").more
