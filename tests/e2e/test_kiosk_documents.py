"""Browser test of the kiosk: identity, choose, options, pay, print; accessible at every
step; large text and high contrast; reset to the start after inactivity."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from minwon.documents import render, signing
from minwon.documents.models import Issuance
from minwon.payments import checkout
from minwon.payments.models import Payment
from tests.e2e.conftest import axe_violations, install_kiosk, prove_at_kiosk
from tests.registry import factories

pytestmark = pytest.mark.django_db(transaction=True)

HEAD_RRN = "8001011000015"


@pytest.fixture
def resident(jurisdictions_loaded: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("MINWON_KEYS_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("MINWON_KIOSK_IDLE_SECONDS", "6")
    signing.reset_cache()
    render._static.cache_clear()
    from minwon.kernel import rrn

    number = rrn.with_check_digit(HEAD_RRN[:12])
    person = factories.register("김키오", number=number)
    yield number, person
    signing.reset_cache()


def test_kiosk_issues_a_copy(page: Any, resident: Any) -> None:
    install_kiosk(page)
    number, _person = resident
    page.goto("/kiosk/")
    assert axe_violations(page) == []
    page.get_by_role("link", name="증명서 발급 시작").click()
    assert axe_violations(page) == []
    prove_at_kiosk(page, number, "김키오")
    page.get_by_role("link", name="주민등록표 (등본) 200원").click()
    assert axe_violations(page) == []
    page.get_by_role("button", name="다음").click()
    assert "200원" in page.content()
    assert axe_violations(page) == []
    demo = checkout.demo_card()
    assert demo is not None
    page.get_by_label("카드 번호").fill(demo["limit"])
    page.get_by_label("유효기간(월/년)").fill(demo["expiry"])
    page.get_by_role("button", name="카드로 결제하고 발급").click()
    assert "한도 초과" in page.get_by_role("alert").inner_text()
    assert not Issuance.objects.exists() and not Payment.objects.exists()
    assert axe_violations(page) == []
    page.get_by_label("카드 번호").fill(demo["ok"])
    page.get_by_label("유효기간(월/년)").fill(demo["expiry"])
    page.get_by_role("button", name="카드로 결제하고 발급").click()
    status = page.get_by_role("status")
    row = Issuance.objects.get()
    assert row.document_number in status.inner_text()
    assert (row.channel, row.fee, row.payment_method) == ("kiosk", 200, "card")
    payment = Payment.objects.get()
    assert payment.reference == row.document_number
    receipt = page.locator(".payment-facts").inner_text()
    assert payment.approval_number in receipt and "끝 번호 1111" in receipt and "200원" in receipt
    assert axe_violations(page) == []
    response = page.request.get(f"/kiosk/print/{row.document_number}.pdf")
    assert response.status == 200 and response.body()[:5] == b"%PDF-"


def test_kiosk_modes_and_inactivity_reset(page: Any, resident: Any) -> None:
    install_kiosk(page)
    page.goto("/kiosk/identity/")
    page.get_by_role("button", name="큰 글씨").click()
    page.get_by_role("button", name="고대비").click()
    assert "kiosk-large-text" in (page.locator("body").get_attribute("class") or "")
    assert page.locator("body").get_attribute("data-krds-mode") == "high-contrast"
    page.wait_for_timeout(600)
    assert axe_violations(page) == []
    page.get_by_label("성명").fill("김키오")
    page.wait_for_url("**/kiosk/", timeout=15_000)
    assert page.get_by_role("link", name="증명서 발급 시작").is_visible()
