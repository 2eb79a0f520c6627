"""Browser: a citizen applies for 대형폐기물 배출 신고 with a photo of the items and pays its
fee, answers a 보완 on another petition with a file, and the officer sees both files on the
petition's page and downloads them, byte for byte."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from minwon.accounts.models import User
from minwon.kernel import clock, execute
from minwon.kernel.types import Actor, Channel
from minwon.petitions import catalog
from minwon.petitions.commands import LoadPetitionCatalog
from minwon.petitions.models import Application, Attachment
from tests.conftest import PASSWORD
from tests.e2e.conftest import axe_violations, log_in
from tests.e2e.controls import control_problems, screenshot
from tests.petitions import samples

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _file(name: str, mime: str, data: bytes) -> dict[str, Any]:
    return {"name": name, "mimeType": mime, "buffer": data}


def test_apply_with_photo_supplement_with_file_officer_downloads(
    page: Any, browser: Any, live_server: Any, jurisdictions_loaded: None,
    make_citizen: Callable[..., User], make_staff: Callable[..., User],
) -> None:  # fmt: skip
    data = catalog.read()
    execute(LoadPetitionCatalog(actor=Actor.system("test"), channel=Channel.SYSTEM,
                                jurisdiction="0000000000", version="t", types=data["types"]))  # fmt: skip
    citizen = make_citizen(name="김민원")
    officer = make_staff("officer", "5113000000")
    photo, letter = samples.jpeg(), samples.pdf("period 2025")

    log_in(page, citizen.username, PASSWORD)
    page.goto("/petitions/apply/")
    page.get_by_label("민원 찾기").fill("ㄷㅎㅍ")
    page.get_by_label("대형폐기물 배출 신고").check()
    page.get_by_role("button", name="다음: 신청 내용 작성").click()
    page.get_by_label("배출 품목 수").fill("2")
    page.get_by_role("button", name="다음: 구비서류").click()
    page.wait_for_selector("#step-count:has-text('3/5 구비서류')")
    photo_input = page.get_by_label("배출 품목 사진 (선택)")
    photo_input.set_input_files(_file("소파와 장롱.jpg", "image/jpeg", photo))
    assert control_problems(page) == []
    assert axe_violations(page) == []
    screenshot(page, "attach-01-apply")
    page.get_by_role("button", name="다음: 신청 내용 확인").click()
    page.wait_for_selector("#step-count:has-text('4/5 확인')")
    review = page.locator("#main").inner_text()
    assert "배출 품목 사진" in review and "파일: 소파와 장롱.jpg (1 KB)" in review, review
    assert not Application.objects.exists()
    assert axe_violations(page) == []
    page.get_by_role("button", name="다음: 수수료 결제").click()
    page.wait_for_selector("#step-count:has-text('5/5 수수료 결제')")
    expiry = re.search(r"유효기간: (\d\d/\d\d)", page.locator(".demo-card").inner_text())
    assert expiry
    page.get_by_label("카드 번호").fill("4111 1111 1111 1111")
    page.get_by_label("유효기간(월/년)").fill(expiry.group(1))
    page.get_by_role("button", name="3,000원 결제하고 신청").click()
    page.wait_for_selector(".receipt-number")
    waste = Application.objects.get().receipt_number
    assert page.get_by_role("link", name="소파와 장롱.jpg").is_visible()

    page.goto("/petitions/apply/")
    page.get_by_label("민원 찾기").fill("정보공개")
    page.locator("label[for=type-INFO_DISCLOSURE]").click()
    page.get_by_role("button", name="다음: 신청 내용 작성").click()
    page.get_by_label("신청 내용").fill("2025년 가로등 교체 예산 집행 내역")
    page.get_by_role("button", name="다음: 구비서류").click()
    page.get_by_role("button", name="다음: 신청 내용 확인").click()
    page.get_by_role("button", name="이대로 신청").click()
    page.wait_for_selector(".receipt-number")
    info = Application.objects.exclude(receipt_number=waste).get().receipt_number

    desk_context = browser.new_context(
        locale="ko-KR", base_url=live_server.url, accept_downloads=True
    )
    desk = desk_context.new_page()
    log_in(desk, officer.username, PASSWORD)
    desk.goto(f"/staff/petitions/{info}/1/")
    desk.locator("form.petition-action", has_text="검토 시작").get_by_role("button").click()
    form = desk.locator("form.petition-action", has_text="보완 요구")
    form.get_by_label("보완할 사항(줄마다 하나)").fill("청구 대상 기간을 적은 문서를 내 주십시오")
    form.get_by_label("보완 기한").fill((clock.now() + timedelta(days=7)).date().isoformat())
    form.get_by_role("button").click()
    desk.wait_for_selector("text=보완 요구")

    page.goto(f"/petitions/mine/{info}/")
    page.get_by_label("보완 내용").fill("기간을 적은 문서를 붙입니다")
    page.get_by_label("보완 서류 파일").set_input_files(
        _file("청구 기간.pdf", "application/pdf", letter)
    )
    assert control_problems(page) == []
    assert axe_violations(page) == []
    screenshot(page, "attach-02-supplement")
    page.get_by_role("button", name="보완 제출").click()
    page.wait_for_selector("text=보완 내용을 제출했습니다.")
    assert page.get_by_role("link", name="청구 기간.pdf").is_visible()

    for number, name, content, words in (
        (waste, "소파와 장롱.jpg", photo, "JPEG 사진"),
        (info, "청구 기간.pdf", letter, "PDF"),
    ):
        desk.goto(f"/staff/petitions/{number}/1/")
        table = desk.locator("table.attachments").inner_text()
        stored = Attachment.objects.get(petition__application__receipt_number=number)
        assert name in table and words in table and stored.sha256[:12] in table, table
        assert axe_violations(desk) == []
        with desk.expect_download() as download:
            desk.get_by_role("link", name=name).click()
        assert download.value.suggested_filename == name
        assert Path(download.value.path()).read_bytes() == content
    screenshot(desk, "attach-03-officer")
    desk_context.close()
