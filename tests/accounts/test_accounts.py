"""Sign-up with identity proofing, log-in throttling, staff session expiry."""

from __future__ import annotations

import pytest
from django.test import Client

from minwon.accounts import consent
from minwon.accounts.models import User
from minwon.kernel import rrn
from minwon.kernel.models import AuditRecord
from tests.conftest import PASSWORD, WONJU

pytestmark = pytest.mark.django_db

AGREED = {
    "password_confirm": "long-enough-pass-7",
    "agree_terms": "on",
    "agree_privacy": "on",
    "terms_version": consent.TERMS.version,
    "privacy_version": consent.PRIVACY.version,
}


def test_sign_up_stores_only_the_blind_index(jurisdictions_loaded: None) -> None:
    number = rrn.with_check_digit("880808212345")
    client = Client()
    response = client.post(
        "/accounts/sign-up/",
        {
            "display_name": "정하늘",
            "rrn": number,
            "username": "haneul",
            "email": "h@example.kr",
            "password": "long-enough-pass-7",
            **AGREED,
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="haneul")
    assert user.identity_index == rrn.blind_index(rrn.parse(number))
    assert user.birth_date.isoformat() == "1988-08-08"
    assert number[7:] not in str(User.objects.filter(pk=user.pk).values().first())


def test_sign_up_with_bad_number_names_the_field(jurisdictions_loaded: None) -> None:
    response = Client().post(
        "/accounts/sign-up/",
        {
            "display_name": "정하늘",
            "rrn": "881332-2123456",
            "username": "bad",
            "password": "long-enough-pass-7",
            **AGREED,
        },
    )
    assert response.status_code == 400
    assert "주민등록번호" in response.content.decode()
    assert not User.objects.filter(username="bad").exists()


def test_same_person_cannot_sign_up_twice(make_citizen) -> None:  # type: ignore[no-untyped-def]
    number = rrn.with_check_digit("910101112345")
    make_citizen(number=number)
    response = Client().post(
        "/accounts/sign-up/",
        {
            "display_name": "홍길동",
            "rrn": number,
            "username": "again",
            "password": "long-enough-pass-7",
            **AGREED,
        },
    )
    assert response.status_code == 400
    assert "이미 가입" in response.content.decode()


def test_log_in_is_recorded_and_lands_staff_on_the_portal(make_staff) -> None:  # type: ignore[no-untyped-def]
    user = make_staff("counter_clerk", WONJU)
    client = Client()
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/staff/"
    assert AuditRecord.objects.filter(name="RecordSignIn", actor=f"staff:{user.pk}").count() == 1
    assert client.get("/staff/").status_code == 200


def test_lock_out_after_repeated_failures(make_staff) -> None:  # type: ignore[no-untyped-def]
    user = make_staff("counter_clerk", WONJU)
    client = Client()
    for _ in range(5):
        client.post("/accounts/login/", {"username": user.username, "password": "wrong"})
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code in (403, 429)
    assert "잠" in response.content.decode()


def test_staff_session_expires_when_idle(make_staff, settings) -> None:  # type: ignore[no-untyped-def]
    import time

    user = make_staff("counter_clerk", WONJU)
    client = Client()
    client.force_login(user)
    assert client.get("/staff/").status_code == 200
    session = client.session
    session["staff_seen_at"] = time.time() - settings.STAFF_IDLE_SECONDS - 5
    session.save()
    response = client.get("/staff/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_citizen_cannot_open_the_staff_portal(make_citizen) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(make_citizen())
    assert client.get("/staff/").status_code == 403
