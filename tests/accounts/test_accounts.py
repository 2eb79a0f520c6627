"""Sign-up with identity proofing, log-in throttling, staff session expiry."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from minwon.accounts import consent
from minwon.accounts.identity import register_demo_contact
from minwon.accounts.models import User
from minwon.kernel import rrn
from minwon.kernel.models import AuditRecord
from tests.conftest import PASSWORD, WONJU, sent_code

pytestmark = pytest.mark.django_db

AGREED = {
    "password_confirm": "long-enough-pass-7",
    "agree_terms": "on",
    "agree_privacy": "on",
    "terms_version": consent.TERMS.version,
    "privacy_version": consent.PRIVACY.version,
}


def _sign_up(client: Client, number: str, name: str, username: str) -> Any:
    return client.post(
        "/accounts/sign-up/",
        {"display_name": name, "rrn": number, "username": username, "email": "h@example.kr",
         "password": "long-enough-pass-7", "password_confirm": "long-enough-pass-7",
         **AGREED},
    )  # fmt: skip


def test_sign_up_proves_possession_and_stores_only_the_blind_index(
    jurisdictions_loaded: None,
) -> None:
    number = rrn.with_check_digit("880808212345")
    register_demo_contact(number, name="정하늘", email="haneul@carrier.example")
    client = Client()
    started = _sign_up(client, number, "정하늘", "haneul")
    assert started.status_code == 302 and started["Location"] == "/accounts/sign-up/code/"
    assert not User.objects.filter(username="haneul").exists()
    wrong = client.post("/accounts/sign-up/code/", {"code": "000000"})
    assert wrong.status_code == 400 and not User.objects.filter(username="haneul").exists()
    done = client.post("/accounts/sign-up/code/", {"code": sent_code("haneul@carrier.example")})
    assert done.status_code == 302
    user = User.objects.get(username="haneul")
    assert user.identity_index == rrn.blind_index(rrn.parse(number))
    assert (user.identity_method, user.identity_assurance) == ("demo-otp", "substantial")
    assert user.birth_date.isoformat() == "1988-08-08"
    assert number[7:] not in str(User.objects.filter(pk=user.pk).values().first())


def test_a_strangers_number_opens_nothing(jurisdictions_loaded: None) -> None:
    """Finding 1: a made-up name with someone else's number no longer makes an account."""
    number = rrn.with_check_digit("880808212345")
    register_demo_contact(number, name="정하늘", email="haneul@carrier.example")
    client = Client()
    assert _sign_up(client, number, "아무개", "squatter").status_code == 302
    assert mail.outbox == []  # the code goes to the holder's contact, and only for their name
    for guess in ("000000", "123456"):
        assert client.post("/accounts/sign-up/code/", {"code": guess}).status_code == 400
    assert not User.objects.filter(username="squatter").exists()


def test_sign_up_answers_the_same_for_known_and_unknown_numbers(make_citizen) -> None:  # type: ignore[no-untyped-def]
    known = rrn.with_check_digit("910101112345")
    make_citizen(number=known)
    unknown = rrn.with_check_digit("910101112346"[:12])
    answers = []
    for number, username in ((known, "again"), (unknown, "fresh")):
        response = _sign_up(Client(), number, "홍길동", username)
        answers.append((response.status_code, response["Location"]))
    assert answers[0] == answers[1] == (302, "/accounts/sign-up/code/")
    follow = Client()
    _sign_up(follow, known, "홍길동", "again")
    page = follow.get("/accounts/sign-up/code/").content.decode()
    assert "이미 가입" not in page


def test_sign_up_is_throttled_per_address(jurisdictions_loaded: None, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MINWON_RATE_IDENTITY_START", "3/600")
    client = Client(REMOTE_ADDR="203.0.113.50")
    codes = [
        _sign_up(client, rrn.with_check_digit(f"88080821234{n}"), "정하늘", f"user{n}").status_code
        for n in range(5)
    ]
    assert codes[:3] == [302] * 3 and codes[3:] == [429, 429]
    refused = _sign_up(client, rrn.with_check_digit("880808212349"), "정하늘", "user9")
    assert "너무 많습니다" in refused.content.decode()
    assert _sign_up(Client(REMOTE_ADDR="203.0.113.60"), rrn.with_check_digit("880808212349"),
                    "정하늘", "user9").status_code == 302  # fmt: skip


def test_wrong_codes_are_throttled_and_the_right_one_still_works_elsewhere(
    jurisdictions_loaded: None,
) -> None:
    number = rrn.with_check_digit("880808212345")
    register_demo_contact(number, name="정하늘", email="haneul@carrier.example")
    prober = Client(REMOTE_ADDR="203.0.113.51")
    _sign_up(prober, number, "정하늘", "haneul")
    for _ in range(5):
        assert prober.post("/accounts/sign-up/code/", {"code": "000000"}).status_code == 400
    code = sent_code("haneul@carrier.example")
    refused = prober.post("/accounts/sign-up/code/", {"code": code})
    assert refused.status_code == 429 and "여러 번 틀렸습니다" in refused.content.decode()
    assert not User.objects.filter(username="haneul").exists()


def test_demo_verifier_is_refused_in_production(settings) -> None:  # type: ignore[no-untyped-def]
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    from minwon.accounts.identity import demo_verifier_refused_in_production

    assert demo_verifier_refused_in_production() == []
    settings.PRODUCTION = True
    assert [m.id for m in demo_verifier_refused_in_production()] == ["accounts.E001"]
    with pytest.raises(SystemCheckError, match=r"accounts\.E001"):
        call_command("check", "--deploy")


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


def test_a_stranger_cannot_lock_the_administrator_out_silently(make_staff) -> None:  # type: ignore[no-untyped-def]
    """Finding 7: five bad passwords from one address lock that address only; the account
    holder is mailed and the situation room raises an alarm."""
    from minwon.kernel import outbox
    from minwon.ops.models import Alert

    admin = make_staff("sysadmin", "0000000000")
    User.objects.filter(pk=admin.pk).update(email="admin@office.example")
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(5):
        attacker.post("/accounts/login/", {"username": admin.username, "password": "wrong"})
    blocked = attacker.post("/accounts/login/", {"username": admin.username, "password": PASSWORD})
    assert blocked.status_code == 429
    attacker.post("/accounts/login/", {"username": admin.username, "password": "again"})
    desk = Client(REMOTE_ADDR="198.51.100.3")
    at_desk = desk.post("/accounts/login/", {"username": admin.username, "password": PASSWORD})
    assert at_desk.status_code == 302 and desk.get("/staff/").status_code == 200
    alarm = Alert.objects.get(rule_id="staff-lockout")
    assert alarm.fingerprint == f"staff-lockout:{admin.pk}:203.0.113.9"
    assert admin.username in alarm.message and alarm.occurrences == 1
    outbox.deliver_batch()
    outbox.deliver_batch()
    notice = [m for m in mail.outbox if "admin@office.example" in m.to]
    assert len(notice) == 1 and "203.0.113.9" in str(notice[0].body)
    # The room's tick keeps the alarm up while the lock lasts.
    from minwon.ops import alerts

    assert [f.fingerprint for f in alerts.evaluate() if f.rule == "staff-lockout"] == [
        alarm.fingerprint
    ]


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


def test_demo_mail_shows_the_code_in_the_demo_only(
    jurisdictions_loaded: None, settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    number = rrn.with_check_digit("880808212345")
    register_demo_contact(number, name="정하늘", email="haneul@carrier.example")
    client = Client()
    _sign_up(client, number, "정하늘", "haneul")
    page = client.get("/accounts/sign-up/code/").content.decode()
    assert "/demo/mail/" in page
    box = client.get("/demo/mail/").content.decode()
    code = re.search(r"인증번호는 (\d{6})", box)
    assert code is not None and "haneul@carrier.example" in box
    assert client.post("/accounts/sign-up/code/", {"code": code.group(1)}).status_code == 302
    settings.PRODUCTION = True
    assert client.get("/demo/mail/").status_code == 404
