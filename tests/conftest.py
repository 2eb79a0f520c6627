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
