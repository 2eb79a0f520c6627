"""Browser: a citizen finds 대형폐기물 배출 신고 by its 초성 among the grouped types, goes
through every step on its own screen (민원 선택 → 신청 내용 with only that type's fields →
구비서류 → 확인 → 수수료 결제), is refused with the demo's over-limit card, pays with the
demo card and lands on the receipt showing what was paid; then the tracking page shows the
deadline in Korean words. Nothing entered travels in a URL."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from minwon.accounts.models import User
from minwon.kernel import execute
from minwon.kernel.types import Actor, Channel
from minwon.payments.models import Payment
from minwon.petitions import catalog, receipts
from minwon.petitions.commands import LoadPetitionCatalog
from minwon.petitions.models import Application
from tests.conftest import PASSWORD
from tests.e2e.conftest import axe_violations, log_in
from tests.e2e.controls import control_problems, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
APPLY_URL = re.compile(r".*/petitions/apply/$")


def _step(page: Any, text: str) -> None:
    page.wait_for_selector(f"#step-count:has-text('{text}')")
    assert APPLY_URL.match(page.url), page.url  # what was entered is in the body, not the URL
    assert control_problems(page) == [], page.url
    assert axe_violations(page) == [], page.url


def test_find_choose_fill_pay_and_track(
    page: Any, jurisdictions_loaded: None, make_citizen: Callable[..., User]
) -> None:
    data = catalog.read()
    execute(LoadPetitionCatalog(actor=Actor.system("test"), channel=Channel.SYSTEM,
                                jurisdiction="0000000000", version="t", types=data["types"]))  # fmt: skip
    log_in(page, make_citizen(name="김민원").username, PASSWORD)
    page.goto("/petitions/apply/")
    _step(page, "1/5 민원 선택")
    assert page.locator("fieldset.petition-category legend").count() >= 10
    assert page.get_by_label("배출 품목 수").count() == 0  # fields come on the next screen
    page.get_by_label("민원 찾기").fill("ㄷㅎㅍ")
    visible = page.locator("[data-type-row]:visible")
    assert visible.count() == 1 and "대형폐기물 배출 신고" in visible.inner_text()
    assert page.locator("fieldset.petition-category:visible").count() == 1
    page.get_by_label("민원 찾기").fill("정보공개")
    assert page.locator("[data-type-row]:visible").count() == 2
    page.get_by_label("민원 찾기").fill("폐기물")
    page.get_by_label("대형폐기물 배출 신고").check()
    screenshot(page, "apply-01-type")
    page.get_by_role("button", name="다음: 신청 내용 작성").click()

    _step(page, "2/5 신청 내용")
    assert page.locator("fieldset.petition-category").count() == 1  # only the chosen type
    page.get_by_role("button", name="다음: 구비서류").click()
    _step(page, "2/5 신청 내용")  # the required field is missing: the same screen, named
    assert "배출 품목 수" in page.get_by_role("alert").inner_text()
    page.get_by_label("배출 품목 수").fill("2")
    page.get_by_label("신청 내용").fill("소파 1개, 장롱 1개")
    screenshot(page, "apply-02-form")
    page.get_by_role("button", name="다음: 구비서류").click()

    _step(page, "3/5 구비서류")
    screenshot(page, "apply-03-documents")
    page.get_by_role("button", name="이전: 신청 내용").click()
    _step(page, "2/5 신청 내용")
    assert page.get_by_label("배출 품목 수").input_value() == "2"  # kept going back
    page.get_by_role("button", name="다음: 구비서류").click()
    _step(page, "3/5 구비서류")
    page.get_by_role("button", name="다음: 신청 내용 확인").click()

    _step(page, "4/5 확인")
    review = page.locator("#main").inner_text()
    assert "대형폐기물 배출 신고" in review and "3,000원" in review and "소파 1개" in review
    assert not Application.objects.exists()
    screenshot(page, "apply-04-review")
    page.get_by_role("button", name="다음: 수수료 결제").click()

    _step(page, "5/5 수수료 결제")
    hint = page.locator(".demo-card").inner_text()
    expiry = re.search(r"유효기간: (\d\d/\d\d)", hint)
    assert expiry, hint
    page.get_by_label("카드 번호").fill("4000 0000 0000 0002")
    page.get_by_label("유효기간(월/년)").fill(expiry.group(1))
    page.get_by_role("button", name="3,000원 결제하고 신청").click()
    _step(page, "5/5 수수료 결제")
    assert "한도 초과" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("카드 번호").input_value() == ""  # the number is not echoed
    assert not Application.objects.exists() and not Payment.objects.exists()
    page.get_by_label("카드 번호").fill("4111 1111 1111 1111")
    page.get_by_label("유효기간(월/년)").fill(expiry.group(1))
    screenshot(page, "apply-05-pay")
    page.get_by_role("button", name="3,000원 결제하고 신청").click()

    page.wait_for_selector(".receipt-number")
    number = Application.objects.get().receipt_number
    payment = Payment.objects.get()
    assert payment.reference == number and payment.card_last4 == "1111"
    assert "?" not in page.url and page.url.endswith(f"/petitions/mine/{number}/")
    facts = page.locator(".payment-facts").inner_text()
    assert "3,000원" in facts and payment.approval_number in facts and "끝 번호 1111" in facts
    assert "비자" in facts and "visa" not in facts.lower()
    assert "접수 완료" in page.locator("#step-count").inner_text()
    assert axe_violations(page) == []
    screenshot(page, "apply-06-receipt")

    page.goto("/track/")
    page.get_by_label("접수번호").fill(number)
    page.get_by_label("확인번호(PIN)").fill(receipts.pin_for(number))
    page.get_by_role("button", name="조회").click()
    facts = page.locator("section.petition-track dl").inner_text()
    assert page.url.endswith("/track/"), page.url  # the PIN went in the body, not the URL
    assert re.search(r"\d{4}년 \d{1,2}월 \d{1,2}일 \([월화수목금토일]\) \d{2}:\d{2}", facts), facts
    assert not re.search(r"\d{4}-\d{2}-\d{2}", page.locator("section.petition-track").inner_text())
    screenshot(page, "apply-07-track")


def test_a_free_type_skips_the_payment(
    page: Any, jurisdictions_loaded: None, make_citizen: Callable[..., User]
) -> None:
    data = catalog.read()
    execute(LoadPetitionCatalog(actor=Actor.system("test"), channel=Channel.SYSTEM,
                                jurisdiction="0000000000", version="t", types=data["types"]))  # fmt: skip
    log_in(page, make_citizen(name="김민원").username, PASSWORD)
    page.goto("/petitions/apply/")
    page.get_by_label("고충민원").check()
    page.get_by_role("button", name="다음: 신청 내용 작성").click()
    _step(page, "2/5 신청 내용")
    page.get_by_label("신청 내용").fill("가로등이 꺼져 있습니다")
    page.get_by_role("button", name="다음: 구비서류").click()
    _step(page, "3/5 구비서류")
    page.get_by_role("button", name="다음: 신청 내용 확인").click()
    _step(page, "4/5 확인")
    assert "수수료 없음(결제 생략)" in page.locator(".krds-step-wrap").inner_text()
    assert page.get_by_role("button", name="다음: 수수료 결제").count() == 0
    screenshot(page, "apply-free-04-review")
    page.get_by_role("button", name="이대로 신청").click()
    page.wait_for_selector(".receipt-number")
    assert Application.objects.count() == 1 and not Payment.objects.exists()
    assert page.locator(".payment-facts").count() == 0
    screenshot(page, "apply-free-05-receipt")
