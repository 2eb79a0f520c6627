"""Vehicle register: transfer moves the 사용본거지 to the new owner; bad input is a 400."""

from __future__ import annotations

from datetime import date

import pytest

from minwon.kernel import execute
from minwon.kernel.errors import Conflict, ValidationFailed
from minwon.kernel.types import Channel
from minwon.vehicles.commands import RegisterVehicle, TransferVehicle
from minwon.vehicles.models import Vehicle
from minwon.vehicles.queries import ownership_history
from tests.registry.factories import SINGWAN, SYSTEM, register, vehicle

pytestmark = pytest.mark.django_db


def test_transfer_changes_owner_and_base_address(jurisdictions_loaded: None) -> None:
    seller = register("판매자")
    buyer = register("구매자", code=SINGWAN, address="충청남도 공주시 신관로 10")
    car = vehicle(seller)
    execute(
        TransferVehicle(
            actor=SYSTEM, channel=Channel.COUNTER, jurisdiction=SINGWAN, vehicle_id=car,
            new_owner_id=buyer.pk, transferred_on=date(2026, 1, 5),
        )
    )  # fmt: skip
    moved = Vehicle.objects.get(pk=car)
    assert moved.owner_id == buyer.pk and moved.base_address.startswith("충청남도 공주시")
    history = ownership_history(moved)
    assert [(o.owner_id, o.to_on) for o in history] == [
        (seller.pk, date(2026, 1, 5)),
        (buyer.pk, None),
    ]
    with pytest.raises(Conflict):
        vehicle(buyer, plate="12가3456")


@pytest.mark.parametrize(
    ("plate", "vin", "field"),
    [("12345", "KMHD0000000000001", "plate"), ("12가3456", "SHORT", "vin")],
)
def test_bad_plate_or_vin(jurisdictions_loaded: None, plate: str, vin: str, field: str) -> None:
    owner = register()
    with pytest.raises(ValidationFailed) as exc:
        execute(
            RegisterVehicle(
                actor=SYSTEM, channel=Channel.COUNTER, jurisdiction=owner.jurisdiction_id,
                plate=plate, vin=vin, model_name="x", model_year=2020, owner_id=owner.pk,
                registered_on=date(2020, 1, 1),
            )
        )  # fmt: skip
    assert exc.value.field == field
    assert not Vehicle.objects.exists()
