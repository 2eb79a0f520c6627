"""Applying one step per screen over HTTP: 민원 선택 → 신청 내용 → 구비서류 → 확인 →
수수료 결제 (only with a fee) → 접수 완료. What was entered rides along in the form (never
in a URL), a refusal comes back on the screen where the field is, named in words, and
the card is charged once and kept only as its brand and last four digits."""

from __future__ import annotations

import html as markup
import json
import re
from typing import Any

import pytest
from django.test import Client

from minwon.accounts.models import User
from minwon.kernel import clock
from minwon.kernel.models import CommandRecord
from minwon.payments.models import Payment
from minwon.petitions.models import Application

from .conftest import WONJU, at

pytestmark = pytest.mark.django_db
CARD = {"card_number": "4111 1111 1111 1111", "card_expiry": "12/29"}
WASTE = {"jurisdiction": WONJU, "type": ["LARGE_WASTE"], "f:LARGE_WASTE:items": "2",
         "content": "소파 1개", "email": "kim@example.kr"}  # fmt: skip


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(html: str) -> str:
    body = html.split("<main", 1)[-1]
    return markup.unescape(" ".join(re.sub(r"<[^>]+>", " ", body).split()))


def _hidden(html: str) -> dict[str, list[str]]:
    """The form's own fields as a browser would post them back (hidden inputs)."""
    out: dict[str, list[str]] = {}
    form = html[html.index('action="/petitions/apply/"') :]
    form = form[: form.index("</form>")]
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form):
        if name != "csrfmiddlewaretoken":
            out.setdefault(name, []).append(value)
    return out


def _forms_post_to_apply(html: str) -> None:
    forms = re.findall(r"<form[^>]*>", html)
    apply_forms = [f for f in forms if "/petitions/apply/" in f]
    assert apply_forms, forms
    for form in apply_forms:
        assert 'method="post"' in form and 'action="/petitions/apply/"' in form, form


def post(client: Client, data: dict[str, Any]) -> tuple[int, str]:
    with clock.frozen_at(at("2026-03-09T10:00")):
        response = client.post("/petitions/apply/", data)
    assert "?" not in response.get("Location", "")
    return response.status_code, response.content.decode()


def test_every_step_of_a_fee_type_then_the_receipt(citizen: User) -> None:
    client = _client(citizen)
    first = client.get("/petitions/apply/").content.decode()
    assert "1/5 민원 선택" in _text(first) and 'class="krds-step-wrap' in first
    assert "배출 품목 수" not in first  # a type's fields wait for the next screen
    _forms_post_to_apply(first)

    status, form = post(client, {"jurisdiction": WONJU, "type": ["LARGE_WASTE"], "step": "form"})
    assert status == 200 and "2/5 신청 내용" in _text(form)
    assert "배출 품목 수" in form and "광고물" not in _text(form)  # only that type's fields
    assert _hidden(form) == {"jurisdiction": [WONJU], "type": ["LARGE_WASTE"]}
    _forms_post_to_apply(form)

    so_far = {**_hidden(form), "f:LARGE_WASTE:items": "2", "content": "소파 1개"}
    status, documents = post(client, {**so_far, "step": "documents"})
    assert status == 200 and "3/5 구비서류" in _text(documents)
    assert "대형폐기물 배출 신고" in _text(documents)

    status, review = post(client, {**_hidden(documents), "step": "review"})
    text = _text(review)
    assert status == 200 and "4/5 확인" in text and "배출 품목 수 2" in text
    assert "다음: 수수료 결제" in text and not Application.objects.exists()

    status, pay = post(client, {**_hidden(review), "step": "pay"})
    text = _text(pay)
    assert status == 200 and "5/5 수수료 결제" in text and "3,000원" in text
    order = _hidden(pay)["order"]
    assert len(order) == 1 and re.fullmatch(r"[0-9a-f]{32}", order[0])
    with clock.frozen_at(at("2026-03-09T10:00")):
        filed = client.post("/petitions/apply/", {**_hidden(pay), **CARD, "step": "submit"})
    assert filed.status_code == 302 and "?" not in filed["Location"]
    application = Application.objects.get()
    payment = Payment.objects.get()
    assert payment.reference == application.receipt_number and payment.amount == 3000
    receipt = client.get(filed["Location"]).content.decode()
    text = _text(receipt)
    assert (
        "접수 완료" in text and "5단계 수수료 결제" in text and application.receipt_number in text
    )
    assert "3,000원" in text and payment.approval_number in text and "끝 번호 1111" in text
    assert "비자" in text and "visa" not in text and "card" not in text.lower()
    assert "5단계" not in _text(client.get(filed["Location"]).content.decode())  # once only
    stored = json.dumps(list(CommandRecord.objects.values_list("payload", flat=True)))
    assert "4111111111111111" not in stored and "4111 1111 1111 1111" not in stored
    assert "4111" not in json.dumps(dict(client.session))


def test_a_missing_field_brings_back_the_form_step_naming_it(citizen: User) -> None:
    client = _client(citizen)
    chosen = {"jurisdiction": WONJU, "type": ["LARGE_WASTE"], "content": "소파"}
    status, page = post(client, {**chosen, "step": "documents"})
    text = _text(page)
    assert status == 400 and "2/5 신청 내용" in text
    assert (
        "'배출 품목 수' 항목을 입력하세요." in text and "대형폐기물 배출 신고: 배출 품목 수" in text
    )
    assert "items" not in text
    assert re.search(r'id="f-LARGE_WASTE-items"[^>]*aria-invalid="true"', page)
    assert "소파" in page  # what was entered stays
    # jumping ahead to the review or the payment is checked the same way
    assert post(client, {**chosen, "step": "pay"})[0] == 400
    assert not Application.objects.exists()


def test_no_type_chosen_stays_on_the_first_step(citizen: User) -> None:
    status, page = post(_client(citizen), {"jurisdiction": WONJU, "step": "form"})
    assert status == 400 and "1/5 민원 선택" in _text(page)
    assert "신청할 민원을 하나 이상 고르세요." in _text(page)


def test_missing_documents_come_back_on_the_documents_step(citizen: User) -> None:
    data = {"jurisdiction": WONJU, "type": ["RESTAURANT_REPORT"], "step": "review"}
    status, page = post(_client(citizen), data)
    text = _text(page)
    assert status == 400 and "3/5 구비서류" in text and "일반음식점 영업신고: '" in text
    assert "파일을 올리" in text


def test_back_keeps_what_was_entered(citizen: User) -> None:
    client = _client(citizen)
    status, documents = post(client, {**WASTE, "step": "documents"})
    assert status == 200
    status, back = post(client, {**_hidden(documents), "step": "form"})
    assert 'name="f:LARGE_WASTE:items" value="2"' in back and "소파 1개" in back
    status, start = post(client, {**_hidden(documents), "step": "type"})
    assert 'id="type-LARGE_WASTE" name="type" value="LARGE_WASTE" checked' in start
    assert '<input type="hidden" name="f:LARGE_WASTE:items" value="2">' in start


def test_a_refused_card_files_nothing_and_is_not_echoed(citizen: User) -> None:
    client = _client(citizen)
    _, pay = post(client, {**WASTE, "step": "pay"})
    limit = {"card_number": "4000 0000 0000 0002", "card_expiry": "12/29"}
    status, page = post(client, {**_hidden(pay), **limit, "step": "submit"})
    text = _text(page)
    assert status == 400 and "5/5 수수료 결제" in text and "한도 초과" in text
    assert 'value="4000' not in page and "4000000000000002" not in page  # only in the demo hint
    assert not Application.objects.exists() and not Payment.objects.exists()
    assert _hidden(page)["order"] == _hidden(pay)["order"]  # nothing charged: same order
    status, page = post(client, {**_hidden(pay), "card_number": "4111 1111 1111 1112",
                                 "card_expiry": "12/29", "step": "submit"})  # fmt: skip
    assert status == 400 and "카드 번호가 올바르지 않습니다" in _text(page)
    status, _ = post(client, {**_hidden(page), **CARD, "step": "submit"})
    assert status == 302 and Payment.objects.get().card_last4 == "1111"


def test_a_repeated_payment_files_and_charges_once(citizen: User, clerk: User) -> None:
    client = _client(citizen)
    _, pay = post(client, {**WASTE, "step": "pay"})
    for _ in range(2):
        with clock.frozen_at(at("2026-03-09T10:00")):
            filed = client.post("/petitions/apply/", {**_hidden(pay), **CARD, "step": "submit"})
        assert filed.status_code == 302
    assert Application.objects.count() == 1 and Payment.objects.count() == 1
    number = Application.objects.get().receipt_number
    sheet = _text(_client(clerk).get(f"/staff/petitions/receipt/{number}/").content.decode())
    assert "수수료 결제" in sheet and Payment.objects.get().approval_number in sheet  # 접수증


def test_a_free_type_skips_the_payment_step(citizen: User) -> None:
    client = _client(citizen)
    free = {"jurisdiction": WONJU, "type": ["GRIEVANCE"], "content": "가로등 고장"}
    status, review = post(client, {**free, "step": "review"})
    text = _text(review)
    assert status == 200 and "4/5 확인" in text and "5단계 수수료 없음(결제 생략)" in text
    assert "다음: 수수료 결제" not in text
    assert "이대로 신청" in text and "무료" in text
    assert "4/5 확인" in _text(post(client, {**free, "step": "pay"})[1])  # no payment screen
    status, _ = post(client, {**_hidden(review), "step": "submit"})
    assert status == 302 and Application.objects.count() == 1 and not Payment.objects.exists()
