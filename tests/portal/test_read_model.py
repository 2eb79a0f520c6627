"""The search read model: kept by subscribers in the command's transaction, equal to a
rebuild, and found by Korean syllables, birth date, exact keys and resident number."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.management import call_command

from minwon.accounts.models import User
from minwon.kernel import execute, rrn
from minwon.kernel.errors import Conflict
from minwon.kernel.types import Channel
from minwon.land.commands import RegisterParcel, TransferParcel
from minwon.portal import index, queries
from minwon.portal.models import SearchAudience, SearchDocument
from minwon.vehicles.commands import TransferVehicle
from tests.conftest import actor_of
from tests.portal.campaign_factories import create as create_campaign
from tests.registry.factories import (
    MUSIL,
    SINGWAN,
    SYSTEM,
    move_in,
    new_rrn,
    permit,
    register,
    vehicle,
)

pytestmark = pytest.mark.django_db
Apply = Callable[..., dict[str, Any]]
Act = Callable[..., dict[str, Any]]


def snapshot() -> set[tuple[str, ...]]:
    return {
        (d.kind, d.entity_id, d.jurisdiction_path, d.permission, d.title, d.details,
         d.key1, d.key2, d.key3, d.tokens)
        for d in SearchDocument.objects.all()
    }  # fmt: skip


def audience() -> list[tuple[str, ...]]:
    return sorted(
        SearchAudience.objects.values_list(
            "kind", "entity_id", "jurisdiction_path", "permission", "department"
        )
    )


def titles(results: queries.Results, kind: str) -> list[str]:
    return [h.title for g in results.groups if g.kind == kind for h in g.hits]


@pytest.fixture
def wonju_officer(make_staff: Callable[..., User]) -> Any:
    return actor_of(make_staff("officer", "5113000000"))


def test_person_found_by_two_syllables_birth_date_and_rrn(wonju_officer: Any) -> None:
    number = new_rrn("880315", "2")
    register("김민서", number=number)
    register("박민수")
    register("김철수")
    assert titles(queries.search(wonju_officer, "민서"), "person") == ["김민서"]
    assert titles(queries.search(wonju_officer, "김민"), "person") == ["김민서"]
    assert set(titles(queries.search(wonju_officer, "민"), "person")) == {"김민서", "박민수"}
    assert titles(queries.search(wonju_officer, "김 1988-03-15"), "person") == ["김민서"]
    assert titles(queries.search(wonju_officer, "김 880315"), "person") == ["김민서"]
    by_rrn = queries.search(wonju_officer, number[:6] + "-" + number[6:])
    assert [(h.title, h.match) for g in by_rrn.groups for h in g.hits] == [("김민서", "exact")]
    assert not any(number in d.tokens + d.details + d.key1 for d in SearchDocument.objects.all())


def test_ranking_exact_then_prefix_then_text(wonju_officer: Any) -> None:
    register("민수")
    register("박민수")
    owner = register("민수진")
    vehicle(owner, plate="12가3456")
    hits = next(g for g in queries.search(wonju_officer, "민수").groups if g.kind == "person")
    assert [(h.title, h.match) for h in hits.hits] == [
        ("민수", "prefix"), ("민수진", "prefix"), ("박민수", "text"),
    ]  # fmt: skip
    assert str(hits.hits[2].title_marked) == "박<mark>민수</mark>"
    plate = queries.search(wonju_officer, "12가 3456")
    assert [(g.kind, g.hits[0].match) for g in plate.groups] == [("vehicle", "exact")]


def test_read_model_follows_move_in_and_vehicle_transfer(wonju_officer: Any) -> None:
    mover = register("이사람")
    car = vehicle(mover, plate="34나5678")
    move_in([(mover, "head")], code=MUSIL, address="강원특별자치도 원주시 무실로 55")
    doc = SearchDocument.objects.get(kind="person", entity_id=str(mover.pk))
    assert "무실로" in doc.details and doc.jurisdiction_path.endswith(f"{MUSIL}/")
    assert "무실로" in SearchDocument.objects.get(kind="vehicle", entity_id=str(car)).details
    assert titles(queries.search(wonju_officer, "무실로 이사"), "person") == ["이사람"]
    buyer = register("공주인", code=SINGWAN, address="충청남도 공주시 신관로 10")
    execute(
        TransferVehicle(
            actor=SYSTEM, channel=Channel.COUNTER, jurisdiction=SINGWAN, vehicle_id=car,
            new_owner_id=buyer.pk, transferred_on=date(2026, 1, 5),
        )
    )  # fmt: skip
    moved = SearchDocument.objects.get(kind="vehicle", entity_id=str(car))
    assert "공주인" in moved.details and moved.jurisdiction_path.endswith(f"{SINGWAN}/")
    assert titles(queries.search(wonju_officer, "34나5678"), "vehicle") == []


def test_failed_command_leaves_no_document(jurisdictions_loaded: None) -> None:
    number = new_rrn()
    register("한번만", number=number)
    with pytest.raises(Conflict):
        register("두번째", number=number)
    assert not SearchDocument.objects.filter(title="두번째").exists()


def test_petition_found_by_receipt_applicant_type_and_text(
    apply: Apply, act: Act, officer: User, citizen: User
) -> None:
    who = actor_of(officer)
    receipt = apply("GRIEVANCE")["receipt_number"]
    act(officer, "assign", receipt, officer_id=officer.pk, reason="도로 파손 민원 담당")
    by_receipt = queries.search(who, receipt)
    assert [(g.kind, [h.match for h in g.hits]) for g in by_receipt.groups] == [
        ("petition", ["exact"])
    ]
    assert titles(queries.search(who, "김민원"), "petition")
    assert titles(queries.search(who, "민원"), "petition")
    assert titles(queries.search(who, "파손"), "petition"), "the step's note is text"


def test_petition_transfer_moves_its_document(
    apply: Apply, act: Act, officer: User, make_staff: Callable[..., User]
) -> None:
    receipt = apply("GRIEVANCE")["receipt_number"]
    act(officer, "assign", receipt, officer_id=officer.pk)
    act(officer, "transfer", receipt, to="5211000000", reason="전주시 관할 시설")
    jeonju = actor_of(make_staff("officer", "5211000000"))
    hits = [h for g in queries.search(jeonju, receipt).groups for h in g.hits]
    assert [h.details.split(" · ")[0] for h in hits] == [f"{receipt}-2"]
    wonju = [h for g in queries.search(actor_of(officer), receipt).groups for h in g.hits]
    assert [h.details.split(" · ")[0] for h in wonju] == [f"{receipt}-1"]


def test_rebuild_equals_the_model_kept_by_events(apply: Apply, act: Act, officer: User) -> None:
    head = register("세대주", number=new_rrn("700101"))
    register("배우자", household_id=None)
    owner = register("차주인")
    car = vehicle(owner, plate="56다7890")
    permit(owner)
    move_in([(head, "head")], code=MUSIL)
    parcel = execute(
        RegisterParcel(
            actor=SYSTEM, channel=Channel.COUNTER, jurisdiction="5113000000",
            legal_dong_code="5113010100", legal_dong_name="중앙동", main_no=12, sub_no=3,
            category="대", area_m2="330.5", owner_id=owner.pk, acquired_on=date(2020, 1, 1),
        )
    ).value["parcel_id"]  # fmt: skip
    execute(
        TransferParcel(
            actor=SYSTEM, channel=Channel.COUNTER, jurisdiction="5113000000", parcel_id=parcel,
            new_owner_id=head.pk, transferred_on=date(2025, 1, 1),
        )
    )  # fmt: skip
    receipt = apply("GRIEVANCE")["receipt_number"]
    act(officer, "assign", receipt, officer_id=officer.pk)
    create_campaign(officer)
    kept, kept_audience = snapshot(), audience()
    assert {k[0] for k in kept} >= {
        "person",
        "household",
        "vehicle",
        "permit",
        "parcel",
        "petition",
        "campaign",
    }
    assert any(k[0] == "vehicle" and k[1] == str(car) for k in kept)
    assert len(kept_audience) == 2, "one row per recipient of the campaign"
    SearchDocument.objects.all().delete()
    SearchAudience.objects.all().delete()
    call_command("search", "rebuild", "--quiet")
    assert snapshot() == kept
    assert audience() == kept_audience
    assert index.rebuild() == len(kept)
    assert audience() == kept_audience


def test_bad_query_is_a_400_naming_the_field(wonju_officer: Any) -> None:
    from minwon.kernel.errors import ValidationFailed

    for bad in ("", "   ", "가" * 101):
        with pytest.raises(ValidationFailed) as exc:
            queries.search(wonju_officer, bad)
        assert exc.value.field == "q"
    with pytest.raises(ValidationFailed):
        queries.search(wonju_officer, "901301-1234567")
    assert queries.search(wonju_officer, "\"' OR 1=1 -- * ( ) :").groups == []
    assert rrn  # the module is used above through new_rrn


def test_cached_statement_gives_what_the_queryset_gives(wonju_officer: Any) -> None:
    """The compiled statement is reused with new values; it must answer exactly what the
    ORM's own queryset for the same query answers."""
    from minwon.portal.queries import COLUMNS, _compiled, _rows, ranked

    number = new_rrn("800808")
    register("남궁민수", number=number)
    register("민수정")
    owner = register("홍민수")
    vehicle(owner, plate="77라7777")
    _compiled.cache_clear()
    for text in ("민수", "남궁", "77라7777", "민수 1980-08-08", "홍 단구로", number, "zz"):
        rows = _rows(wonju_officer, text, 10, None)
        assert sorted(rows) == sorted(ranked(wonju_officer, text)), text
        assert all(len(row) == len(COLUMNS) for row in rows)
    info = _compiled.cache_info()
    assert _rows(wonju_officer, "민수", 10, None), "the comparison is not between empty sets"
    assert info.misses == 2 and info.hits == 5, "one shape with text, one without"


def test_store_inserts_then_rewrites_in_place(jurisdictions_loaded: None) -> None:
    """``index.store``'s statement, made once, writes what the ORM's upsert
    (``bulk_create(update_conflicts=True)``) wrote: new documents inserted, one already
    there rewritten in its own row (same id, every column but the key), over more than one
    statement."""

    def docs(title: str, n: int) -> list[index.Doc]:
        return [
            index.Doc(kind="vehicle", entity_id=str(i), jurisdiction_path="/4213000000/",
                      permission="vehicles.read", title=f"{title} {i}", details=title,
                      key1=f"K{i}", tokens=f"{title} 토큰")
            for i in range(n)
        ]  # fmt: skip

    index.store(docs("처음", 1001))
    ids = dict(SearchDocument.objects.values_list("entity_id", "pk"))
    index.store(docs("다시", 1002))
    stored = snapshot()
    kept = dict(SearchDocument.objects.filter(entity_id__in=ids).values_list("entity_id", "pk"))
    assert len(stored) == 1002 and kept == ids

    SearchDocument.objects.all().delete()
    SearchDocument.objects.bulk_create([d.model() for d in docs("처음", 1001)])
    SearchDocument.objects.bulk_create(
        [d.model() for d in docs("다시", 1002)], batch_size=1000, update_conflicts=True,
        unique_fields=["kind", "entity_id"],
        update_fields=[f for f in index.Doc._fields if f not in ("kind", "entity_id")],
    )  # fmt: skip
    assert snapshot() == stored
