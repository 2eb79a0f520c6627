"""The shipped code list: real codes, effective dates, successors, subtree scope."""

from __future__ import annotations

from datetime import date

import pytest

from minwon.kernel import jurisdictions
from minwon.kernel.errors import ValidationFailed
from minwon.kernel.models import Jurisdiction
from tests.conftest import GONGJU, JEONJU, WANSAN, WONJU

pytestmark = pytest.mark.usefixtures("jurisdictions_loaded")


def test_demo_cities_and_their_subdivisions() -> None:
    assert Jurisdiction.objects.get(pk=WONJU).full_name == "강원특별자치도 원주시"
    assert Jurisdiction.objects.get(pk=GONGJU).full_name == "충청남도 공주시"
    assert Jurisdiction.objects.get(pk=WANSAN).parent_id == JEONJU
    for city in (WONJU, GONGJU, "5211100000", "5211300000"):
        dongs = Jurisdiction.objects.filter(
            parent_id=city, level="eupmyeondong", valid_to__isnull=True
        )
        assert dongs.count() >= 10, city


def test_every_sido_and_sigungu_in_force() -> None:
    in_force = Jurisdiction.objects.filter(valid_to__isnull=True)
    assert in_force.filter(level="sido").count() in (16, 17)
    assert in_force.filter(level="sigungu").count() >= 226


def test_retired_codes_point_to_successors() -> None:
    old = Jurisdiction.objects.get(pk="4213000000")  # 강원도 원주시 before 2023-06-11
    assert old.valid_to == date(2023, 6, 10)
    assert old.successor_id == WONJU
    assert jurisdictions.current("4213000000").code == WONJU
    assert jurisdictions.current("4213000000", on=date(2023, 1, 1)).code == "4213000000"
    assert Jurisdiction.objects.get(pk=JEONJU).valid_from == date(2024, 1, 18)


def test_subtree_containment() -> None:
    dong = Jurisdiction.objects.filter(parent_id=WONJU, level="eupmyeondong").first()
    assert dong is not None
    assert jurisdictions.contains(WONJU, dong.code)
    assert jurisdictions.contains("5100000000", dong.code)
    assert jurisdictions.contains("0000000000", dong.code)
    assert not jurisdictions.contains(GONGJU, dong.code)
    assert not jurisdictions.contains(dong.code, WONJU)
    assert jurisdictions.contains(JEONJU, WANSAN)
    assert not jurisdictions.contains(WONJU, "9999999999")
    assert jurisdictions.sigungu_of(dong.code) == WONJU


def test_unknown_code_is_a_clear_error() -> None:
    with pytest.raises(ValidationFailed) as info:
        jurisdictions.get("1234567890", field="office")
    assert info.value.field == "office"
    assert "1234567890" in info.value.message_ko


def test_loading_twice_changes_nothing() -> None:
    from minwon.kernel.management.commands.load_jurisdictions import load

    count = Jurisdiction.objects.count()
    load()
    assert Jurisdiction.objects.count() == count
