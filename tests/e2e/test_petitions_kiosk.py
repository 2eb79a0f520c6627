"""Browser test of the petition kiosk: start page → identity → choose a kiosk type → its
form (a refused entry first) → confirm → receipt number and PIN on screen, accessible at
every step; large text and high contrast; reset to the start after inactivity."""

from __future__ import annotations

import re
from typing import Any

import pytest

from minwon.kernel import rrn
from minwon.petitions import catalog, queries, receipts
from minwon.petitions.commands import LoadPetitionCatalog
from minwon.petitions.models import Application
from tests.e2e.conftest import axe_violations, install_kiosk, prove_at_kiosk

pytestmark = pytest.mark.django_db(transaction=True)
NUMBER = rrn.with_check_digit("850515212345")


@pytest.fixture
def catalog_ready(jurisdictions_loaded: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from minwon.kernel import execute
    from minwon.kernel.types import Actor, Channel

    monkeypatch.setenv("MINWON_KIOSK_IDLE_SECONDS", "6")
    data = catalog.read()
    execute(
        LoadPetitionCatalog(
            actor=Actor.system("test"), channel=Channel.SYSTEM, jurisdiction="0000000000",
            version=data["version"], types=data["types"],
        )
    )  # fmt: skip


def test_kiosk_files_a_petition(page: Any, catalog_ready: None) -> None:
    install_kiosk(page)
    page.goto("/kiosk/")
    page.get_by_role("link", name="민원 신청 시작").click()
    assert axe_violations(page) == []
    prove_at_kiosk(page, NUMBER, "이키오")
    page.wait_for_url("**/kiosk/petitions/types/")
    assert (
        page.locator("[data-type-code]").count() == queries.petition_types(channel="kiosk").count()
    )
    assert page.locator('[data-type-code="SEAL_CERT"]').count() == 0
    assert axe_violations(page) == []
    page.locator('[data-type-code="LARGE_WASTE"]').click()
    page.get_by_label("배출 품목 수 (필수)").fill("많이")
    page.get_by_role("button", name="다음").click()
    assert "숫자여야 합니다" in page.get_by_role("alert").inner_text()
    assert axe_violations(page) == []
    page.get_by_label("배출 품목 수 (필수)").fill("2")
    page.get_by_label("신청 내용(선택)").fill("소파 1개, 장롱 1개")
    page.get_by_role("button", name="다음").click()
    page.wait_for_url("**/kiosk/petitions/confirm/")
    assert "대형폐기물 배출 신고" in page.content()
    assert axe_violations(page) == []
    page.get_by_role("button", name="다음: 수수료 결제").click()
    page.wait_for_url("**/kiosk/petitions/pay/")
    assert axe_violations(page) == []
    expiry = re.search(r"유효기간: (\d\d/\d\d)", page.locator(".demo-card").inner_text())
    assert expiry
    page.get_by_label("카드 번호").fill("4000 0000 0000 0002")
    page.get_by_label("유효기간(월/년)").fill(expiry.group(1))
    page.get_by_role("button", name="3,000원 결제하고 신청하기").click()
    assert "한도 초과" in page.get_by_role("alert").inner_text()
    assert not Application.objects.exists()
    page.get_by_label("카드 번호").fill("4111 1111 1111 1111")
    page.get_by_label("유효기간(월/년)").fill(expiry.group(1))
    page.get_by_role("button", name="3,000원 결제하고 신청하기").click()
    page.wait_for_url("**/kiosk/petitions/done/**")
    application = Application.objects.get()
    assert "끝 번호 1111" in page.locator(".payment-facts").inner_text()
    status = page.get_by_role("status").inner_text()
    assert application.receipt_number in status
    assert receipts.pin_for(application.receipt_number) in status
    assert application.channel == "kiosk"
    assert page.get_by_role("button", name="접수증 인쇄").is_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="고대비").click()
    page.wait_for_timeout(300)
    assert axe_violations(page) == []


def test_kiosk_resets_after_inactivity(page: Any, catalog_ready: None) -> None:
    install_kiosk(page)
    page.goto("/kiosk/petitions/")
    page.get_by_role("button", name="큰 글씨").click()
    assert "kiosk-large-text" in (page.locator("body").get_attribute("class") or "")
    assert axe_violations(page) == []
    prove_at_kiosk(page, NUMBER, "이키오")
    page.wait_for_url("**/kiosk/petitions/types/")
    page.wait_for_url("**/kiosk/", timeout=15_000)
    assert page.get_by_role("link", name="민원 신청 시작").is_visible()
    page.goto("/kiosk/petitions/types/")
    page.wait_for_url("**/kiosk/petitions/")
