"""Household changes: 세대 전체 전입, 세대 합가, 세대 분리·분가, 세대주 변경, 사망·국외이주 —
what each changes in the register and the linked registers, what it refuses (changing
nothing), who may do it, and that each is one audited command."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from minwon.kernel import execute
from minwon.kernel.errors import Conflict, Forbidden, NotFound, ValidationFailed
from minwon.kernel.models import AuditRecord, CommandRecord, OutboxEvent
from minwon.kernel.types import Channel, Continuity, RoomCategory
from minwon.licensing.models import PermitNotice
from minwon.notices.models import InboxMessage
from minwon.registry.commands import (
    ChangeHouseholdHead,
    MergeHouseholds,
    MoveHousehold,
    Mover,
    RecordDeath,
    RecordEmigration,
    SplitHousehold,
)
from minwon.registry.models import Household, HouseholdMember, Person, Residence
from minwon.registry.queries import household_of, members_of
from minwon.tax.models import TaxBill
from minwon.vehicles.models import Vehicle
from tests.conftest import actor_of
from tests.registry.factories import (
    DANGU,
    MUSIL,
    SINGWAN,
    SYSTEM,
    permit,
    register,
    tax_bill,
    today,
    vehicle,
)

pytestmark = pytest.mark.django_db

NEW = "강원특별자치도 원주시 무실로 55"


def _family(address: str = "강원특별자치도 원주시 단구로 170", code: str = DANGU) -> dict[str, Any]:
    head = register("김가장", address=address, code=code)
    household = household_of(head)
    assert household is not None
    spouse = register(
        "이배우", household_id=household.pk, relationship="spouse", code=code, address=address
    )
    child = register(
        "김아이", household_id=household.pk, relationship="child", code=code, address=address
    )
    return {"head": head, "spouse": spouse, "child": child, "household": household}


def _snapshot() -> dict[str, Any]:
    """Everything a household change could write, to compare around a refusal."""
    return {
        "members": sorted(
            HouseholdMember.objects.values_list(
                "person_id", "household_id", "relationship", "left_on"
            )
        ),
        "residences": Residence.objects.count(),
        "households": sorted(Household.objects.values_list("pk", "head_id", "dissolved_on")),
        "vehicles": sorted(Vehicle.objects.values_list("pk", "base_address")),
        "bills": sorted(TaxBill.objects.values_list("pk", "mailing_address")),
        "notices": PermitNotice.objects.count(),
        "inbox": InboxMessage.objects.count(),
        "commands": CommandRecord.objects.count(),
        "audit": AuditRecord.objects.count(),
        "events": OutboxEvent.objects.count(),
        "status": sorted(Person.objects.values_list("pk", "status")),
    }


def _move(household: Household, **kw: Any) -> Any:
    fields = {
        "actor": SYSTEM, "channel": Channel.COUNTER, "jurisdiction": MUSIL,
        "household_id": household.pk, "road_address": NEW, "address_detail": "5층",
        "address_code": MUSIL, "moved_in_on": today() - timedelta(days=2),
    }  # fmt: skip
    fields.update(kw)
    return execute(MoveHousehold(**fields)).value


def test_the_whole_household_moves_with_its_relationships_and_linked_registers(
    jurisdictions_loaded: None,
) -> None:
    f = _family()
    car = vehicle(f["spouse"], plate="55마5555")
    bill = tax_bill(f["child"])
    shop = permit(f["head"], at_residence=True)

    result = _move(f["household"])

    new = household_of(f["head"])
    assert new is not None and new.pk == result["household_id"] != f["household"].pk
    assert new.head_id == f["head"].pk and new.full_address == f"{NEW} 5층"
    assert [(m.person.name, m.relationship) for m in members_of(new)] == [
        ("김가장", "head"), ("이배우", "spouse"), ("김아이", "child"),
    ]  # fmt: skip
    assert Household.objects.get(pk=f["household"].pk).dissolved_on == today() - timedelta(days=2)
    assert Vehicle.objects.get(pk=car).base_address == f"{NEW} 5층"
    assert TaxBill.objects.get(pk=bill).mailing_address == f"{NEW} 5층"
    assert PermitNotice.objects.filter(permit_id=shop).count() == 1
    assert {c["source"] for c in result["changes"]} == {"vehicles", "tax", "licensing"}
    assert set(Person.objects.filter(pk__in=result["person_ids"]).values_list("jurisdiction_id", flat=True)) == {MUSIL}  # fmt: skip
    record = CommandRecord.objects.get(name="MoveHousehold")
    assert (
        AuditRecord.objects.filter(command_id=record.command_id, name="MoveHousehold").count() == 1
    )
    assert OutboxEvent.objects.filter(name="MoveInReported").count() == 1


def test_whole_household_move_declares_its_rules() -> None:
    assert MoveHousehold.permission == "registry.move_in"
    assert MoveHousehold.continuity == Continuity.LOCAL
    assert MoveHousehold.room_category == RoomCategory.MOVES_IN
    for kind in (MergeHouseholds, SplitHousehold, ChangeHouseholdHead):
        assert kind.permission == "registry.household" and kind.continuity == Continuity.LOCAL
        assert kind.room_category is None
    for kind in (RecordDeath, RecordEmigration):
        assert kind.permission == "registry.status" and kind.continuity == Continuity.LOCAL


def test_whole_household_move_refusals_change_nothing(
    jurisdictions_loaded: None, make_staff: Any
) -> None:
    f = _family()
    vehicle(f["head"])
    gongju = make_staff("counter_clerk", "4415000000")
    before = _snapshot()
    with pytest.raises(ValidationFailed) as exc:
        _move(f["household"], moved_in_on=today() + timedelta(days=1))
    assert exc.value.field == "moved_in_on"
    with pytest.raises(ValidationFailed) as exc:
        _move(f["household"], address_code="123")
    assert exc.value.field == "address_code"
    with pytest.raises(NotFound):
        _move(f["household"], household_id=987654)
    # 공주시's clerk cannot register a move into 원주시 (the destination office does).
    with pytest.raises(Forbidden):
        _move(f["household"], actor=actor_of(gongju))
    assert _snapshot() == before


def test_merge_at_the_same_address_keeps_the_linked_registers(jurisdictions_loaded: None) -> None:
    f = _family()
    parent = register("김부모", address="강원특별자치도 원주시 단구로 170", detail="101동 1203호")
    absorbed = household_of(parent)
    assert absorbed is not None
    car = vehicle(parent, plate="66바6666")
    address = Vehicle.objects.get(pk=car).base_address

    result = execute(
        MergeHouseholds(
            actor=SYSTEM, channel=Channel.COUNTER, jurisdiction=DANGU,
            household_id=f["household"].pk, absorbed_household_id=absorbed.pk,
            members=[Mover(person_id=parent.pk, relationship="parent")],
            moved_in_on=today(),
        )
    ).value  # fmt: skip

    assert result["address_changed"] is False and result["changes"] == []
    assert [m.person.name for m in members_of(f["household"])][-1] == "김부모"
    assert Household.objects.get(pk=absorbed.pk).dissolved_on == today()
    assert Vehicle.objects.get(pk=car).base_address == address
    assert not OutboxEvent.objects.filter(name="MoveInReported").exists()
    assert OutboxEvent.objects.filter(name="HouseholdsMerged").count() == 1
    assert Residence.objects.get(person=parent, moved_out_on__isnull=True).reason == "merge"


def test_merge_from_another_address_moves_the_joining_members(jurisdictions_loaded: None) -> None:
    f = _family()
    parent = register("김부모", address="강원특별자치도 원주시 무실로 9", code=MUSIL)
    absorbed = household_of(parent)
    assert absorbed is not None
    car = vehicle(parent, plate="77사7777")
    result = execute(
        MergeHouseholds(
            actor=SYSTEM, channel=Channel.COUNTER, jurisdiction=DANGU,
            household_id=f["household"].pk, absorbed_household_id=absorbed.pk,
            members=[Mover(person_id=parent.pk, relationship="parent")], moved_in_on=today(),
        )
    ).value  # fmt: skip
    assert result["address_changed"] is True
    assert Vehicle.objects.get(pk=car).base_address == f["household"].full_address
    assert [c["source"] for c in result["changes"]] == ["vehicles"]
    assert Person.objects.get(pk=parent.pk).jurisdiction_id == DANGU


def test_merge_refusals(jurisdictions_loaded: None, make_staff: Any) -> None:
    f = _family()
    parent = register("김부모")
    absorbed = household_of(parent)
    assert absorbed is not None
    sibling = register("김형제", household_id=absorbed.pk, relationship="child")
    officer = make_staff("officer")  # no registry.household
    before = _snapshot()

    def merge(members: list[Mover], **kw: Any) -> None:
        fields = {
            "actor": SYSTEM, "channel": Channel.COUNTER, "jurisdiction": DANGU,
            "household_id": f["household"].pk, "absorbed_household_id": absorbed.pk,
            "members": members, "moved_in_on": today(),
        }  # fmt: skip
        fields.update(kw)
        execute(MergeHouseholds(**fields))

    with pytest.raises(ValidationFailed) as exc:  # a member left out
        merge([Mover(person_id=parent.pk, relationship="parent")])
    assert exc.value.field == "members"
    with pytest.raises(ValidationFailed) as exc:  # a second head
        merge([Mover(parent.pk, "head"), Mover(sibling.pk, "sibling")])
    assert exc.value.field == "members.0.relationship"
    with pytest.raises(ValidationFailed):  # itself
        merge([Mover(parent.pk, "parent")], absorbed_household_id=f["household"].pk)
    with pytest.raises(Forbidden):
        merge([Mover(parent.pk, "parent"), Mover(sibling.pk, "sibling")], actor=actor_of(officer))
    assert _snapshot() == before


def test_split_at_the_same_address_forms_a_household_and_keeps_addresses(
    jurisdictions_loaded: None,
) -> None:
    f = _family()
    car = vehicle(f["child"], plate="88아8888")
    result = execute(
        SplitHousehold(
            actor=SYSTEM, channel=Channel.COUNTER, jurisdiction=DANGU,
            household_id=f["household"].pk, members=[Mover(f["child"].pk, "head")],
            moved_in_on=today(),
        )
    ).value  # fmt: skip
    new = Household.objects.get(pk=result["new_household_id"])
    assert new.head_id == f["child"].pk and new.full_address == f["household"].full_address
    assert [m.person_id for m in members_of(f["household"])] == [f["head"].pk, f["spouse"].pk]
    assert result["changes"] == [] and result["address_changed"] is False
    assert Vehicle.objects.get(pk=car).base_address.endswith("101동 1203호")
    assert OutboxEvent.objects.filter(name="HouseholdSplit").count() == 1


def test_split_to_a_new_address_is_a_move_in(jurisdictions_loaded: None) -> None:
    f = _family()
    car = vehicle(f["child"], plate="99자9999")
    result = execute(
        SplitHousehold(
            actor=SYSTEM, channel=Channel.COUNTER, jurisdiction=MUSIL,
            household_id=f["household"].pk, members=[Mover(f["child"].pk, "head")],
            road_address=NEW, address_code=MUSIL, moved_in_on=today(),
        )
    ).value  # fmt: skip
    assert Vehicle.objects.get(pk=car).base_address == NEW
    assert result["address_changed"] is True and result["changes"]
    assert Person.objects.get(pk=f["child"].pk).jurisdiction_id == MUSIL


def test_split_refusals_change_nothing(jurisdictions_loaded: None) -> None:
    f = _family()
    stranger = register("남남")
    before = _snapshot()

    def split(members: list[Mover], **kw: Any) -> None:
        fields = {
            "actor": SYSTEM, "channel": Channel.COUNTER, "jurisdiction": DANGU,
            "household_id": f["household"].pk, "members": members, "moved_in_on": today(),
        }  # fmt: skip
        fields.update(kw)
        execute(SplitHousehold(**fields))

    with pytest.raises(ValidationFailed) as exc:
        split([Mover(f["head"].pk, "head")])
    assert "세대주" in exc.value.message_ko
    with pytest.raises(ValidationFailed) as exc:
        split([Mover(stranger.pk, "head")])
    assert exc.value.field == "members.0.person_id"
    with pytest.raises(ValidationFailed) as exc:  # the first of a new household heads it
        split([Mover(f["child"].pk, "child")])
    assert exc.value.field == "movers.0.relationship"
    with pytest.raises(ValidationFailed):
        split([])
    assert _snapshot() == before


def test_head_change_is_declared_audited_and_followed(
    jurisdictions_loaded: None, make_staff: Any
) -> None:
    f = _family()
    officer = make_staff("officer")
    clerk = make_staff("counter_clerk")
    command = ChangeHouseholdHead(
        actor=actor_of(officer), channel=Channel.COUNTER, jurisdiction=DANGU,
        household_id=f["household"].pk, new_head_id=f["spouse"].pk,
        former_head_relationship="spouse",
    )  # fmt: skip
    before = _snapshot()
    with pytest.raises(Forbidden):
        execute(command)
    assert _snapshot() == before
    result = execute(
        ChangeHouseholdHead(
            actor=actor_of(clerk), channel=Channel.COUNTER, jurisdiction=DANGU,
            household_id=f["household"].pk, new_head_id=f["spouse"].pk,
            former_head_relationship="spouse",
        )
    ).value  # fmt: skip
    assert result["former_head_id"] == f["head"].pk
    assert Household.objects.get(pk=f["household"].pk).head_id == f["spouse"].pk
    event = OutboxEvent.objects.get(name="HouseholdHeadChanged")
    assert event.payload["former_head_id"] == f["head"].pk
    assert AuditRecord.objects.filter(name="ChangeHouseholdHead").count() == 1
    with pytest.raises(Conflict):  # already head
        execute(
            ChangeHouseholdHead(
                actor=actor_of(clerk), channel=Channel.COUNTER, jurisdiction=DANGU,
                household_id=f["household"].pk, new_head_id=f["spouse"].pk,
            )
        )  # fmt: skip


def test_death_of_a_head_names_the_successor_and_notifies_permits(
    jurisdictions_loaded: None,
) -> None:
    f = _family()
    shop = permit(f["head"], at_residence=False)
    car = vehicle(f["head"])
    with pytest.raises(ValidationFailed) as exc:
        execute(
            RecordDeath(
                actor=SYSTEM, channel=Channel.COUNTER, jurisdiction=DANGU,
                person_id=f["head"].pk, effective_on=today(),
            )
        )  # fmt: skip
    assert exc.value.field == "new_head_id"
    result = execute(
        RecordDeath(
            actor=SYSTEM, channel=Channel.COUNTER, jurisdiction=DANGU,
            person_id=f["head"].pk, effective_on=today(), new_head_id=f["spouse"].pk,
        )
    ).value  # fmt: skip
    assert Person.objects.get(pk=f["head"].pk).status == "deceased"
    assert Household.objects.get(pk=f["household"].pk).head_id == f["spouse"].pk
    assert [c["source"] for c in result["changes"]] == ["licensing"]
    notice = PermitNotice.objects.get(permit_id=shop)
    assert "지위 승계" in notice.subject
    # The vehicle is not rewritten: the heirs report its transfer.
    assert Vehicle.objects.get(pk=car).owner_id == f["head"].pk


def test_emigration_of_someone_living_alone_ends_the_household(jurisdictions_loaded: None) -> None:
    person = register("홀로")
    household = household_of(person)
    assert household is not None
    shop = permit(person)
    result = execute(
        RecordEmigration(
            actor=SYSTEM, channel=Channel.COUNTER, jurisdiction=DANGU,
            person_id=person.pk, effective_on=today(),
        )
    ).value  # fmt: skip
    assert Household.objects.get(pk=household.pk).dissolved_on == today()
    assert "국외이주" in PermitNotice.objects.get(permit_id=shop).subject
    assert result["changes"][0]["value"] == "영업 계속 여부 확인이 필요합니다"


def test_status_needs_the_declared_permission_where_the_person_lives(
    jurisdictions_loaded: None, make_staff: Any
) -> None:
    person = register("공주사람", code=SINGWAN, address="충청남도 공주시 신관로 10")
    wonju = make_staff("counter_clerk")
    auditor = make_staff("auditor", "4415000000")
    before = _snapshot()
    with pytest.raises(Forbidden):
        execute(
            RecordDeath(
                actor=actor_of(wonju), channel=Channel.COUNTER, jurisdiction=SINGWAN,
                person_id=person.pk, effective_on=today(),
            )
        )  # fmt: skip
    with pytest.raises(Forbidden):
        execute(
            RecordDeath(
                actor=actor_of(auditor), channel=Channel.COUNTER, jurisdiction=SINGWAN,
                person_id=person.pk, effective_on=today(),
            )
        )  # fmt: skip
    assert _snapshot() == before


def test_the_demo_has_a_family_for_the_whole_household_move(jurisdictions_loaded: None) -> None:
    """``make run``: wonju-clerk can move 오지현's household (three people) in one screen."""
    from minwon.kernel import rrn
    from minwon.kernel.demo import DemoContext
    from minwon.registry import demo
    from minwon.registry.queries import person_by_index

    demo.seed(DemoContext(residents=8, quiet=True))
    _rel, _sex, name, front7 = demo.HOUSEHOLD_FAMILY[1]
    head = person_by_index(rrn.blind_index(rrn.parse(demo.family_rrn(front7))))
    assert head is not None and head.name == name
    household = household_of(head)
    assert household is not None and household.head_id == head.pk
    assert [m.person.name for m in members_of(household)] == ["오지현", "한세대", "한민준"]
    reasons = set(Residence.objects.filter(person__name="한민준").values_list("reason", flat=True))
    assert reasons == {"registration", "split", "merge"}
    result = _move(household, jurisdiction=MUSIL)
    assert len(result["person_ids"]) == 3
