"""The counter at an office edge node switching into and out of continuity mode, in a real
browser: central cut off and healed (through the cuttable proxy), and the operator's switch.
The banner says which mode the counter is in; tasks continuity mode cannot do safely answer
with the alternative channel (대체 창구 안내); the pages pass axe-core."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.continuity.harness import WONJU, cluster

from .conftest import axe_violations, log_in

pytestmark = [pytest.mark.browser]

EDGE = "wonju-e2e"


def _banner(tab: Any, path: str) -> str:
    tab.goto(path)
    return str(tab.locator("#continuity-banner").get_attribute("data-mode"))


def test_counter_switches_into_and_out_of_continuity_mode(browser: Any, tmp_path: Path) -> None:
    with cluster(tmp_path, {EDGE: WONJU}, persons=2) as c:
        c.setup_central()
        c.start_central()
        c.start_proxy()
        c.start_edge(EDGE, fake_clock=False)
        context = browser.new_context(locale="ko-KR", base_url=c.edge_url(EDGE, ""))
        context.set_default_timeout(15_000)
        tab = context.new_page()
        errors: list[str] = []
        tab.on("pageerror", lambda exc: errors.append(str(exc)))
        log_in(tab, f"clerk-{EDGE}", "continuity-pass-2026")

        assert _banner(tab, "/staff/petitions/intake/") == "normal"
        assert "거점 서버 정상 연결" in tab.locator("#continuity-banner").inner_text()

        c.cut()
        c.wait_mode(EDGE, "continuity")
        assert _banner(tab, "/staff/petitions/intake/") == "continuity"
        banner = tab.locator("#continuity-banner")
        assert banner.get_attribute("role") == "alert"
        assert "연속성 모드" in banner.inner_text() and "대체 창구 안내" in banner.inner_text()
        assert axe_violations(tab) == []
        # Certificates stay at the counter; the petitions work queue is refused with advice.
        assert _banner(tab, "/staff/certificates/") == "continuity"
        response = tab.goto("/staff/petitions/")
        assert response is not None and response.status == 503
        assert "지금은 이 업무를 처리할 수 없습니다" in tab.content()
        assert "정부24" in tab.locator("main").inner_text()
        assert axe_violations(tab) == []

        c.heal()
        c.wait_mode(EDGE, "normal", timeout=60)
        assert _banner(tab, "/staff/petitions/intake/") == "normal"
        response = tab.goto("/staff/petitions/")  # back to the page's own rules (a clerk: 403)
        assert response is not None and response.status != 503
        assert "지금은 이 업무를 처리할 수 없습니다" not in tab.content()

        # The operator's switch forces continuity mode and hands control back.
        tab.goto("/staff/continuity/edge/")
        tab.get_by_role("button", name="연속성 모드로 전환").click()
        c.wait_mode(EDGE, "continuity")
        assert _banner(tab, "/staff/continuity/edge/") == "continuity"
        assert axe_violations(tab) == []
        tab.get_by_role("button", name="자동 판단으로 되돌리기").click()
        c.wait_mode(EDGE, "normal", timeout=60)
        assert _banner(tab, "/staff/petitions/intake/") == "normal"
        context.close()
        assert errors == []
