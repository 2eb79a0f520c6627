"""Land register: 법정동 code checks, owner history and 공시지가."""

from __future__ import annotations

from datetime import date

import pytest

from minwon.kernel import execute
from minwon.kernel.errors import ValidationFailed
from minwon.kernel.types import Channel
from minwon.land.commands import RegisterParcel, SetLandPrice, TransferParcel
from minwon.land.models import Parcel
from minwon.land.queries import land_prices, owner_history
from tests.registry.factories import SYSTEM, register

pytestmark = pytest.mark.django_db


def _parcel(owner_id: int, code: str = "5113010700") -> int:
    return int(
        execute(
            RegisterParcel(
                actor=SYSTEM, channel=Channel.COUNTER, jurisdiction="5113000000",
                legal_dong_code=code, legal_dong_name="단구동", main_no=123, sub_no=4,
                category="대", area_m2="330.5", owner_id=owner_id, acquired_on=date(2010, 3, 1),
            )
        ).value["parcel_id"]
    )  # fmt: skip


def test_parcel_history_and_prices(jurisdictions_loaded: None) -> None:
    first, second = register("가"), register("나")
    pid = _parcel(first.pk)
    execute(TransferParcel(actor=SYSTEM, channel=Channel.COUNTER, jurisdiction="5113000000",
                           parcel_id=pid, new_owner_id=second.pk, transferred_on=date(2025, 6, 1),
                           cause="상속"))  # fmt: skip
    for year, price in ((2025, 1_000_000), (2026, 1_050_000)):
        execute(SetLandPrice(actor=SYSTEM, channel=Channel.COUNTER, jurisdiction="5113000000",
                             parcel_id=pid, year=year, won_per_m2=price))  # fmt: skip
    parcel = Parcel.objects.get(pk=pid)
    assert parcel.pnu == "5113010700101230004" and parcel.lot_label == "단구동 123-4"
    assert parcel.jurisdiction_id == "5113000000"
    assert [(o.owner_id, o.cause) for o in owner_history(parcel)] == [
        (first.pk, "신규등록"),
        (second.pk, "상속"),
    ]
    assert [p.year for p in land_prices(parcel)] == [2026, 2025]


def test_unknown_legal_dong_code_is_400(jurisdictions_loaded: None) -> None:
    owner = register()
    with pytest.raises(ValidationFailed) as exc:
        _parcel(owner.pk, code="9999910100")
    assert exc.value.field == "legal_dong_code"
    assert not Parcel.objects.exists()
