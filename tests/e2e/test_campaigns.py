"""Browser test of 자동취합 (issue 19's done-when): 원주시 총무과 sends a campaign to its
읍·면·동 and to one department (부서) of the 시청, the clerks of 문막읍 and 소초면 answer it
from their landing page (one after a refused entry that names the field), the status board
shows both, and the XLSX downloaded from it holds both answers; the reminder the sweep
sends waits in the clerk's 알림함, reached and marked read with the keyboard. Controls have
real boxes and the keyboard reaches them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from openpyxl import load_workbook

from minwon.kernel import clock
from tests.conftest import PASSWORD, WONJU
from tests.e2e.conftest import axe_violations, log_in
from tests.e2e.controls import control_problems, screenshot, unreachable_by_keyboard
from tests.portal.campaign_factories import MUNMAK, SOCHO, in_department

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _as(page: Any, username: str) -> None:
    page.context.clear_cookies()
    log_in(page, username, PASSWORD)


def _answer(page: Any, shelters: str, facility: str) -> None:
    panel = page.locator("#campaigns-panel")
    assert "민방위 대피시설 현황" in panel.inner_text()
    panel.get_by_role("link", name="민방위 대피시설 현황").click()
    page.get_by_label("민방위 대피시설 (곳)").fill(shelters)
    page.get_by_label("점검 결과", exact=True).select_option("양호")
    page.get_by_label("시설 목록 1행 시설명", exact=True).fill(facility)
    page.get_by_label("시설 목록 1행 수용 인원", exact=True).fill("120")
    page.get_by_role("button", name="제출").click()
    page.wait_for_load_state()


def test_a_campaign_is_sent_answered_by_two_and_consolidated(
    page: Any, make_staff: Any, tmp_path: Any
) -> None:
    make_staff("officer", WONJU, username="wonju-gm")
    make_staff("counter_clerk", MUNMAK, username="wonju-munmak")
    make_staff("counter_clerk", SOCHO, username="wonju-socho")
    in_department(make_staff("counter_clerk", WONJU, username="wonju-civil"), "민원여권과")
    now = clock.local(clock.now())

    _as(page, "wonju-gm")
    page.goto("/staff/campaigns/")
    page.get_by_label("제목", exact=True).fill("민방위 대피시설 현황")
    page.get_by_label("회차", exact=True).fill("1분기")
    page.get_by_label("시작 일시", exact=True).fill(f"{now - timedelta(hours=1):%Y-%m-%dT%H:%M}")
    page.get_by_label("마감 일시", exact=True).fill(f"{now + timedelta(days=7):%Y-%m-%dT%H:%M}")
    page.get_by_label("문막읍", exact=True).check()
    page.get_by_label("소초면", exact=True).check()
    page.locator("#recipient-departments").get_by_label("민원여권과", exact=True).check()
    assert control_problems(page) == []
    assert unreachable_by_keyboard(page) == []
    assert axe_violations(page) == []
    screenshot(page, "campaign-create")
    page.get_by_role("button", name="보내기").click()
    page.wait_for_selector("#board")
    assert "미제출 3" in " ".join(page.locator("#board-counts").inner_text().split())
    assert "원주시 민원여권과" in page.locator("#board").inner_text()

    _as(page, "wonju-munmak")
    _answer(page, "셋", "문막읍사무소 지하")
    alert = page.get_by_role("alert")
    assert "'민방위 대피시설': 숫자를 입력하세요" in alert.inner_text()
    screenshot(page, "campaign-answer-refused")
    assert axe_violations(page) == []
    page.get_by_label("민방위 대피시설 (곳)").fill("3")
    page.get_by_role("button", name="제출").click()
    page.wait_for_selector("#answer-state")
    assert "제출함 (v1)" in page.locator("#answer-state").inner_text()

    _as(page, "wonju-socho")
    _answer(page, "2", "소초면 체육관")
    assert "제출함 (v1)" in page.locator("#answer-state").inner_text()
    assert control_problems(page) == []
    screenshot(page, "campaign-answered")

    _as(page, "wonju-gm")
    page.goto("/staff/campaigns/")
    page.get_by_role("link", name="민방위 대피시설 현황", exact=True).click()
    page.wait_for_selector("#board")
    board = page.locator("#board").inner_text()
    assert "문막읍" in board and "소초면" in board and "wonju-munmak" in board
    counts = " ".join(page.locator("#board-counts").inner_text().split())
    assert "제출 2" in counts
    assert axe_violations(page) == []
    screenshot(page, "campaign-board")
    with page.expect_download() as download:
        page.locator("#download-xlsx").click()
    path = tmp_path / "campaign.xlsx"
    download.value.save_as(path)
    book = load_workbook(path, read_only=True)
    assert book.sheetnames == ["응답", "시설 목록", "이전 회차 비교"]
    rows = list(book["응답"].iter_rows(values_only=True))
    header = rows[0]
    by_office = {r[1]: r for r in rows[1:] if r[0] != "합계"}
    assert set(by_office) == {MUNMAK, SOCHO}
    shelters = header.index("민방위 대피시설 (곳)")
    assert by_office[MUNMAK][shelters] == 3 and by_office[SOCHO][shelters] == 2
    assert rows[-1][0] == "합계" and rows[-1][shelters] == 5
    facilities = [r[-2] for r in book["시설 목록"].iter_rows(values_only=True)][1:-1]
    assert sorted(facilities) == ["문막읍사무소 지하", "소초면 체육관"]


def test_the_reminder_waits_in_the_clerks_inbox_and_is_read_by_keyboard(
    page: Any, make_staff: Any
) -> None:
    from minwon.portal import campaign_sweep
    from tests.portal.campaign_factories import create

    officer = make_staff("officer", WONJU, username="wonju-gm")
    make_staff("counter_clerk", MUNMAK, username="wonju-munmak")
    now = clock.now()
    create(officer, recipients=(MUNMAK,), opens_at=now - timedelta(hours=1),
           deadline_at=now + timedelta(days=7))  # fmt: skip
    campaign_sweep.run(now)

    _as(page, "wonju-munmak")
    page.goto("/staff/")
    assert "읽지 않은 알림 1건" in page.locator("#inbox-summary").inner_text()
    menu = page.get_by_role("navigation", name="행정포털 메뉴")
    assert "알림함 1" in " ".join(menu.inner_text().split())
    menu.get_by_role("link", name="알림함").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/staff/inbox/")
    item = page.locator(".portal-inbox-item.unread")
    assert item.count() == 1 and "[자동취합 제출 요청]" in item.inner_text()
    assert control_problems(page) == []
    assert unreachable_by_keyboard(page) == []
    assert axe_violations(page) == []
    screenshot(page, "staff-inbox")
    item.get_by_role("button", name="읽음").focus()
    with page.expect_navigation():  # the POST and its redirect back to the list
        page.keyboard.press("Enter")
    assert "읽지 않음 0건" in page.locator("#inbox-unread").inner_text()
    assert page.locator(".portal-inbox-item.unread").count() == 0
    assert page.locator(".site-nav-count").count() == 0
