"""Shared fixtures: jurisdictions loaded from the real code list, staff and citizens made
through commands, and a system actor."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password

from minwon.accounts import consent
from minwon.accounts.commands import CreateStaffAccount, GrantRole, SignUpCitizen
from minwon.accounts.models import User
from minwon.accounts.permissions import clear_cache
from minwon.kernel import calendar, execute, jurisdictions, rrn
from minwon.kernel.models import Jurisdiction
from minwon.kernel.types import NATION, Actor, ActorKind, Channel

WONJU = "5113000000"
JEONJU = "5211000000"
WANSAN = "5211100000"
GONGJU = "4415000000"
PASSWORD = "test-password-2026"
_HASH: dict[str, str] = {}
_counter = itertools.count(1)

SYSTEM = Actor.system("test")


def password_hash() -> str:
    if PASSWORD not in _HASH:
        _HASH[PASSWORD] = make_password(PASSWORD)
    return _HASH[PASSWORD]


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    jurisdictions.clear_cache()
    calendar.invalidate()
    clear_cache()


@pytest.fixture
def jurisdictions_loaded(db: Any) -> None:
    if not Jurisdiction.objects.filter(pk=WONJU).exists():
        from minwon.kernel.management.commands.load_jurisdictions import load

        load()
        jurisdictions.clear_cache()


@pytest.fixture
def make_staff(jurisdictions_loaded: None) -> Callable[..., User]:
    def make(role: str, scope: str = WONJU, username: str | None = None) -> User:
        name = username or f"{role}-{scope}-{next(_counter)}"
        result = execute(
            CreateStaffAccount(
                actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=scope,
                username=name, display_name=name, password_hash=password_hash(),
            )
        )  # fmt: skip
        user_id = result.value["user_id"]
        execute(
            GrantRole(
                actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=scope, user_id=user_id, role=role
            )
        )
        return User.objects.get(pk=user_id)

    return make


@pytest.fixture
def make_citizen(jurisdictions_loaded: None) -> Callable[..., User]:
    def make(number: str = "", name: str = "홍길동") -> User:
        n = next(_counter)
        number = number or rrn.with_check_digit(f"9001{(n % 28) + 1:02d}1{n:05d}"[:12])
        result = execute(
            SignUpCitizen(
                actor=Actor.anonymous(), channel=Channel.ONLINE, jurisdiction=NATION,
                username=f"citizen{n}", display_name=name, password_hash=password_hash(),
                sealed_rrn=rrn.SealedRRN.from_text(number), identity_method="demo",
                **{f"{key}_version": v for key, v in consent.current_versions().items()},
            )
        )  # fmt: skip
        return User.objects.get(pk=result.value["user_id"])

    return make


def actor_of(user: User) -> Actor:
    kind = ActorKind.STAFF if user.kind == "staff" else ActorKind.CITIZEN
    return Actor(kind, user.pk, user.username)


@pytest.fixture(autouse=True)
def _demo_contacts(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each test has its own demo contact directory (the demo verifier's 'carrier')."""
    path = tmp_path_factory.mktemp("contacts") / "contacts.json"
    monkeypatch.setenv("MINWON_DEMO_CONTACTS", str(path))


def sent_code(email: str) -> str:
    """The one-time code the demo verifier last sent to ``email`` (Django's test outbox)."""
    import re

    from django.core import mail

    for message in reversed(mail.outbox):
        if email in message.to:
            found = re.search(r"\b(\d{6})\b", str(message.body))
            if found:
                return found.group(1)
    raise AssertionError(f"no code was sent to {email}")


def prove(client: Any, url: str, number: str, name: str, email: str = "") -> Any:
    """Through a kiosk's two-step 본인 확인 at ``url`` as the holder of ``number`` (registered
    in the demo directory with ``email``); returns the answer to the code step."""
    from minwon.accounts.identity import register_demo_contact

    email = email or f"{rrn.SealedRRN.from_text(number).index[:8]}@example.kr"
    register_demo_contact(number, name=name, email=email)
    started = client.post(url, {"name": name, "rrn": number})
    assert started.status_code == 200, started.content.decode()[:2000]
    return client.post(url, {"code": sent_code(email)})


def enrol_kiosk(office: str = WONJU, name: str = "시험 무인민원발급기") -> tuple[str, str]:
    """A kiosk device enrolled at ``office`` through the command an administrator's screen
    runs; returns its id and the one-time hand-over code."""
    from minwon.accounts import kiosks
    from minwon.accounts.commands import EnrollKioskDevice

    code = kiosks.normal_code(kiosks.new_handover_code())
    device_id = kiosks.new_device_id()
    execute(
        EnrollKioskDevice(
            actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=office, device_id=device_id,
            name=name, handover_hash=kiosks.digest(code),
            handover_expires_at=kiosks.handover_expiry(),
        )
    )  # fmt: skip
    return device_id, code


def kiosk_client(office: str = WONJU, client: Any = None) -> Any:
    """A test client that is an enrolled kiosk of ``office``: the device enrolled, then
    installed through the hand-over page as an administrator does on the kiosk."""
    from django.test import Client

    client = client or Client()
    device_id, code = enrol_kiosk(office)
    response = client.post("/kiosk/enrol/", {"code": code})
    assert response.status_code == 200, response.content.decode()[:2000]
    client.kiosk_device_id = device_id
    return client
