"""Browser: a citizen finds 대형폐기물 배출 신고 by its 초성 among the grouped types, sees only
that type's fields once chosen, reviews what will be filed, and files it; then the
tracking page shows the deadline in Korean words."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from minwon.accounts.models import User
from minwon.kernel import execute
from minwon.kernel.types import Actor, Channel
from minwon.petitions import catalog, receipts
from minwon.petitions.commands import LoadPetitionCatalog
from minwon.petitions.models import Application
from tests.conftest import PASSWORD
from tests.e2e.conftest import axe_violations, log_in
from tests.e2e.controls import control_problems, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_find_choose_review_file_and_track(
    page: Any, jurisdictions_loaded: None, make_citizen: Callable[..., User]
) -> None:
    data = catalog.read()
    execute(LoadPetitionCatalog(actor=Actor.system("test"), channel=Channel.SYSTEM,
                                jurisdiction="0000000000", version="t", types=data["types"]))  # fmt: skip
    log_in(page, make_citizen(name="김민원").username, PASSWORD)
    page.goto("/petitions/apply/")
    assert page.locator("fieldset.petition-category legend").count() >= 10
    items = page.get_by_label("배출 품목 수")
    assert not items.is_visible()  # a type's fields appear only once it is chosen
    page.get_by_label("민원 찾기").fill("ㄷㅎㅍ")
    visible = page.locator("[data-type-row]:visible")
    assert visible.count() == 1 and "대형폐기물 배출 신고" in visible.inner_text()
    assert page.locator("fieldset.petition-category:visible").count() == 1
    page.get_by_label("민원 찾기").fill("정보공개")
    assert page.locator("[data-type-row]:visible").count() == 2
    page.get_by_label("민원 찾기").fill("폐기물")
    page.get_by_label("대형폐기물 배출 신고").check()
    assert items.is_visible()
    items.fill("2")
    page.get_by_label("신청 내용").fill("소파 1개, 장롱 1개")
    screenshot(page, "apply-01-chosen")
    assert control_problems(page) == []
    assert axe_violations(page) == []
    page.get_by_role("button", name="다음: 신청 내용 확인").click()
    page.wait_for_selector("text=신청 내용 확인")
    review = page.locator("#main").inner_text()
    assert "대형폐기물 배출 신고" in review and "3,000원" in review and "소파 1개" in review
    assert not Application.objects.exists()
    screenshot(page, "apply-02-review")
    assert axe_violations(page) == []
    page.get_by_role("button", name="이대로 신청").click()
    page.wait_for_selector(".receipt-number")
    number = Application.objects.get().receipt_number
    screenshot(page, "apply-03-receipt")

    page.goto("/track/")
    page.get_by_label("접수번호").fill(number)
    page.get_by_label("확인번호(PIN)").fill(receipts.pin_for(number))
    page.get_by_role("button", name="조회").click()
    facts = page.locator("section.petition-track dl").inner_text()
    assert page.url.endswith("/track/"), page.url  # the PIN went in the body, not the URL
    assert re.search(r"\d{4}년 \d{1,2}월 \d{1,2}일 \([월화수목금토일]\) \d{2}:\d{2}", facts), facts
    assert not re.search(r"\d{4}-\d{2}-\d{2}", page.locator("section.petition-track").inner_text())
    screenshot(page, "apply-04-track")
