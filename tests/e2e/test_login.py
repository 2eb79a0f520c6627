"""A staff member logs in and out in real Chromium; the pages pass axe-core."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD, WONJU
from tests.e2e.conftest import axe_violations, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_logs_in_and_out(page, make_staff) -> None:  # type: ignore[no-untyped-def]
    user = make_staff("counter_clerk", WONJU, username="wonju-clerk-e2e")
    page.goto("/")
    assert axe_violations(page) == []
    page.goto("/accounts/login/")
    assert axe_violations(page) == []
    log_in(page, user.username, PASSWORD)
    assert page.url.endswith("/staff/")
    assert page.get_by_role("heading", level=1).inner_text().startswith(user.display_name)
    assert axe_violations(page) == []
    page.get_by_role("button", name="로그아웃").click()
    page.wait_for_load_state()
    page.goto("/staff/")
    assert "/accounts/login/" in page.url


def test_wrong_password_is_announced(page, make_staff) -> None:  # type: ignore[no-untyped-def]
    user = make_staff("counter_clerk", WONJU, username="wonju-clerk-e2e2")
    log_in(page, user.username, "wrong-password")
    assert "/accounts/login/" in page.url
    assert page.get_by_role("alert").count() >= 1
