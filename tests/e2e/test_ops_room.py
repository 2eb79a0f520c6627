"""The situation room in a real browser: it updates live, without a reload, when a
certificate is issued elsewhere, and it passes axe-core."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from minwon.kernel.types import NATION
from minwon.ops import rollups
from tests.conftest import PASSWORD
from tests.e2e.conftest import axe_violations, log_in
from tests.ops.conftest import issue

pytestmark = pytest.mark.browser


def issue_elsewhere(count: int) -> None:
    """Issue certificate-like commands from another thread (another clerk's request)."""

    def work() -> None:
        try:
            for _ in range(count):
                issue()
        finally:
            connection.close()

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(timeout=30)


@pytest.mark.django_db(transaction=True)
def test_room_updates_live_when_a_certificate_is_issued(page: Any, make_staff: Any) -> None:
    from playwright.sync_api import expect

    rollups.discard_pending()
    operator = make_staff("operator", NATION)
    log_in(page, operator.username, PASSWORD, next_url="/ops/")
    page.goto("/ops/")
    tile = page.get_by_test_id("today-issuances")
    expect(tile).to_have_text("0")
    expect(page.locator("#chart-work canvas")).to_have_count(1)
    assert axe_violations(page) == []

    page.evaluate("window.__sameDocument = true")
    issue_elsewhere(3)
    expect(tile).to_have_text("3", timeout=15_000)
    # Updated in place: still the same document, no navigation happened.
    assert page.evaluate("window.__sameDocument === true")
    expect(page.locator('[data-component="database"]')).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_clerks_are_turned_away(page: Any, make_staff: Any) -> None:
    clerk = make_staff("counter_clerk")
    log_in(page, clerk.username, PASSWORD)
    response = page.goto("/ops/")
    assert response is not None and response.status == 403


@pytest.mark.django_db(transaction=True)
def test_alarm_stays_until_acknowledged_and_pages_pass_axe(page: Any, make_staff: Any) -> None:
    """A fresh installation has no backup: that alarm is on the wall until someone
    acknowledges it by name with a note; the other room pages pass axe-core."""
    from playwright.sync_api import expect

    from minwon.kernel.demo import DemoContext
    from minwon.ops.demo import seed

    seed(DemoContext(quiet=True))
    operator = make_staff("operator", NATION)
    log_in(page, operator.username, PASSWORD, next_url="/ops/")
    page.goto("/ops/")
    alarm = page.locator(".ops-alert", has_text="백업 누락")
    expect(alarm).to_be_visible()
    page.reload()
    expect(alarm).to_be_visible()
    alarm.get_by_label("메모").fill("백업 서버 점검 요청함")
    alarm.get_by_role("button", name="확인").click()
    expect(page.locator(".ops-alert", has_text="백업 누락")).to_have_count(0)
    for url in ("/ops/incidents/", "/ops/services/", "/ops/rules/"):
        page.goto(url)
        assert axe_violations(page) == [], url
    expect(page.get_by_text("임계값은 시스템 관리자만 바꿀 수 있습니다.")).to_be_visible()
