"""Browser test of the staff portal: wonju-officer lands on /staff/, the search box has the
focus, two syllables find the person (and not 공주시's namesake), "민원" finds the petition,
the keyboard alone opens the hit; the pages pass axe-core."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PASSWORD, WONJU
from tests.e2e.conftest import axe_violations, log_in
from tests.petitions.conftest import apply, catalog_loaded, citizen
from tests.registry.factories import SINGWAN, register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["apply", "catalog_loaded", "citizen"]
SHOTS = Path(os.environ.get("MINWON_SCREENSHOTS", "var/screenshots"))


def test_officer_lands_on_the_portal_and_finds_by_two_syllables(
    page: Any, make_staff: Any, apply: Any
) -> None:
    wonju = register("윤서연")
    gongju = register("윤서연", code=SINGWAN, address="충청남도 공주시 신관로 10")
    receipt = apply("GRIEVANCE")["receipt_number"]
    make_staff("officer", WONJU, username="wonju-officer")
    log_in(page, "wonju-officer", PASSWORD)
    assert page.url.endswith("/staff/")
    assert page.get_by_role("heading", name="처리할 민원").is_visible()
    assert receipt in page.locator("main").inner_text(), "the queue shows the new petition"
    box = page.get_by_label("통합검색")
    assert box.evaluate("el => el === document.activeElement")
    assert axe_violations(page) == []

    box.fill("서연")
    box.press("Enter")
    page.wait_for_selector("#kind-person")
    hits = page.locator("#kind-person .portal-hit-title")
    assert hits.count() == 1 and hits.first.inner_text() == "윤서연"
    assert page.locator("#kind-person mark").first.inner_text() == "서연"
    assert f"/open/person/{gongju.pk}/" not in page.content()
    assert axe_violations(page) == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "portal-search.png"), full_page=True)

    page.locator("body").click()
    page.keyboard.press("/")
    assert page.get_by_label("통합검색").evaluate("el => el === document.activeElement")
    page.keyboard.type("민원")
    page.keyboard.press("Enter")
    page.wait_for_selector("#kind-petition")
    assert receipt in page.locator("#kind-petition").inner_text()

    page.goto("/staff/")
    page.screenshot(path=str(SHOTS / "portal-home.png"), full_page=True)
    page.get_by_label("통합검색").fill("윤서")
    page.keyboard.press("Enter")
    page.wait_for_selector("#kind-person")
    page.locator("#kind-person .portal-hit-title").first.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert f"/staff/registry/persons/{wonju.pk}/" in page.url
