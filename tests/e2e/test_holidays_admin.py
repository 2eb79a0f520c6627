"""Browser test of the issue's "done when": an administrator declares a 임시공휴일 on the
공휴일 관리 page and an open petition's deadline moves — shown on the page, on the staff
petition page and on the public tracking page.

The server runs in this process on another thread, so the project clock is moved for the
whole process (``clock.set_offset``) to a fixed Monday morning, and restored afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from minwon.kernel import clock
from minwon.kernel.clock import SEOUL, local
from minwon.kernel.types import NATION
from minwon.petitions import receipts
from minwon.petitions.models import Petition
from tests.conftest import PASSWORD
from tests.e2e.conftest import axe_violations, log_in
from tests.e2e.controls import screenshot
from tests.petitions.conftest import apply, catalog_loaded, citizen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["apply", "catalog_loaded", "citizen"]
MONDAY = datetime(2026, 11, 30, 9, 30, tzinfo=SEOUL)


@pytest.fixture
def on_monday() -> Iterator[None]:
    before = clock.offset()
    clock.set_offset(MONDAY - clock.wall())
    try:
        yield
    finally:
        clock.set_offset(before)


def test_administrator_declares_a_holiday_and_the_open_deadline_moves(
    page: Any, make_staff: Any, apply: Any, on_monday: None
) -> None:
    filed = apply("GRIEVANCE", when="2026-11-30T09:00")  # 7일: due 12월 8일 18:00
    receipt = filed["receipt_number"]
    petition = Petition.objects.get(application__receipt_number=receipt)
    assert local(petition.deadline_at) == datetime(2026, 12, 8, 18, tzinfo=SEOUL)
    make_staff("sysadmin", NATION, username="national-admin")
    log_in(page, "national-admin", PASSWORD)
    page.get_by_role("link", name="공휴일 관리").first.click()
    page.wait_for_selector("#declare-holiday")
    assert axe_violations(page) == []

    page.get_by_label("지정일").fill("2026-12-03")
    page.get_by_label("공휴일 이름").fill("")
    page.get_by_role("button", name="지정", exact=True).click()
    page.wait_for_selector(".form-error")
    assert "공휴일 이름을 입력하세요." in page.locator("#declare-holiday").inner_text()

    page.get_by_label("공휴일 이름").fill("임시공휴일")
    page.get_by_role("button", name="지정", exact=True).click()
    page.wait_for_selector("#deadline-changes")
    changes = page.locator("#deadline-changes").inner_text()
    assert "처리기한이 바뀐 민원 1건" in changes
    assert "임시공휴일 지정으로 처리기한 변경: 12월 8일 → 12월 9일" in changes
    assert "임시공휴일" in page.locator("#declared").inner_text()
    assert axe_violations(page) == []
    screenshot(page, "admin-holiday-declared")

    petition.refresh_from_db()
    assert local(petition.deadline_at) == datetime(2026, 12, 9, 18, tzinfo=SEOUL)
    page.locator("#deadline-changes a", has_text=petition.number).click()
    page.wait_for_load_state()
    assert "12월 8일 → 12월 9일" in page.locator("main").inner_text()
    screenshot(page, "admin-holiday-petition")

    page.goto("/track/")
    page.get_by_label("접수번호").fill(receipt)
    page.get_by_label("확인번호(PIN)").fill(receipts.pin_for(receipt))
    page.get_by_role("button", name="조회").click()
    page.wait_for_load_state()
    tracked = page.locator("main").inner_text()
    assert "임시공휴일 지정으로 처리기한 변경: 12월 8일 → 12월 9일" in tracked
    screenshot(page, "admin-holiday-tracking")
    assert timedelta(0) <= clock.now() - MONDAY < timedelta(hours=1)
