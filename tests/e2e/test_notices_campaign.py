"""Browser test of 전자고지: an officer issues the 자동차세 campaign from the staff page, the
citizen opens the bill in the inbox and acknowledges it, and the campaign page counts it."""

from __future__ import annotations

from typing import Any

import pytest

from minwon.kernel import outbox
from minwon.notices.models import Notice
from tests.conftest import PASSWORD
from tests.e2e.conftest import axe_violations, log_in
from tests.notices.conftest import PERIOD, resident, vehicle_bills

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_campaign_inbox_and_progress(
    page: Any, browser: Any, live_server: Any, make_staff: Any
) -> None:
    person, user = resident(email="kim@example.kr")
    other, _ = resident(account=False)
    assert user is not None
    vehicle_bills([person, other])
    officer = make_staff("officer", "5113000000")
    log_in(page, officer.username, PASSWORD, next_url="/staff/notices/")
    page.goto("/staff/notices/")
    assert axe_violations(page) == []
    page.get_by_label("과세 기간").fill(PERIOD)
    page.get_by_role("button", name="발송", exact=True).click()
    page.wait_for_selector("#progress")
    assert page.locator('[data-count="issued"]').inner_text() == "2"
    assert axe_violations(page) == []
    outbox.deliver_batch()  # the worker: the e-mail of the citizen with an account

    citizen = browser.new_context(locale="ko-KR", base_url=live_server.url).new_page()
    log_in(citizen, user.username, PASSWORD, next_url="/inbox/")
    citizen.goto("/inbox/")
    citizen.get_by_role("link", name="자동차세").first.click()
    steps = citizen.locator(".notice-timeline li")
    assert "열람" in steps.last.inner_text()
    assert "전자우편" in citizen.locator(".notice-timeline").inner_text()
    assert axe_violations(citizen) == []
    citizen.get_by_role("button", name="고지 내용을 확인했습니다").click()
    citizen.wait_for_load_state()
    assert "확인" in citizen.locator(".notice-timeline li").last.inner_text()
    citizen.context.close()

    page.reload()
    assert page.locator('[data-count="opened"]').inner_text() == "1"
    assert page.locator('[data-count="acknowledged"]').inner_text() == "1"
    assert page.locator('[data-count="email"]').inner_text() == "1"
    assert Notice.objects.filter(acknowledged_at__isnull=False).count() == 1
