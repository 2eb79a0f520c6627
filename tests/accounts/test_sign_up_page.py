"""The sign-up page: password confirmation, plain-Korean messages naming the field, both
agreements required and recorded (with the version of each text) through SignUpCitizen,
and the log-in page links to it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from minwon.accounts import consent
from minwon.accounts.commands import SignUpCitizen
from minwon.accounts.identity import register_demo_contact
from minwon.accounts.models import Consent, User
from minwon.kernel import execute, rrn
from minwon.kernel.errors import ValidationFailed
from minwon.kernel.models import CommandRecord
from minwon.kernel.types import NATION, Actor, Channel
from tests.conftest import sent_code

pytestmark = pytest.mark.django_db

NUMBER = rrn.with_check_digit("890909212345")


def form(**changes: str) -> dict[str, str]:
    data = {
        "display_name": "한바다", "rrn": NUMBER, "username": "badaa", "email": "b@example.kr",
        "password": "Blue-sea-2026!", "password_confirm": "Blue-sea-2026!",
        "agree_terms": "on", "agree_privacy": "on",
        "terms_version": consent.TERMS.version, "privacy_version": consent.PRIVACY.version,
    }  # fmt: skip
    data.update(changes)
    return {k: v for k, v in data.items() if v != "-"}


def errors_of(html: str) -> str:
    return " ".join(re.findall(r'class="form-error"[^>]*>(.*?)</div>', html, re.S))


def test_sign_up_records_both_agreements_with_their_versions(jurisdictions_loaded: None) -> None:
    register_demo_contact(NUMBER, name="한바다", email="bada@carrier.example")
    client = Client()
    response = client.post("/accounts/sign-up/", form())
    assert response.status_code == 302 and response["Location"] == "/accounts/sign-up/code/"
    assert not Consent.objects.exists()  # nothing until the number is proven
    done = client.post("/accounts/sign-up/code/", {"code": sent_code("bada@carrier.example")})
    assert done.status_code == 302
    user = User.objects.get(username="badaa")
    agreed = {(c.document, c.version) for c in Consent.objects.filter(user=user)}
    assert agreed == {("terms", consent.TERMS.version), ("privacy", consent.PRIVACY.version)}
    record = CommandRecord.objects.get(name="SignUpCitizen")  # the command says so
    assert record.payload["terms_version"] == consent.TERMS.version
    assert record.payload["privacy_version"] == consent.PRIVACY.version


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"agree_terms": "-"}, "이용약관에 동의해야 가입할 수 있습니다."),
        ({"agree_privacy": "-"}, "개인정보 수집·이용에 동의해야 가입할 수 있습니다."),
        ({"password_confirm": "Blue-sea-2027!"}, "두 비밀번호가 서로 다릅니다."),
        ({"password": "short", "password_confirm": "short"}, "비밀번호는 10자 이상이어야 합니다."),
        ({"password": "12345678901", "password_confirm": "12345678901"}, "숫자만으로는"),
        ({"display_name": ""}, "이름을 입력하세요."),
        ({"email": "not-an-address"}, "전자우편 주소를 name@example.kr 처럼 입력하세요."),
        ({"terms_version": "2020-01-01"}, "동의한 문서가 바뀌었습니다."),
    ],
)
def test_refusals_say_what_to_do_in_plain_korean_and_store_nothing(
    jurisdictions_loaded: None, changes: dict[str, str], expected: str
) -> None:
    response = Client().post("/accounts/sign-up/", form(**changes))
    html = response.content.decode()
    assert response.status_code == 400
    assert expected in errors_of(html), errors_of(html)
    assert "이 값이" not in html and "필수 항목" not in html  # no stilted defaults
    assert not User.objects.filter(username="badaa").exists() and not Consent.objects.exists()


def test_an_agreement_to_an_old_text_is_refused_by_the_command(
    jurisdictions_loaded: None,
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        execute(
            SignUpCitizen(
                actor=Actor.anonymous(), channel=Channel.ONLINE, jurisdiction=NATION,
                username="nobody", display_name="옛판", password_hash="x",
                sealed_rrn=rrn.SealedRRN.from_text(NUMBER), identity_method="demo",
                terms_version="2020-01-01", privacy_version=consent.PRIVACY.version,
            )
        )  # fmt: skip
    assert refused.value.field == "agree_terms"
    assert not User.objects.filter(username="nobody").exists() and not Consent.objects.exists()


def test_pages_show_the_texts_and_link_each_other(jurisdictions_loaded: None) -> None:
    page = Client().get("/accounts/sign-up/").content.decode()
    assert str(consent.TERMS.paragraphs[0]) in page and "보유 기간" in page
    assert 'type="checkbox" name="agree_terms"' in page and 'name="password_confirm"' in page
    assert 'class="krds-btn large primary">가입하기' in page
    assert f'value="{consent.PRIVACY.version}"' in page
    login = Client().get("/accounts/login/").content.decode()
    assert 'href="/accounts/sign-up/"' in login

    english = Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = english.get("/accounts/sign-up/").content.decode()
    assert "I agree to the terms of use." in page and "Confirm password" in page


def test_a_wrong_password_at_log_in_is_said_plainly(make_citizen: Any) -> None:
    user = make_citizen()
    response = Client().post("/accounts/login/", {"username": user.username, "password": "x"})
    assert "아이디 또는 비밀번호가 맞지 않습니다." in response.content.decode()


def test_a_refused_form_does_not_write_the_number_back(jurisdictions_loaded: None) -> None:
    html = Client().post("/accounts/sign-up/", form(agree_terms="-")).content.decode()
    assert NUMBER not in html and "Blue-sea-2026!" not in html
