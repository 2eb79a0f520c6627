"""Browser test of the 수수료 환불 screen: a counter clerk opens it from the menu, finds the
card payment of a 대형폐기물 신고 by its 접수번호, is told in words when the amount is wrong,
refunds 1,000원 and then the rest — every control with a real box and reached by Tab."""

from __future__ import annotations

from typing import Any

import pytest

from minwon.accounts.models import User
from minwon.payments.models import Payment
from tests.conftest import PASSWORD
from tests.e2e.conftest import axe_violations, log_in
from tests.e2e.controls import control_problems, screenshot, unreachable_by_keyboard
from tests.payments.test_commands import pay, waste
from tests.petitions.conftest import WONJU, actor, apply, catalog_loaded, citizen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["apply", "catalog_loaded", "citizen"]


def test_a_clerk_refunds_a_fee_in_two_steps(
    page: Any, apply: Any, citizen: User, make_staff: Any
) -> None:
    order = pay(actor(citizen))["order_key"]
    receipt = waste(apply, order)
    make_staff("counter_clerk", WONJU, username="refund-clerk")
    log_in(page, "refund-clerk", PASSWORD)
    page.get_by_role("link", name="수수료 환불").first.click()
    page.get_by_label("접수번호, 문서확인번호 또는 승인번호").fill(receipt)
    page.get_by_role("button", name="찾기").click()
    row = page.locator("#payments tbody tr")
    assert (
        row.count() == 1
        and "3,000원" in row.inner_text()
        and "비자 끝 번호 1111" in row.inner_text()
    )
    assert "2026년 3월 9일" in row.inner_text()
    assert axe_violations(page) == []
    screenshot(page, "payments-refund-list")

    row.get_by_role("link").click()
    page.wait_for_selector("#refund-form")
    assert control_problems(page) == []
    assert unreachable_by_keyboard(page) == []
    page.get_by_label("환불 금액 (원)").fill("5,000")
    page.get_by_label("환불 사유").fill("과오납")
    page.get_by_role("button", name="환불", exact=True).click()
    page.wait_for_selector("#form-error")
    assert "환불할 수 있는 금액은 3,000원입니다." in page.locator("#form-error").inner_text()
    assert page.get_by_label("환불 금액 (원)").get_attribute("aria-invalid") == "true"
    assert axe_violations(page) == []

    page.get_by_label("환불 금액 (원)").fill("1,000")
    page.get_by_role("button", name="환불", exact=True).click()
    page.wait_for_selector("#refunds")
    assert page.locator("#payment-status").inner_text() == "일부 환불"
    assert page.locator("#payment-balance").inner_text() == "2,000원"
    screenshot(page, "payments-refund-partial")

    page.get_by_label("환불 사유").fill("신청 취소")
    page.get_by_role("button", name="환불", exact=True).click()
    page.wait_for_selector("#refund-none")
    assert page.locator("#payment-status").inner_text() == "환불 완료"
    payment = Payment.objects.get(order_key=order)
    assert (payment.refunded, [r["amount"] for r in payment.refunds]) == (3000, [1000, 2000])
    assert axe_violations(page) == []
    screenshot(page, "payments-refund-done")
