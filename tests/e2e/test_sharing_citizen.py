"""A citizen in real Chromium: gives a consent on the page, sees the agency's signed read in
the 열람 이력, objects to it, revokes the consent; the pages pass axe-core and the CSP."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from minwon.kernel import clock
from tests.conftest import PASSWORD
from tests.e2e.conftest import axe_violations, log_in
from tests.sharing.helpers import agency, request_body, resident, signed_post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_citizen_consents_sees_the_read_objects_and_revokes(page: Any, make_citizen: Any) -> None:
    who = resident(make_citizen)
    ag = agency("한국장학재단")
    log_in(page, who.user.username, PASSWORD)
    page.goto("/me/consents/")
    assert axe_violations(page) == []
    page.get_by_label("정보를 이용할 기관").select_option(label="한국장학재단")
    page.get_by_label("정보와 이용 목적").select_option(value="tax_clearance:tax_clearance")
    page.get_by_label("동의 기한").fill((clock.now().date() + timedelta(days=60)).isoformat())
    page.get_by_role("button", name="동의합니다").click()
    page.wait_for_load_state()
    assert "유효" in page.locator("#consents").inner_text()

    assert signed_post(ag, request_body(who)).status_code == 200
    page.goto("/me/access/")
    table = page.locator("#access-history")
    assert "한국장학재단" in table.inner_text() and "지방세 납세 여부" in table.inner_text()
    assert axe_violations(page) == []
    page.get_by_text("이의 제기", exact=True).last.click()
    page.get_by_label("이의 내용").fill("이 기관에 동의한 기억이 없습니다.")
    page.get_by_role("button", name="제출").click()
    page.wait_for_load_state()
    assert "접수됨" in page.locator("#access-history").inner_text()

    page.goto("/me/consents/")
    page.get_by_role("button", name="철회").click()
    page.wait_for_load_state()
    assert "철회" in page.locator("#consents").inner_text()
    assert signed_post(ag, request_body(who)).json()["code"] == "consent_revoked"
