"""Pages: the citizen's form, the public tracking page, the officer's queue scoped to their
jurisdiction with overdue rows marked, the head's load view, counter intake and receipt."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from minwon.accounts.models import User
from minwon.kernel import clock, formats
from minwon.kernel.clock import SEOUL
from minwon.petitions import receipts
from minwon.petitions.models import Application, Petition

from .conftest import WONJU, at

pytestmark = pytest.mark.django_db
Apply = Callable[..., dict[str, Any]]


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_citizen_applies_for_two_types_on_one_form(citizen: User) -> None:
    client = logged_in(citizen)
    assert client.get("/petitions/apply/").status_code == 200
    response = client.post("/petitions/apply/", {
        "jurisdiction": WONJU, "type": ["GRIEVANCE", "INFO_DISCLOSURE"], "content": "도로 파손",
    })  # fmt: skip
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.items.count() == 2
    page = client.get(response["Location"]).content.decode()
    assert (
        application.receipt_number in page and receipts.pin_for(application.receipt_number) in page
    )


def test_refused_form_shows_the_field_and_stores_nothing(citizen: User) -> None:
    response = logged_in(citizen).post(
        "/petitions/apply/", {"jurisdiction": WONJU, "type": ["RESTAURANT_REPORT"]}, follow=True
    )
    assert "제출해야 할 서류" in response.content.decode()
    assert not Application.objects.exists()


def test_tracking_page(apply: Apply) -> None:
    number = apply("GRIEVANCE")["receipt_number"]
    page = Client().post("/track/", {"receipt_number": number, "pin": receipts.pin_for(number)})
    assert "접수" in page.content.decode() and "민원여권과" in page.content.decode()
    wrong = Client().post("/track/", {"receipt_number": number, "pin": "000000"}).content.decode()
    assert "일치하는 민원이 없습니다" in wrong


def test_tracking_form_posts_and_answers_with_the_result(apply: Apply) -> None:
    number = apply("GRIEVANCE")["receipt_number"]
    form = Client().get("/track/", {"receipt_number": number})
    html = form.content.decode()
    assert form.status_code == 200 and f'value="{number}"' in html  # a link may fill it in
    assert re.search(r'<form class="minwon-form" method="post" action="/track/">', html)
    answered = Client().post("/track/", {"receipt_number": number, "pin": receipts.pin_for(number)})
    assert answered.status_code == 200 and "민원여권과" in answered.content.decode()
    assert receipts.pin_for(number) not in answered.content.decode()  # not echoed back
    bad = Client().post("/track/", {"receipt_number": number, "birth_date": "1990-13-40"})
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.content.decode()


@pytest.mark.personal_url_probe
def test_tracking_page_refuses_a_pin_or_birth_date_in_the_url(apply: Apply) -> None:
    number = apply("GRIEVANCE")["receipt_number"]
    pin = receipts.pin_for(number)
    page = Client().get("/track/", {"receipt_number": number, "pin": pin})
    html = page.content.decode()
    assert page.status_code == 400
    assert "확인번호(PIN)는 주소(URL)에 넣을 수 없습니다" in html
    assert "민원여권과" not in html and pin not in html  # not looked up, not echoed
    birth = Client().get("/track/", {"receipt_number": number, "name": "김민원",
                                     "birth_date": "1990-01-01"})  # fmt: skip
    assert birth.status_code == 400 and "생년월일은 주소(URL)에" in birth.content.decode()


def test_queue_is_scoped_and_marks_overdue(
    apply: Apply, officer: User, make_staff: Callable[..., User], clerk: User
) -> None:
    wonju = apply("GRIEVANCE", when="2026-03-02T10:00")["receipt_number"]
    jeonju = apply("GRIEVANCE", jurisdiction="5211000000")["receipt_number"]
    with clock.frozen_at(at("2026-03-20T10:00")):
        page = logged_in(officer).get("/staff/petitions/").content.decode()
    assert wonju in page and jeonju not in page
    assert 'class="overdue"' in page
    other = logged_in(make_staff("officer", "5211000000")).get("/staff/petitions/").content.decode()
    assert jeonju in other and wonju not in other
    assert logged_in(officer).get(f"/staff/petitions/{jeonju}/1/").status_code == 404


def test_officer_acts_from_the_petition_page(apply: Apply, officer: User) -> None:
    number = apply("GRIEVANCE")["receipt_number"]
    client = logged_in(officer)
    assert "검토 시작" in client.get(f"/staff/petitions/{number}/1/").content.decode()
    client.post(f"/staff/petitions/{number}/1/start-review/")
    response = client.post(
        f"/staff/petitions/{number}/1/decide/", {"outcome": "rejected"}, follow=True
    )
    assert "사유를 입력하세요" in response.content.decode()
    client.post(f"/staff/petitions/{number}/1/decide/", {"outcome": "approved"})
    assert Petition.objects.get().state == "decided"


def test_head_sees_the_load(apply: Apply, make_staff: Callable[..., User]) -> None:
    apply("GRIEVANCE", when="2026-03-02T10:00")
    head = make_staff("department_head", WONJU)
    with clock.frozen_at(at("2026-03-20T10:00")):
        page = logged_in(head).get("/staff/petitions/load/").content.decode()
    assert "민원여권과" in page and "overdue" in page


def test_counter_intake_prints_a_receipt(clerk: User, catalog_loaded: None) -> None:
    client = logged_in(clerk)
    response = client.post("/staff/petitions/intake/", {
        "channel": "counter", "applicant_name": "박지훈", "applicant_birth": "1990-01-03",
        "type": ["SEAL_CERT"], "doc:SEAL_CERT": ["신분증"],
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[-2000:]
    page = client.get(response["Location"]).content.decode()
    number = Application.objects.get().receipt_number
    assert number in page and receipts.pin_for(number) in page and "인감증명서" in page


def test_citizen_cannot_open_staff_pages(citizen: User) -> None:
    assert logged_in(citizen).get("/staff/petitions/").status_code == 403


def _visible_text(html: str) -> str:
    body = html.split("<main", 1)[-1]
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def test_tracking_page_writes_times_in_seoul_words(apply: Apply) -> None:
    number = apply("INFO_DISCLOSURE", when="2026-03-09T10:00")["receipt_number"]
    petition = Petition.objects.get(application__receipt_number=number)
    assert petition.deadline_at.astimezone(SEOUL).hour == 18  # the end of the office day
    query = {"receipt_number": number, "pin": receipts.pin_for(number)}
    text = _visible_text(Client().post("/track/", query).content.decode())
    deadline = formats.instant(petition.deadline_at, "ko")
    assert re.fullmatch(r"\d{4}년 \d{1,2}월 \d{1,2}일 \([월화수목금토일]\) 18:00", deadline)
    assert f"처리기한 {deadline}" in text
    assert "2026년 3월 9일 (월) 10:00 접수" in text  # the first step: when, then what
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text), text  # no ISO left in what people read
    assert "received" not in text and "start_review" not in text

    english = Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = english.post("/track/", query).content.decode()
    assert 'class="state state-received">Received<' in html  # the state, not 접수
    text = _visible_text(html)
    assert "Mon 9 Mar 2026, 10:00" in text and formats.instant(petition.deadline_at, "en") in text
    assert "Received" in text


def test_apply_groups_types_by_category_and_reviews_before_filing(citizen: User) -> None:
    client = logged_in(citizen)
    html = client.get("/petitions/apply/").content.decode()
    assert re.search(r"<legend>환경 <span class=\"category-count\">\(1\)</span></legend>", html)
    assert 'data-choseong="ㄷㅎㅍㄱㅁ ㅂㅊ ㅅㄱ"' in html  # 대형폐기물 배출 신고
    assert 'data-found="민원 %s개를 찾았습니다."' in html
    form = {"jurisdiction": WONJU, "type": ["LARGE_WASTE"], "f:LARGE_WASTE:items": "2",
            "content": "소파 1개", "email": "kim@example.kr"}  # fmt: skip
    review = client.post("/petitions/apply/", {**form, "step": "review"})
    text = _visible_text(review.content.decode())
    assert review.status_code == 200 and "신청 내용 확인" in text
    assert (
        "대형폐기물 배출 신고" in text
        and "배출 품목 수 2" in text
        and "수수료 합계 3,000원" in text
    )
    assert not Application.objects.exists()  # nothing filed before the citizen confirms
    assert '<input type="hidden" name="f:LARGE_WASTE:items" value="2">' in review.content.decode()

    edit = client.post("/petitions/apply/", {**form, "step": "edit"}).content.decode()
    assert 'id="type-LARGE_WASTE" name="type" value="LARGE_WASTE" checked' in edit
    assert 'name="f:LARGE_WASTE:items" value="2"' in edit and "소파 1개" in edit

    unpaid = client.post("/petitions/apply/", {**form, "step": "submit"})  # a fee: the card first
    assert unpaid.status_code == 400 and "카드 번호" in _visible_text(unpaid.content.decode())
    assert not Application.objects.exists()
    card = {"card_number": "4111 1111 1111 1111", "card_expiry": "12/29", "order": "a" * 32}
    with clock.frozen_at(at("2026-03-09T10:00")):
        filed = client.post("/petitions/apply/", {**form, **card, "step": "submit"})
    assert filed.status_code == 302 and Application.objects.count() == 1


def test_apply_errors_name_the_field_in_words(citizen: User) -> None:
    client = logged_in(citizen)
    bad = {"jurisdiction": WONJU, "type": ["LARGE_WASTE"], "f:LARGE_WASTE:items": "많이",
           "step": "submit"}  # fmt: skip
    page = client.post("/petitions/apply/", bad)
    text = _visible_text(page.content.decode())
    assert page.status_code == 400 and "(항목: 대형폐기물 배출 신고: 배출 품목 수)" in text, text
    assert "items" not in text
    none = _visible_text(client.post("/petitions/apply/", {"step": "review"}).content.decode())
    assert "신청할 민원을 하나 이상 고르세요." in none
    assert not Application.objects.exists()
