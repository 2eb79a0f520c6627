"""Browser: from the log-in page to sign-up, a strength hint while typing the password,
both agreements ticked by their labels, and the new account logged in; refusals in plain
Korean next to the field."""

from __future__ import annotations

from typing import Any

import pytest

from minwon.accounts.identity import register_demo_contact
from minwon.accounts.models import Consent, User
from minwon.kernel import rrn
from tests.conftest import sent_code
from tests.e2e.conftest import axe_violations
from tests.e2e.controls import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_from_the_log_in_page(page: Any, jurisdictions_loaded: None) -> None:
    page.goto("/accounts/login/")
    page.get_by_role("link", name="회원가입").click()
    page.wait_for_url("**/accounts/sign-up/")
    page.get_by_label("이름").fill("윤가람")
    number = rrn.with_check_digit("950505212345")
    register_demo_contact(number, name="윤가람", email="garam@carrier.example")
    page.get_by_label("주민등록번호").fill(number)
    page.get_by_label("아이디").fill("garam")
    password = page.locator("#id_password")
    password.fill("garam1")
    hint = page.locator("#password-strength")
    assert "비밀번호 안전도: 약함" in hint.inner_text()
    password.fill("Garam-river-2026!")
    assert "비밀번호 안전도: 강함" in hint.inner_text()
    page.get_by_label("비밀번호 확인").fill("Garam-river-2025!")
    page.get_by_text("이용약관에 동의합니다.").click()
    assert page.get_by_label("이용약관에 동의합니다.").is_checked()
    page.get_by_role("button", name="가입하기").click()
    errors = page.locator(".form-error").all_inner_texts()
    assert any("두 비밀번호가 서로 다릅니다" in e for e in errors), errors
    assert any("개인정보 수집·이용에 동의해야" in e for e in errors), errors
    screenshot(page, "sign-up-01-refused")
    assert axe_violations(page) == []

    # The number and the passwords are not written back into the page after a refusal.
    assert page.get_by_label("주민등록번호").input_value() == ""
    page.get_by_label("주민등록번호").fill(number)
    page.locator("#id_password").fill("Garam-river-2026!")
    page.get_by_label("비밀번호 확인").fill("Garam-river-2026!")
    page.get_by_label("개인정보 수집·이용에 동의합니다.").check()
    if not page.get_by_label("이용약관에 동의합니다.").is_checked():
        page.get_by_label("이용약관에 동의합니다.").check()
    screenshot(page, "sign-up-02-filled")
    page.get_by_role("button", name="가입하기").click()
    # 본인 확인: the one-time code sent to the contact registered for the number.
    page.wait_for_url("**/accounts/sign-up/code/")
    page.get_by_label("인증번호").fill(sent_code("garam@carrier.example"))
    screenshot(page, "sign-up-03-code")
    assert axe_violations(page) == []
    page.get_by_role("button", name="확인하고 가입하기").click()
    page.wait_for_url(lambda url: "sign-up" not in url)
    assert "회원가입을 마쳤습니다" in page.get_by_role("status").inner_text()
    user = User.objects.get(username="garam")
    assert Consent.objects.filter(user=user).count() == 2
