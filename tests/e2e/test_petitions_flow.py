"""Browser: a citizen applies online, an officer asks for a supplement, the citizen
supplements, the officer approves, and the citizen sees every step on the tracking page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from minwon.accounts.models import User
from minwon.kernel import clock, execute
from minwon.kernel.types import Actor, Channel
from minwon.petitions import catalog, receipts
from minwon.petitions.commands import LoadPetitionCatalog
from minwon.petitions.models import Application
from tests.conftest import PASSWORD
from tests.e2e.conftest import axe_violations, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _accessible(page: Any) -> None:
    assert axe_violations(page) == [], page.url


def test_apply_supplement_approve_track(
    page: Any, browser: Any, live_server: Any, jurisdictions_loaded: None,
    make_citizen: Callable[..., User], make_staff: Callable[..., User],
) -> None:  # fmt: skip
    data = catalog.read()
    execute(LoadPetitionCatalog(actor=Actor.system("test"), channel=Channel.SYSTEM,
                                jurisdiction="0000000000", version="t", types=data["types"]))  # fmt: skip
    citizen = make_citizen(name="김민원")
    officer = make_staff("officer", "5113000000")

    log_in(page, citizen.username, PASSWORD)
    page.goto("/petitions/apply/")
    _accessible(page)
    page.locator("label[for=type-INFO_DISCLOSURE]").click()
    assert page.get_by_label("정보공개 청구", exact=True).is_checked()
    page.get_by_role("button", name="다음: 신청 내용 작성").click()
    page.get_by_label("신청 내용").fill("2025년 가로등 교체 예산 집행 내역")
    page.get_by_role("button", name="다음: 구비서류").click()
    page.get_by_role("button", name="다음: 신청 내용 확인").click()
    _accessible(page)
    page.get_by_role("button", name="이대로 신청").click()
    page.wait_for_selector(".receipt-number")
    number = Application.objects.get().receipt_number
    assert number in page.inner_text(".receipt-number")
    _accessible(page)

    staff_context = browser.new_context(locale="ko-KR", base_url=live_server.url)
    desk = staff_context.new_page()
    log_in(desk, officer.username, PASSWORD)
    desk.goto("/staff/petitions/")
    _accessible(desk)
    desk.get_by_role("link", name=f"{number}-1").click()
    desk.locator("form.petition-action", has_text="검토 시작").get_by_role("button").click()
    form = desk.locator("form.petition-action", has_text="보완 요구")
    form.get_by_label("보완할 사항(줄마다 하나)").fill("청구 대상 기간을 특정해 주십시오")
    due = (clock.now() + timedelta(days=7)).date().isoformat()
    form.get_by_label("보완 기한").fill(due)
    form.get_by_role("button").click()
    desk.wait_for_selector("text=보완 요구")
    _accessible(desk)

    page.goto(f"/petitions/mine/{number}/")
    page.get_by_label("보완 내용").fill("2025-01-01 ~ 2025-12-31")
    page.get_by_role("button", name="보완 제출").click()
    page.wait_for_selector("text=보완 내용을 제출했습니다.")

    desk.reload()
    desk.locator("form.petition-action", has_text="처리 결과 결정").get_by_role("button").click()
    desk.wait_for_selector("text=처리 완료")
    staff_context.close()

    page.goto("/track/")
    page.get_by_label("접수번호").fill(number)
    page.get_by_label("확인번호(PIN)").fill(receipts.pin_for(number))
    page.get_by_role("button", name="조회").click()
    table = page.locator("section.petition-track table").inner_text()
    for step in ("접수", "검토 시작", "보완 요구", "보완 제출", "처리 결과 결정"):
        assert step in table, (step, table)
    assert "처리 완료" in page.inner_text("section.petition-track")
    _accessible(page)
