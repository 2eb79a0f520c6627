"""Browser: a kiosk is a registered device. An unenrolled kiosk browser sees only the 대체
창구 안내 (screenshot kept); the administrator enrols the kiosk on the staff screen and
types the one-time code on the kiosk; the kiosk then issues a copy; once revoked, the same
kiosk shows the notice again."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from minwon.accounts.models import KioskDevice, User
from minwon.documents import render, signing
from minwon.documents.models import Issuance
from minwon.kernel import rrn
from minwon.payments import checkout
from tests.conftest import PASSWORD, WONJU
from tests.e2e.conftest import axe_violations, log_in, prove_at_kiosk
from tests.e2e.controls import screenshot
from tests.registry import factories

pytestmark = pytest.mark.django_db(transaction=True)
NUMBER = rrn.with_check_digit("800101100004")


@pytest.fixture
def resident(
    jurisdictions_loaded: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    monkeypatch.setenv("MINWON_KEYS_DIR", str(tmp_path / "keys"))
    signing.reset_cache()
    render._static.cache_clear()
    factories.register("김설치", number=NUMBER)
    yield NUMBER
    signing.reset_cache()


@pytest.fixture
def kiosk(browser: Any, live_server: Any) -> Iterator[Any]:
    """A second browser: the kiosk's own, with no cookie of the administrator's."""
    context = browser.new_context(
        locale="ko-KR", base_url=live_server.url, viewport={"width": 1080, "height": 1920}
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_enrolled_kiosk_journey_and_the_notice_for_others(
    page: Any, kiosk: Any, resident: str, make_staff: Callable[..., User]
) -> None:
    response = kiosk.goto("/kiosk/identity/")
    assert response.status == 401
    kiosk.get_by_role("heading", name="대체 창구 안내").wait_for()
    assert kiosk.locator("form").count() == 0 and kiosk.get_by_label("주민등록번호").count() == 0
    assert "정부24" in kiosk.content()
    assert axe_violations(kiosk) == []
    screenshot(kiosk, "kiosk-unenrolled-notice")

    admin = make_staff("sysadmin", WONJU)
    log_in(page, admin.username, PASSWORD)
    page.goto("/staff/")
    menu = page.get_by_role("navigation", name="행정포털 메뉴")
    menu.get_by_role("link", name="무인민원발급기 관리").click()
    page.get_by_label("설치 위치").fill("원주시청 1층 민원실 1번")
    page.get_by_label("설치 기관").select_option(WONJU)
    page.get_by_role("button", name="등록하고 등록 코드 받기").click()
    code = page.locator("[data-handover-code]").get_attribute("data-handover-code")
    assert code and axe_violations(page) == []

    kiosk.goto("/kiosk/enrol/")
    kiosk.get_by_label("등록 코드").fill(code)
    kiosk.get_by_role("button", name="이 기기 등록").click()
    kiosk.get_by_role("link", name="시작 화면으로").click()
    kiosk.get_by_role("link", name="증명서 발급 시작").click()
    prove_at_kiosk(kiosk, NUMBER, "김설치")
    kiosk.get_by_role("link", name="주민등록표 (등본) 200원").click()
    kiosk.get_by_role("button", name="다음").click()
    demo = checkout.demo_card()
    kiosk.get_by_label("카드 번호").fill(demo["ok"])
    kiosk.get_by_label("유효기간(월/년)").fill(demo["expiry"])
    kiosk.get_by_role("button", name="카드로 결제하고 발급").click()
    kiosk.get_by_role("status").wait_for()
    row = Issuance.objects.get()
    assert row.document_number in kiosk.get_by_role("status").inner_text()
    device = KioskDevice.objects.get()
    assert (row.kiosk_id, row.jurisdiction_id) == (device.device_id, WONJU)
    pdf = kiosk.request.get(f"/kiosk/print/{row.document_number}.pdf")
    assert pdf.status == 200 and pdf.body()[:5] == b"%PDF-"

    page.goto("/staff/kiosks/")
    page.get_by_role("link", name="원주시청 1층 민원실 1번").click()
    page.get_by_label("해지 사유").fill("교체")
    page.get_by_role("button", name="이 기기 해지").click()
    page.get_by_text("해지했습니다").wait_for()
    again = kiosk.goto("/kiosk/")
    assert again.status == 403
    assert "사용이 중지되었습니다" in kiosk.content() and kiosk.locator("form").count() == 0
    screenshot(kiosk, "kiosk-revoked-notice")
