"""전입신고: one transaction across the linked registers, the one-household rule, the
14-day deadline, the head's confirmation online, scope, and bad input."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from minwon.kernel import execute, rrn
from minwon.kernel.errors import Conflict, Forbidden, NotFound, ValidationFailed
from minwon.kernel.models import AccessLog, CommandRecord
from minwon.kernel.registry import subscribers
from minwon.kernel.types import Channel
from minwon.licensing.models import PermitNotice
from minwon.notices.models import InboxMessage
from minwon.registry.commands import (
    ChangeHouseholdHead,
    ConfirmMoveIn,
    Mover,
    RecordDeath,
    RegisterPerson,
    ReportMoveIn,
)
from minwon.registry.events import MoveInReported
from minwon.registry.models import Household, HouseholdMember, Person, Residence
from minwon.registry.queries import household_of, members_of
from minwon.tax.models import TaxBill
from minwon.vehicles.models import BaseAddressChange, Vehicle
from tests.conftest import actor_of
from tests.registry.factories import (
    MUSIL,
    SINGWAN,
    SYSTEM,
    move_in,
    new_rrn,
    permit,
    register,
    tax_bill,
    today,
    vehicle,
)

pytestmark = pytest.mark.django_db

NEW_ADDRESS = "강원특별자치도 원주시 무실로 55"


def _state(person: Person) -> dict[str, Any]:
    """Everything a move-in could change, to compare before and after a refusal."""
    return {
        "members": list(
            HouseholdMember.objects.filter(person=person).values_list(
                "household_id", "left_on", "relationship"
            )
        ),
        "residences": list(
            Residence.objects.filter(person=person).values_list("road_address", "moved_out_on")
        ),
        "vehicles": list(Vehicle.objects.filter(owner=person).values_list("base_address")),
        "bills": list(TaxBill.objects.filter(taxpayer=person).values_list("mailing_address")),
        "households": Household.objects.count(),
        "inbox": InboxMessage.objects.count(),
        "jurisdiction": Person.objects.get(pk=person.pk).jurisdiction_id,
    }


def test_move_in_changes_household_vehicle_and_tax_address_in_one_go(
    jurisdictions_loaded: None,
) -> None:
    person = register("김민원")
    car = vehicle(person)
    open_bill = tax_bill(person, vehicle_id=car)
    paid_bill = tax_bill(person)
    TaxBill.objects.filter(pk=paid_bill).update(paid_on=today())
    shop = permit(person, at_residence=True)
    old_household = household_of(person)

    result = move_in([(person, "head")], detail="3층")

    new = household_of(person)
    assert new is not None and old_household is not None
    assert new.pk == result["household_id"] != old_household.pk
    assert Household.objects.get(pk=old_household.pk).dissolved_on is not None
    assert Vehicle.objects.get(pk=car).base_address == f"{NEW_ADDRESS} 3층"
    assert Vehicle.objects.get(pk=car).jurisdiction_id == MUSIL
    assert BaseAddressChange.objects.filter(vehicle_id=car).count() == 1
    assert TaxBill.objects.get(pk=open_bill).mailing_address == f"{NEW_ADDRESS} 3층"
    # A paid bill keeps the address it was sent to.
    assert TaxBill.objects.get(pk=paid_bill).mailing_address.startswith(
        "강원특별자치도 원주시 단구로"
    )
    # The permit is not silently rewritten: its holder gets a notice.
    assert PermitNotice.objects.filter(permit_id=shop).count() == 1
    from minwon.licensing.models import Permit

    assert Permit.objects.get(pk=shop).road_address.startswith("강원특별자치도 원주시 단구로")
    # One inbox message listing everything that changed.
    messages = InboxMessage.objects.filter(recipient_index=person.rrn_index)
    assert messages.count() == 1
    labels = " ".join(i["label"] for i in messages.get().items)
    assert "12가3456" in labels and "송달 주소" in labels and "길동상회" in labels
    registers = {c["source"] for c in result["changes"]}
    assert registers == {"vehicles", "tax", "licensing"}
    # Address history: the old residence closed on the move-in date, the new one open.
    history = list(Residence.objects.filter(person=person).order_by("moved_in_on"))
    assert history[0].moved_out_on == history[1].moved_in_on
    assert history[1].moved_out_on is None


def test_failing_subscriber_rolls_back_the_whole_move_in(jurisdictions_loaded: None) -> None:
    person = register()
    car = vehicle(person)
    tax_bill(person, vehicle_id=car)
    before = _state(person)

    def explode(event: MoveInReported, *, ctx: Any) -> None:
        raise RuntimeError("tax system rejected the change")

    subscribers[MoveInReported].append(explode)
    try:
        with pytest.raises(RuntimeError):
            move_in([(person, "head")])
    finally:
        subscribers[MoveInReported].remove(explode)
    assert _state(person) == before
    assert not CommandRecord.objects.filter(name="ReportMoveIn").exists()


def test_a_person_cannot_be_in_two_households(jurisdictions_loaded: None) -> None:
    first = register("가")
    second = register("나", address="강원특별자치도 원주시 치악로 1")
    target = household_of(second)
    assert target is not None
    move_in([(first, "cohabitant")], household_id=target.pk)
    assert HouseholdMember.objects.filter(person=first, left_on__isnull=True).count() == 1
    assert household_of(first) == target
    # Joining the household one already belongs to is refused.
    with pytest.raises(Conflict):
        move_in([(first, "cohabitant")], household_id=target.pk)
    # And the database itself refuses a second open membership.
    other = Household.objects.exclude(pk=target.pk).first()
    assert other is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        HouseholdMember.objects.create(
            household=other, person=first, relationship="cohabitant", joined_on=today()
        )
    # Listing someone twice in one report is a 400.
    with pytest.raises(ValidationFailed) as exc:
        move_in([(second, "head"), (second, "spouse")])
    assert exc.value.field == "movers"


def test_late_report_is_accepted_and_flagged_effective_from_move_in_date(
    jurisdictions_loaded: None,
) -> None:
    person = register()
    moved = today() - timedelta(days=20)
    result = move_in([(person, "head")], moved_in_on=moved)
    assert result["late"] is True and result["late_days"] == 6
    current = Residence.objects.get(person=person, moved_out_on__isnull=True)
    assert current.moved_in_on == moved and current.reported_on == today()
    assert current.late
    message = InboxMessage.objects.get(recipient_index=person.rrn_index)
    assert any("과태료" in i["value"] for i in message.items)
    on_time = register("정시")
    assert move_in([(on_time, "head")], moved_in_on=today() - timedelta(days=14))["late"] is False


def test_head_leaving_members_behind_must_change_head_first(jurisdictions_loaded: None) -> None:
    head = register("세대주")
    household = household_of(head)
    assert household is not None
    spouse = register("배우자", household_id=household.pk, relationship="spouse")
    with pytest.raises(Conflict) as exc:
        move_in([(head, "head")])
    assert exc.value.code == "head_leaves_members"
    execute(
        ChangeHouseholdHead(
            actor=SYSTEM, channel=Channel.COUNTER, jurisdiction=household.jurisdiction_id,
            household_id=household.pk, new_head_id=spouse.pk, former_head_relationship="spouse",
        )
    )  # fmt: skip
    move_in([(head, "head")])
    assert [m.person_id for m in members_of(household)] == [spouse.pk]


def test_online_move_in_into_another_household_waits_for_the_head(
    jurisdictions_loaded: None, make_citizen: Any
) -> None:
    mover_number, head_number = new_rrn("950505", "2"), new_rrn("700101", "1")
    mover = register("전입자", number=mover_number)
    head = register("세대주", number=head_number, address="강원특별자치도 원주시 무실로 9")
    target = household_of(head)
    assert target is not None
    mover_user = make_citizen(mover_number, name="전입자")
    head_user = make_citizen(head_number, name="세대주")

    result = move_in(
        [(mover, "spouse")],
        actor=actor_of(mover_user),
        household_id=target.pk,
        channel=Channel.ONLINE,
    )
    assert result["state"] == "awaiting_head"
    assert household_of(mover) != target
    assert InboxMessage.objects.filter(recipient_index=head.rrn_index).count() == 1
    # Only the head may confirm.
    with pytest.raises(Forbidden):
        execute(
            ConfirmMoveIn(
                actor=actor_of(mover_user), channel=Channel.ONLINE, jurisdiction=MUSIL,
                pending_id=result["pending_id"],
            )
        )  # fmt: skip
    done = execute(
        ConfirmMoveIn(
            actor=actor_of(head_user), channel=Channel.ONLINE, jurisdiction=MUSIL,
            pending_id=result["pending_id"],
        )
    ).value  # fmt: skip
    assert done["state"] == "completed"
    assert household_of(mover) == target
    assert [m.relationship for m in members_of(target)] == ["head", "spouse"]


def test_online_citizen_cannot_move_someone_else(
    jurisdictions_loaded: None, make_citizen: Any
) -> None:
    number = new_rrn()
    register("본인", number=number)
    stranger = register("남")
    user = make_citizen(number)
    with pytest.raises(Forbidden):
        move_in([(stranger, "head")], actor=actor_of(user), channel=Channel.ONLINE)


def test_destination_office_registers_the_move_in(
    jurisdictions_loaded: None, make_staff: Any
) -> None:
    """A 원주시 clerk registers a move-in from 공주시 into 원주시, but not into 공주시."""
    wonju_clerk = actor_of(make_staff("counter_clerk", "5113000000"))
    from_gongju = register(
        "공주주민", code=SINGWAN, address="충청남도 공주시 신관로 10", actor=SYSTEM
    )
    move_in([(from_gongju, "head")], actor=wonju_clerk)
    assert Person.objects.get(pk=from_gongju.pk).jurisdiction_id == MUSIL

    stays = register("원주주민")
    before = _state(stays)
    with pytest.raises(Forbidden) as exc:
        move_in(
            [(stays, "head")], actor=wonju_clerk, code=SINGWAN, address="충청남도 공주시 웅진로 3"
        )
    assert exc.value.code == "out_of_scope"
    assert _state(stays) == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"address_code": "9999999999"}, "address_code"),
        ({"address_code": "5113000000"}, "address_code"),  # a 시, not an 읍·면·동
        ({"address_code": "abc"}, "address_code"),
        ({"moved_in_on": "future"}, "moved_in_on"),
        ({"road_address": ""}, "road_address"),
        ({"relationship": "boss"}, "movers.0.relationship"),
    ],
)
def test_bad_input_is_a_clear_400_and_changes_nothing(
    jurisdictions_loaded: None, change: dict[str, str], field: str
) -> None:
    person = register()
    before = _state(person)
    kwargs: dict[str, Any] = {
        "movers": [Mover(person_id=person.pk, relationship=change.get("relationship", "head"))],
        "road_address": change.get("road_address", NEW_ADDRESS),
        "address_code": change.get("address_code", MUSIL),
        "moved_in_on": today() + timedelta(days=3)
        if change.get("moved_in_on") == "future"
        else today(),
    }
    with pytest.raises(ValidationFailed) as exc:
        execute(ReportMoveIn(actor=SYSTEM, channel=Channel.COUNTER, jurisdiction=MUSIL, **kwargs))
    assert exc.value.field == field
    assert exc.value.message_ko and exc.value.message_en
    assert _state(person) == before


def test_unknown_person_is_404_and_invalid_rrn_is_400(jurisdictions_loaded: None) -> None:
    with pytest.raises(NotFound) as missing:
        execute(
            ReportMoveIn(
                actor=SYSTEM, channel=Channel.COUNTER, jurisdiction=MUSIL,
                movers=[Mover(person_id=999999, relationship="head")],
                road_address=NEW_ADDRESS, address_code=MUSIL, moved_in_on=today(),
            )
        )  # fmt: skip
    assert missing.value.field == "movers.0.person_id"
    with pytest.raises(ValidationFailed) as bad:
        rrn.SealedRRN.from_text("851301-1234567")
    assert bad.value.field == "rrn"
    count = Person.objects.count()
    number = new_rrn()
    register(number=number)
    with pytest.raises(Conflict):
        register(number=number)
    assert Person.objects.count() == count + 1


def test_deceased_person_cannot_move_in(jurisdictions_loaded: None) -> None:
    person = register()
    execute(
        RecordDeath(
            actor=SYSTEM, channel=Channel.COUNTER, jurisdiction=person.jurisdiction_id,
            person_id=person.pk, effective_on=today(),
        )
    )  # fmt: skip
    assert household_of(person) is None
    with pytest.raises(Conflict):
        move_in([(person, "head")])


def test_replayed_move_in_is_idempotent(jurisdictions_loaded: None) -> None:
    person = register()
    command = ReportMoveIn(
        actor=SYSTEM, channel=Channel.COUNTER, jurisdiction=MUSIL,
        movers=[Mover(person_id=person.pk, relationship="head")],
        road_address=NEW_ADDRESS, address_code=MUSIL, moved_in_on=today(),
    )  # fmt: skip
    first = execute(command)
    again = execute(command)
    assert again.replayed and again.value == first.value
    assert Residence.objects.filter(person=person).count() == 2
    assert AccessLog.objects.count() == 0  # commands themselves are not reads


def test_register_person_refuses_citizens(jurisdictions_loaded: None, make_citizen: Any) -> None:
    user = make_citizen()
    with pytest.raises(Forbidden):
        execute(
            RegisterPerson(
                actor=actor_of(user), channel=Channel.ONLINE, jurisdiction=MUSIL, name="가짜",
                sealed_rrn=rrn.SealedRRN.from_text(new_rrn()), road_address=NEW_ADDRESS,
                address_code=MUSIL, moved_in_on=today(),
            )
        )  # fmt: skip
