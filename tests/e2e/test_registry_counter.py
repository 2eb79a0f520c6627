"""Browser test of the counter move-in screen: a clerk types the number, picks the
destination and presses Enter through the fields; the page shows what changed."""

from __future__ import annotations

from typing import Any

import pytest

from minwon.registry.models import Residence
from minwon.vehicles.models import Vehicle
from tests.conftest import PASSWORD
from tests.e2e.conftest import axe_violations, log_in
from tests.registry.factories import MUSIL, new_rrn, register, vehicle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_counter_move_in_screen(page: Any, make_staff: Any) -> None:
    number = new_rrn("880808", "1")
    person = register("최창구", number=number)
    car = vehicle(person, plate="34나5678")
    clerk = make_staff("counter_clerk", "5113000000")
    log_in(page, clerk.username, PASSWORD, next_url="/staff/registry/move-in/")
    page.goto("/staff/registry/move-in/")
    assert axe_violations(page) == []

    rrn_box = page.get_by_label("전입자 주민등록번호")
    assert rrn_box.evaluate("el => el === document.activeElement")
    rrn_box.fill(f"{number[:6]}-{number[6:]}")
    rrn_box.press("Enter")  # moves to the next field, does not submit
    assert page.get_by_label("전입지 읍·면·동").evaluate("el => el === document.activeElement")
    page.get_by_label("전입지 읍·면·동").select_option(MUSIL)
    page.get_by_label("도로명주소").fill("강원특별자치도 원주시 무실로 55")
    page.get_by_label("상세주소 (동·호)").fill("201호")
    page.get_by_role("button", name="전입 처리").click()

    page.wait_for_selector("#move-in-done")
    body = page.locator("main").inner_text()
    assert "34나5678" in body and "무실로 55 201호" in body
    assert axe_violations(page) == []
    assert Vehicle.objects.get(pk=car).base_address == "강원특별자치도 원주시 무실로 55 201호"
    assert (
        Residence.objects.filter(person=person, moved_out_on__isnull=True).get().jurisdiction_id
        == MUSIL
    )

    # A wrong address code is refused with the message beside the field; nothing changes.
    page.get_by_role("link", name="다음 전입신고").click()
    page.get_by_label("전입자 주민등록번호").fill("123")
    page.get_by_label("도로명주소").fill("강원특별자치도 원주시 무실로 56")
    page.get_by_role("button", name="전입 처리").click()
    assert "주민등록번호가 올바르지 않습니다" in page.locator(".form-error").first.inner_text()
    assert Residence.objects.filter(person=person).count() == 2


def test_person_search_posts_the_number_and_answers_with_the_result(
    page: Any, make_staff: Any
) -> None:
    number = new_rrn("880909", "2")
    person = register("최검색", number=number)
    clerk = make_staff("counter_clerk", "5113000000")
    log_in(page, clerk.username, PASSWORD, next_url="/staff/registry/persons/")
    page.goto("/staff/registry/persons/")
    page.get_by_label("주민등록번호").fill(f"{number[:6]}-{number[6:]}")
    page.locator("main form.minwon-form").get_by_role("button", name="검색", exact=True).click()
    page.wait_for_selector("#results-heading")
    assert page.url.endswith("/staff/registry/persons/"), page.url  # nothing in the URL
    assert page.get_by_role("link", name="최검색").get_attribute("href") == (
        f"/staff/registry/persons/{person.pk}/"
    )
    assert number[7:] not in page.locator("main").inner_text()  # masked, not echoed
    assert axe_violations(page) == []
