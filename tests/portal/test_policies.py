"""Search never returns what the officer may not see: a matrix of roles and offices over
records of every kind in 원주시 and 공주시, and the policy applied before the limit."""

from __future__ import annotations

from collections.abc import Callable
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
