"""Browser: the household counter pages. A clerk changes the head of a household (form →
confirmation listing the effects → done), then moves the whole household in one screen;
every control has a real box and Tab reaches it; each step is saved as a screenshot."""

from __future__ import annotations

from typing import Any

import pytest

from minwon.registry.models import Household
from minwon.registry.queries import household_of, members_of
from minwon.vehicles.models import Vehicle
from tests.conftest import PASSWORD
from tests.e2e.conftest import axe_violations, log_in
from tests.e2e.controls import control_problems, screenshot, unreachable_by_keyboard
from tests.registry.factories import MUSIL, new_rrn, register, vehicle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _check(page: Any, name: str) -> None:
    page.wait_for_load_state("networkidle")
    screenshot(page, name)
    assert axe_violations(page) == [], page.url
    assert control_problems(page) == [], page.url
    assert unreachable_by_keyboard(page) == [], page.url


def test_change_head_then_move_the_whole_household(page: Any, make_staff: Any) -> None:
    number = new_rrn("680303", "1")
    head = register("박세대", number=number)
    household = household_of(head)
    assert household is not None
    spouse_number = new_rrn("700404", "2")
    spouse = register(
        "정배우", number=spouse_number, household_id=household.pk, relationship="spouse"
    )
    register("박자녀", household_id=household.pk, relationship="child")
    car = vehicle(spouse, plate="45무6789")
    clerk = make_staff("counter_clerk", "5113000000")
    log_in(page, clerk.username, PASSWORD)

    page.goto(f"/staff/registry/persons/{head.pk}/")
    page.get_by_role("link", name="세대 정보·세대 변경").click()
    _check(page, "household-01-page")
    page.locator("#household-actions").get_by_role("link", name="세대주 변경").click()
    _check(page, "household-02-head-form")
    page.locator("#id_new_head").select_option(str(spouse.pk))
    page.get_by_label("전 세대주와 새 세대주의 관계").select_option("spouse")
    page.get_by_role("button", name="확인 화면으로").click()
    page.wait_for_selector("#effects")
    assert "그대로입니다" in page.inner_text("#effects")
    _check(page, "household-03-head-confirm")
    assert Household.objects.get(pk=household.pk).head_id == head.pk
    page.get_by_role("button", name="세대주 변경 처리").click()
    page.wait_for_selector("#step-done")
    _check(page, "household-04-head-done")
    assert Household.objects.get(pk=household.pk).head_id == spouse.pk
    assert "세대주 정배우" in page.locator("main").inner_text()

    # The new head moves the whole household in one screen.
    page.goto(f"/staff/registry/households/{household.pk}/")
    page.locator("#household-actions").get_by_role("link", name="세대 전체 전입").click()
    _check(page, "household-05-move-form")
    page.get_by_label("세대주 주민등록번호").fill("123")
    page.get_by_label("도로명주소").fill("강원특별자치도 원주시 무실로 55")
    page.get_by_role("button", name="확인 화면으로").click()
    assert "주민등록번호" in page.locator(".form-error").first.inner_text()
    assert page.get_by_label("세대주 주민등록번호").evaluate(
        "el => el.closest('.form-group').classList.contains('has-error')"
    )
    _check(page, "household-06-move-refused")
    page.get_by_label("세대주 주민등록번호").fill(f"{spouse_number[:6]}-{spouse_number[6:]}")
    page.get_by_label("전입지 읍·면·동").select_option(MUSIL)
    page.get_by_label("도로명주소").fill("강원특별자치도 원주시 무실로 55")
    page.get_by_label("상세주소 (동·호)").fill("301호")
    page.get_by_role("button", name="확인 화면으로").click()
    page.wait_for_selector("#effects")
    members = page.inner_text("#members")
    assert "박세대" in members and "정배우" in members and "박자녀" in members
    assert "45무6789" in page.inner_text("#effects")
    _check(page, "household-07-move-confirm")
    assert Vehicle.objects.get(pk=car).base_address != "강원특별자치도 원주시 무실로 55 301호"
    page.get_by_role("button", name="세대 전체 전입 처리").click()
    page.wait_for_selector("#step-done")
    _check(page, "household-08-move-done")
    assert "45무6789" in page.inner_text("#changes")
    moved = household_of(spouse)
    assert moved is not None and moved.full_address == "강원특별자치도 원주시 무실로 55 301호"
    assert [m.person.name for m in members_of(moved)] == ["정배우", "박세대", "박자녀"]
    assert Vehicle.objects.get(pk=car).base_address == moved.full_address
