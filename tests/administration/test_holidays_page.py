"""The 공휴일 관리 page: a national administrator declares a 임시공휴일 on the page and the
open deadlines move (the issue's "done when"); bad input names the field, answers 4xx and
changes nothing; anyone else is refused."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client

from minwon.accounts.models import User
from minwon.kernel import clock
from minwon.kernel.clock import local
from minwon.kernel.models import CommandRecord, DeclaredHoliday
from minwon.kernel.types import NATION
from minwon.petitions.models import Petition, PetitionStep
from tests.petitions.conftest import WONJU, at

pytestmark = pytest.mark.django_db
URL = "/staff/admin/holidays/"


@pytest.fixture
def admin(make_staff: Callable[..., User]) -> Client:
    client = Client()
    client.force_login(make_staff("sysadmin", NATION))
    return client


def _post(client: Client, **data: Any) -> Any:
    data.setdefault("command_id", str(uuid.uuid4()))
    with clock.frozen_at(at("2026-12-01T09:30")):
        return client.post(URL, data)


def test_declaring_on_the_page_moves_an_open_deadline(
    admin: Client, apply: Callable[..., dict[str, Any]]
) -> None:
    receipt = apply("GRIEVANCE", when="2026-11-30T10:00")["receipt_number"]
    response = _post(admin, day="2026-12-03", name="임시공휴일")
    assert response.status_code == 302
    with clock.frozen_at(at("2026-12-01T09:30")):
        page = admin.get(response["Location"])
    html = page.content.decode()
    assert "처리기한이 바뀐 민원 1건" in html
    assert "임시공휴일 지정으로 처리기한 변경: 12월 8일 → 12월 9일" in html
    petition = Petition.objects.get(application__receipt_number=receipt)
    assert local(petition.deadline_at) == at("2026-12-09T18:00")
    assert "2026-12-03" in html or "2026. 12. 3." in html or "12월 3일" in html
    staff_page = admin.get(f"/staff/petitions/{receipt}/1/")
    assert "임시공휴일 지정으로 처리기한 변경: 12월 8일 → 12월 9일" in staff_page.content.decode()


def test_the_same_form_twice_declares_once(
    admin: Client, apply: Callable[..., dict[str, Any]]
) -> None:
    apply("GRIEVANCE", when="2026-11-30T10:00")
    key = str(uuid.uuid4())
    assert _post(admin, day="2026-12-03", name="임시공휴일", command_id=key).status_code == 302
    assert _post(admin, day="2026-12-03", name="임시공휴일", command_id=key).status_code == 302
    assert CommandRecord.objects.filter(name="DeclareHoliday").count() == 1
    assert PetitionStep.objects.filter(action="calendar_change").count() == 1


@pytest.mark.parametrize(
    ("data", "message", "status"),
    [
        (
            {"day": "2026-13-40", "name": "임시공휴일"},
            "지정일을 YYYY-MM-DD 형식으로 입력하세요.",
            400,
        ),
        ({"day": "", "name": "임시공휴일"}, "지정일을 입력하세요.", 400),
        ({"day": "2026-12-03", "name": ""}, "공휴일 이름을 입력하세요.", 400),
        ({"day": "2026-12-03", "name": "가" * 61}, "공휴일 이름은 60자 이내로 입력하세요.", 400),
        ({"day": "2026-12-05", "name": "임시공휴일"}, "12월 5일은 이미 쉬는 날입니다(주말).", 409),
        (
            {"day": "2026-12-25", "name": "임시공휴일"},
            "12월 25일은 이미 쉬는 날입니다(기독탄신일).",
            409,
        ),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(
    admin: Client, data: dict[str, str], message: str, status: int
) -> None:
    response = _post(admin, **data)
    assert response.status_code == status
    assert message in response.content.decode()
    assert not DeclaredHoliday.objects.exists()
    assert not CommandRecord.objects.filter(name="DeclareHoliday").exists()


def test_withdrawing_on_the_page(admin: Client, apply: Callable[..., dict[str, Any]]) -> None:
    receipt = apply("GRIEVANCE", when="2026-11-30T10:00")["receipt_number"]
    _post(admin, day="2026-12-03", name="임시공휴일")
    with clock.frozen_at(at("2026-12-01T09:40")):
        response = admin.post(
            f"{URL}withdraw/", {"day": "2026-12-03", "command_id": str(uuid.uuid4())}
        )
        assert response.status_code == 302
        html = admin.get(response["Location"]).content.decode()
    assert "임시공휴일 지정 취소로 처리기한 변경: 12월 9일 → 12월 8일" in html
    assert not DeclaredHoliday.objects.filter(date=date(2026, 12, 3)).exists()
    petition = Petition.objects.get(application__receipt_number=receipt)
    assert local(petition.deadline_at) == at("2026-12-08T18:00")


def test_a_city_administrator_sees_the_list_but_cannot_declare(
    make_staff: Callable[..., User], catalog_loaded: None
) -> None:
    client = Client()
    client.force_login(make_staff("sysadmin", WONJU))
    page = client.get(URL)
    assert page.status_code == 200
    assert 'id="declare-holiday"' not in page.content.decode()
    assert _post(client, day="2026-12-03", name="임시공휴일").status_code == 403
    assert not DeclaredHoliday.objects.exists()


@pytest.mark.parametrize("role", ["counter_clerk", "officer", "department_head", "operator"])
def test_other_staff_are_refused_and_see_no_menu_entry(
    make_staff: Callable[..., User], role: str
) -> None:
    client = Client()
    client.force_login(make_staff(role, WONJU))
    assert client.get(URL).status_code == 403
    assert _post(client, day="2026-12-03", name="x").status_code == 403
    assert URL not in client.get("/staff/").content.decode()
    assert not DeclaredHoliday.objects.exists()


def test_the_menu_leads_the_administrator_here(admin: Client) -> None:
    assert URL in admin.get("/staff/").content.decode()


def test_a_citizen_and_an_anonymous_caller_are_refused(
    make_citizen: Callable[..., User],
) -> None:
    client = Client()
    assert client.get(URL).status_code == 302
    client.force_login(make_citizen())
    assert client.get(URL).status_code == 403


def test_only_the_system_administrator_gets_the_link_to_the_read_only_admin(
    admin: Client, make_staff: Callable[..., User]
) -> None:
    home = admin.get("/staff/").content.decode()
    assert 'id="django-admin-link"' in home and 'href="/admin/"' in home
    assert admin.get("/admin/").status_code == 200
    for role in ("counter_clerk", "officer", "department_head", "operator", "auditor"):
        client = Client()
        client.force_login(make_staff(role, WONJU))
        assert 'id="django-admin-link"' not in client.get("/staff/").content.decode()
        assert client.get("/admin/").status_code == 302  # Django's own log-in page


def test_the_administration_pages_speak_english(admin: Client) -> None:
    from tests.web.test_english import assert_no_korean, texts

    admin.post("/i18n/setlang/", {"language": "en", "next": "/staff/"})
    _post(admin, day="2026-12-03", name="Temporary holiday")
    for url in (
        URL,
        "/staff/admin/accounts/",
        "/staff/admin/agency-keys/",
        "/staff/admin/catalog/",
    ):
        response = admin.get(url)
        assert response.status_code == 200
        found = texts(response.content.decode())
        assert_no_korean(found)
    assert "Declare a temporary holiday" in admin.get(URL).content.decode()
