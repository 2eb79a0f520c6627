"""Fixtures for petitions: the catalog loaded through its command and helpers that file and
move petitions through the real commands."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from minwon.accounts.models import User
from minwon.kernel import clock, execute
from minwon.kernel.clock import SEOUL
from minwon.kernel.types import Actor, ActorKind, Channel
from minwon.petitions import catalog
from minwon.petitions.commands import ApplicationItem, LoadPetitionCatalog, SubmitApplication
from minwon.petitions.commands.workflow import ACTIONS

WONJU = "5113000000"
JEONJU = "5211000000"
SYSTEM = Actor.system("test")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SEOUL)


def actor(user: User) -> Actor:
    kind = ActorKind.STAFF if user.kind == "staff" else ActorKind.CITIZEN
    return Actor(kind, user.pk, user.username)


@pytest.fixture
def catalog_loaded(jurisdictions_loaded: None) -> None:
    data = catalog.read()
    execute(
        LoadPetitionCatalog(
            actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction="0000000000",
            version=data["version"], types=data["types"],
        )
    )  # fmt: skip


@pytest.fixture
def citizen(catalog_loaded: None, make_citizen: Callable[..., User]) -> User:
    user = make_citizen(name="김민원")
    user.email = "kim@example.kr"
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def officer(make_staff: Callable[..., User]) -> User:
    return make_staff("officer", WONJU)


@pytest.fixture
def clerk(make_staff: Callable[..., User]) -> User:
    return make_staff("counter_clerk", WONJU)


@pytest.fixture
def apply(citizen: User) -> Callable[..., dict[str, Any]]:
    """File an application online as ``citizen`` (or another actor) and return its result."""

    def run(
        *items: ApplicationItem | str,
        who: Actor | None = None,
        when: str = "2026-03-09T10:00",
        channel: Channel = Channel.ONLINE,
        jurisdiction: str = WONJU,
        **extra: Any,
    ) -> dict[str, Any]:
        built = [ApplicationItem(type_code=i) if isinstance(i, str) else i for i in items]
        with clock.frozen_at(at(when)):
            return execute(
                SubmitApplication(
                    actor=who or actor(citizen), channel=channel, jurisdiction=jurisdiction,
                    items=built, **extra,
                )
            ).value  # fmt: skip

    return run


@pytest.fixture
def act() -> Callable[..., dict[str, Any]]:
    """Run a workflow action by its API name: ``act(officer, "decide", number, outcome=...)``."""

    def run(
        who: User | Actor,
        action: str,
        receipt: str,
        *,
        when: str = "2026-03-10T10:00",
        item: int = 1,
        **fields: Any,
    ) -> dict[str, Any]:
        who_actor = who if isinstance(who, Actor) else actor(who)
        with clock.frozen_at(at(when)):
            return execute(
                ACTIONS[action](
                    actor=who_actor, channel=Channel.ONLINE, jurisdiction=WONJU,
                    receipt_number=receipt, item=item, **fields,
                )
            ).value  # fmt: skip

    return run
