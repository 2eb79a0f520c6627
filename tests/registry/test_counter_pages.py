"""Counter pages for household changes: each shows the people and the linked-register
forecast before the clerk confirms, changes nothing until then, lists what changed after;
bad input comes back beside the field with a 4xx; out of scope and absent are one 404."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from minwon.kernel.models import AccessLog, CommandRecord
from minwon.licensing.models import PermitNotice
from minwon.registry.models import Household, Person
from minwon.registry.queries import household_of, members_of
from minwon.vehicles.models import Vehicle
from tests.registry.factories import (
    DANGU,
    MUSIL,
    SINGWAN,
    new_rrn,
    permit,
    register,
    today,
    vehicle,
)

pytestmark = pytest.mark.django_db

NEW = "강원특별자치도 원주시 무실로 55"


@pytest.fixture
def clerk(make_staff: Any) -> Client:
    client = Client()
    client.force_login(make_staff("counter_clerk", "5113000000"))
    return client


def _family(number: str = "", spouse_number: str = "") -> dict[str, Any]:
    head = register("김가장", number=number)
    household = household_of(head)
    assert household is not None
    spouse = register(
        "이배우", number=spouse_number, household_id=household.pk, relationship="spouse"
    )
    child = register("김아이", household_id=household.pk, relationship="child")
    return {"head": head, "spouse": spouse, "child": child, "household": household}


def _text(response: Any) -> str:
    return str(response.content.decode())


def test_household_page_links_every_change(jurisdictions_loaded: None, clerk: Client) -> None:
    f = _family()
    page = clerk.get(f"/staff/registry/households/{f['household'].pk}/")
    html = _text(page)
    assert page.status_code == 200
    for name in (
        "김가장",
        "이배우",
        "김아이",
        "세대주 변경",
        "세대 합가",
        "세대 분리",
        "세대 전체 전입",
    ):
        assert name in html
    person = _text(clerk.get(f"/staff/registry/persons/{f['head'].pk}/"))
    assert f"/staff/registry/households/{f['household'].pk}/" in person
    assert f"/staff/registry/persons/{f['head'].pk}/status/" in person


def test_change_head_page_confirms_then_changes(jurisdictions_loaded: None, clerk: Client) -> None:
    f = _family()
    url = f"/staff/registry/households/{f['household'].pk}/head/"
    form = {"new_head": f["spouse"].pk, "former_head_relationship": "spouse"}
    confirm = clerk.post(url, form)
    assert confirm.status_code == 200
    assert "연계 대장에 미칠 영향" in _text(confirm) and "그대로입니다" in _text(confirm)
    assert Household.objects.get(pk=f["household"].pk).head_id == f["head"].pk
    assert not CommandRecord.objects.filter(name="ChangeHouseholdHead").exists()
    done = clerk.post(url, {**form, "confirm": "1"})
    assert done.status_code == 200 and "처리되었습니다" in _text(done)
    assert Household.objects.get(pk=f["household"].pk).head_id == f["spouse"].pk
    # Bad input: a person who is not a member; nothing changes, the field is named.
    bad = clerk.post(url, {"new_head": f["spouse"].pk, "former_head_relationship": "boss"})
    assert bad.status_code == 400 and "전 세대주와 새 세대주의 관계" in _text(bad)


def test_whole_household_move_in_one_screen(jurisdictions_loaded: None, clerk: Client) -> None:
    number = new_rrn("700707", "1")
    f = _family(number)
    car = vehicle(f["spouse"], plate="12하3456")
    shop = permit(f["head"], at_residence=True)
    # The single move-in refuses a head with members and points to this page.
    single = clerk.post(
        "/staff/registry/move-in/",
        {"rrn": number, "address_code": MUSIL, "road_address": NEW, "relationship": "head",
         "moved_in_on": today().isoformat()},
    )  # fmt: skip
    assert "/staff/registry/household-move-in/" in _text(single)
    form = {
        "rrn": number, "address_code": MUSIL, "road_address": NEW, "address_detail": "7층",
        "moved_in_on": (today() - timedelta(days=1)).isoformat(),
    }  # fmt: skip
    confirm = clerk.post("/staff/registry/household-move-in/", form)
    html = _text(confirm)
    assert confirm.status_code == 200
    assert "이배우" in html and "김아이" in html and "12하3456" in html and "길동상회" in html
    assert number not in html.replace(f'value="{number}"', "")  # only the hidden field carries it
    assert Vehicle.objects.get(pk=car).base_address != f"{NEW} 7층"
    done = clerk.post("/staff/registry/household-move-in/", {**form, "confirm": "1"})
    assert done.status_code == 200 and "처리되었습니다" in _text(done)
    new = household_of(f["head"])
    assert new is not None and new.full_address == f"{NEW} 7층"
    assert len(members_of(new)) == 3
    assert Vehicle.objects.get(pk=car).base_address == f"{NEW} 7층"
    assert PermitNotice.objects.filter(permit_id=shop).count() == 1
    assert "12하3456" in _text(done)


def test_whole_household_move_refuses_a_member_and_bad_input(
    jurisdictions_loaded: None, clerk: Client
) -> None:
    number, spouse_number = new_rrn("710707", "1"), new_rrn("720707", "2")
    f = _family(number, spouse_number)
    member = clerk.post(
        "/staff/registry/household-move-in/",
        {"rrn": spouse_number, "address_code": MUSIL, "road_address": NEW,
         "moved_in_on": today().isoformat()},
    )  # fmt: skip
    assert member.status_code == 400 and "세대주가 아닙니다" in _text(member)
    form = {"rrn": "123", "address_code": MUSIL, "road_address": NEW,
            "moved_in_on": today().isoformat()}  # fmt: skip
    bad = clerk.post("/staff/registry/household-move-in/", form)
    assert bad.status_code == 400 and "주민등록번호" in _text(bad)
    future = clerk.post(
        "/staff/registry/household-move-in/",
        {**form, "rrn": number, "moved_in_on": (today() + timedelta(days=3)).isoformat(),
         "confirm": "1"},
    )  # fmt: skip
    assert future.status_code == 400 and "미래의 날짜" in _text(future)
    assert household_of(f["head"]).pk == f["household"].pk  # type: ignore[union-attr]


def test_merge_page_asks_relationships_then_confirms(
    jurisdictions_loaded: None, clerk: Client
) -> None:
    f = _family()
    parent = register("김부모", code=MUSIL, address="강원특별자치도 원주시 무실로 9")
    car = vehicle(parent, plate="34러5678")
    absorbed = household_of(parent)
    assert absorbed is not None
    url = f"/staff/registry/households/{f['household'].pk}/merge/"
    step = clerk.post(url, {"absorbed_household_id": absorbed.pk, "moved_in_on": today()})
    assert step.status_code == 200 and f"rel_{parent.pk}" in _text(step)
    form = {
        "absorbed_household_id": absorbed.pk,
        "moved_in_on": today(),
        f"rel_{parent.pk}": "parent",
    }
    confirm = clerk.post(url, form)
    assert "34러5678" in _text(confirm) and "연계 대장에 미칠 영향" in _text(confirm)
    done = clerk.post(url, {**form, "confirm": "1"})
    assert done.status_code == 200
    assert Household.objects.get(pk=absorbed.pk).dissolved_on == today()
    assert Vehicle.objects.get(pk=car).base_address == f["household"].full_address
    missing = clerk.post(url, {"absorbed_household_id": 987654, "moved_in_on": today()})
    assert missing.status_code == 404 and "합가할 세대를 찾을 수 없습니다" in _text(missing)
    bad = clerk.post(url, {"absorbed_household_id": "열", "moved_in_on": today()})
    assert bad.status_code == 400 and "세대 번호는 숫자로" in _text(bad)


def test_split_page_same_address(jurisdictions_loaded: None, clerk: Client) -> None:
    f = _family()
    url = f"/staff/registry/households/{f['household'].pk}/split/"
    page = clerk.get(url)
    assert page.status_code == 200 and "같은 주소에서 세대 분리" in _text(page)
    form = {"new_head": f["child"].pk, f"rel_{f['spouse'].pk}": "stay", "moved_in_on": today()}
    confirm = clerk.post(url, form)
    assert confirm.status_code == 200 and "주소가 그대로" in _text(confirm)
    done = clerk.post(url, {**form, "confirm": "1"})
    assert done.status_code == 200
    child_household = household_of(f["child"])
    assert child_household is not None and child_household.pk != f["household"].pk
    assert child_household.head_id == f["child"].pk
    head_only = clerk.post(url, {"new_head": f["head"].pk, "moved_in_on": today()})
    assert head_only.status_code == 400 and "새 세대의 세대주" in _text(head_only)


def test_status_page_records_a_death_with_the_forecast(
    jurisdictions_loaded: None, clerk: Client
) -> None:
    f = _family()
    shop = permit(f["head"], at_residence=False)
    car = vehicle(f["head"], plate="56너7890")
    url = f"/staff/registry/persons/{f['head'].pk}/status/"
    page = clerk.get(url)
    assert page.status_code == 200 and "남는 세대의 새 세대주" in _text(page)
    form = {"status": "deceased", "effective_on": today(), "new_head": f["spouse"].pk}
    confirm = clerk.post(url, form)
    html = _text(confirm)
    assert "56너7890" in html and "상속" in html and "지위 승계" in html
    assert Person.objects.get(pk=f["head"].pk).status == "active"
    done = clerk.post(url, {**form, "confirm": "1"})
    assert done.status_code == 200 and "길동상회" in _text(done)
    assert Person.objects.get(pk=f["head"].pk).status == "deceased"
    assert PermitNotice.objects.filter(permit_id=shop).count() == 1
    assert Vehicle.objects.get(pk=car).owner_id == f["head"].pk
    again = clerk.post(url, {**form, "confirm": "1"})
    assert again.status_code == 409 and "이미 사망 상태입니다" in _text(again)
    assert PermitNotice.objects.filter(permit_id=shop).count() == 1


def test_status_page_refuses_a_future_date(jurisdictions_loaded: None, clerk: Client) -> None:
    person = register("미래")
    url = f"/staff/registry/persons/{person.pk}/status/"
    bad = clerk.post(url, {"status": "emigrated", "effective_on": today() + timedelta(days=1),
                           "confirm": "1"})  # fmt: skip
    assert bad.status_code == 400 and "미래의 날짜" in _text(bad)
    typo = clerk.post(url, {"status": "emigrated", "effective_on": "어제"})
    assert typo.status_code == 400 and "YYYY-MM-DD" in _text(typo)
    assert Person.objects.get(pk=person.pk).status == "active"


def test_pages_out_of_scope_are_the_absent_404(
    jurisdictions_loaded: None, clerk: Client, make_staff: Any
) -> None:
    gongju = register("공주", code=SINGWAN, address="충청남도 공주시 신관로 10")
    household = household_of(gongju)
    assert household is not None
    officer = Client()
    officer.force_login(make_staff("officer"))
    wonju = register("원주", code=DANGU)
    wonju_household = household_of(wonju)
    assert wonju_household is not None
    for suffix in ("", "head/", "merge/", "split/"):
        there = clerk.get(f"/staff/registry/households/{household.pk}/{suffix}")
        absent = clerk.get(f"/staff/registry/households/987654/{suffix}")
        assert there.status_code == absent.status_code == 404
    # An officer reads the household but may not change it: the change pages are 404.
    assert officer.get(f"/staff/registry/households/{wonju_household.pk}/").status_code == 200
    assert officer.get(f"/staff/registry/households/{wonju_household.pk}/head/").status_code == 404
    assert clerk.get(f"/staff/registry/persons/{gongju.pk}/status/").status_code == 404
    citizen = Client()
    assert citizen.get("/staff/registry/household-move-in/").status_code == 302


def test_picker_takes_part_of_a_name_and_a_birth_date(
    jurisdictions_loaded: None, clerk: Client
) -> None:
    register("김민원", number=new_rrn("850315", "1"))
    register("김다른", number=new_rrn("900101", "2"))
    register(
        "공주김", number=new_rrn("850315", "1"), code=SINGWAN, address="충청남도 공주시 신관로 10"
    )
    page = clerk.get("/staff/registry/pick/")
    assert page.status_code == 200 and 'method="post"' in _text(page)
    found = clerk.post("/staff/registry/pick/", {"name": "김", "birth_date": "1985-03-15",
                                                 "purpose": "상담"})  # fmt: skip
    html = _text(found)
    assert found.status_code == 200 and "김민원" in html and "김다른" not in html
    assert "공주김" not in html  # out of scope
    part = clerk.post("/staff/registry/pick/", {"name": "민원", "purpose": "상담"})
    assert "김민원" in _text(part)
    alone = clerk.post("/staff/registry/pick/", {"name": "김", "purpose": "상담"})
    assert alone.status_code == 400 and "생년월일도 입력하세요" in _text(alone)
    assert AccessLog.objects.filter(what="search", purpose="상담").count() == 2


def test_merge_refused_by_the_command_names_the_date_and_changes_nothing(
    jurisdictions_loaded: None, clerk: Client
) -> None:
    from minwon.registry.models import HouseholdMember

    f = _family()
    parent = register("김부모", code=MUSIL, address="강원특별자치도 원주시 무실로 9")
    absorbed = household_of(parent)
    assert absorbed is not None
    url = f"/staff/registry/households/{f['household'].pk}/merge/"
    form = {"absorbed_household_id": absorbed.pk, f"rel_{parent.pk}": "parent", "confirm": "1"}
    before = HouseholdMember.objects.filter(household=f["household"]).count()
    early = clerk.post(url, {**form, "moved_in_on": today() - timedelta(days=900)})
    html = _text(early)
    assert early.status_code == 400 and "현재 주소의 전입일보다 앞설 수 없습니다" in html
    assert 'id="id_moved_in_on_error"' in html
    assert HouseholdMember.objects.filter(household=f["household"]).count() == before
    assert Household.objects.get(pk=absorbed.pk).dissolved_on is None
