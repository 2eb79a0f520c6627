"""Pages: staff search and person (with a logged reveal), citizens' household, history and
online move-in."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from minwon.kernel.models import AccessLog
from minwon.registry.models import PendingMoveIn
from minwon.registry.queries import household_of
from tests.registry.factories import MUSIL, new_rrn, register, today

pytestmark = pytest.mark.django_db


def test_staff_search_person_and_reveal(jurisdictions_loaded: None, make_staff: Any) -> None:
    number = new_rrn()
    person = register("한검색", number=number)
    client = Client()
    client.force_login(make_staff("counter_clerk", "5113000000"))
    page = client.get("/staff/registry/persons/", {"name": "한검색", "purpose": "상담"})
    assert page.status_code == 200 and "한검색" in page.content.decode()
    assert number not in page.content.decode()
    detail = client.get(f"/staff/registry/persons/{person.pk}/")
    assert "******" in detail.content.decode()
    revealed = client.post(f"/staff/registry/persons/{person.pk}/", {"purpose": "본인 확인"})
    assert f"{number[:6]}-{number[6:]}" in revealed.content.decode()
    assert AccessLog.objects.filter(what="reveal_rrn", purpose="본인 확인").count() == 1
    citizen = Client()
    assert citizen.get("/staff/registry/move-in/").status_code == 302


def test_staff_search_form_posts_and_answers_with_the_results(
    jurisdictions_loaded: None, make_staff: Any
) -> None:
    number = new_rrn("850515", "2")
    person = register("한검색", number=number)
    client = Client()
    client.force_login(make_staff("counter_clerk", "5113000000"))
    form = client.get("/staff/registry/persons/").content.decode()
    assert '<form method="post" action="/staff/registry/persons/"' in form
    by_rrn = client.post("/staff/registry/persons/", {"rrn": number, "purpose": "상담"})
    html = by_rrn.content.decode()
    assert by_rrn.status_code == 200 and f"/staff/registry/persons/{person.pk}/" in html
    assert number not in html and f"{number[:6]}-{number[6:]}" not in html
    by_birth = client.post(
        "/staff/registry/persons/",
        {"name": "한검색", "birth_date": person.birth_date.isoformat(), "purpose": "상담"},
    )
    assert f"/staff/registry/persons/{person.pk}/" in by_birth.content.decode()
    other_day = client.post(
        "/staff/registry/persons/",
        {"name": "한검색", "birth_date": "1999-09-09", "purpose": "상담"},
    )
    assert f"/staff/registry/persons/{person.pk}/" not in other_day.content.decode()


@pytest.mark.personal_url_probe
@pytest.mark.parametrize(
    ("field", "words"), [("rrn", "주민등록번호는"), ("birth_date", "생년월일은")]
)
def test_staff_search_by_get_with_a_number_or_birth_date_is_refused_untried(
    jurisdictions_loaded: None, make_staff: Any, field: str, words: str
) -> None:
    number = new_rrn("850515", "2")
    person = register("한검색", number=number)
    client = Client()
    client.force_login(make_staff("counter_clerk", "5113000000"))
    value = number if field == "rrn" else person.birth_date.isoformat()
    logged = AccessLog.objects.count()
    page = client.get("/staff/registry/persons/", {"name": "한검색", field: value, "purpose": "x"})
    html = page.content.decode()
    assert page.status_code == 400
    assert f"{words} 주소(URL)에 넣을 수 없습니다" in html
    assert value not in html and "한검색" not in html
    assert AccessLog.objects.count() == logged  # nobody was looked up


def test_citizen_pages_and_online_move_in(jurisdictions_loaded: None, make_citizen: Any) -> None:
    head_number, my_number = new_rrn("700101", "1"), new_rrn("990101", "2")
    head = register(
        "세대주", number=head_number, code=MUSIL, address="강원특별자치도 원주시 무실로 9"
    )
    register("나", number=my_number)
    target = household_of(head)
    assert target is not None
    me_client, head_client = Client(), Client()
    me_client.force_login(make_citizen(my_number))
    head_client.force_login(make_citizen(head_number))
    assert "나" in me_client.get("/registry/household/").content.decode()
    assert "단구로" in me_client.get("/registry/history/").content.decode()
    response = me_client.post(
        "/registry/move-in/",
        {
            "address_code": MUSIL,
            "road_address": "강원특별자치도 원주시 무실로 9",
            "household_id": target.pk,
            "relationship": "cohabitant",
            "moved_in_on": today().isoformat(),
        },
    )
    assert response.status_code == 302
    pending = PendingMoveIn.objects.get()
    assert pending.state == "pending"
    page = head_client.get("/registry/household/").content.decode()
    assert "세대주 확인이 필요한 전입" in page
    head_client.post("/registry/household/", {"pending_id": pending.pk, "accept": "1"})
    pending.refresh_from_db()
    assert pending.state == "confirmed"
    assert "나" in head_client.get("/registry/household/").content.decode()
