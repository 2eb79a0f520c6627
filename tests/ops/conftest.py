"""Fixtures for the room's tests: a clean per-process rollup buffer, helpers that execute
certificate- and petition-like commands, and operators."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest

from minwon.kernel import clock, execute
from minwon.kernel.types import Actor, Channel
from minwon.ops import health, rollups
from tests.conftest import WONJU
from tests.ops import sample

SYSTEM = Actor.system("test")


@pytest.fixture(autouse=True)
def _clean_rollups() -> Iterator[None]:
    rollups.discard_pending()
    health.clear_cache()
    yield
    rollups.discard_pending()
    health.clear_cache()


def issue(
    *,
    at: datetime | None = None,
    channel: Channel = Channel.ONLINE,
    jurisdiction: str = WONJU,
    fail: bool = False,
) -> Any:
    command = sample.IssueDrillCertificate(
        actor=SYSTEM, channel=channel, jurisdiction=jurisdiction, fail=fail
    )
    if at is None:
        return execute(command)
    with clock.frozen_at(at):
        return execute(command)


def submit(
    *, at: datetime | None = None, channel: Channel = Channel.COUNTER, jurisdiction: str = WONJU
) -> Any:
    command = sample.SubmitDrillPetition(actor=SYSTEM, channel=channel, jurisdiction=jurisdiction)
    if at is None:
        return execute(command)
    with clock.frozen_at(at):
        return execute(command)


@pytest.fixture
def operator(make_staff: Callable[..., Any]) -> Any:
    from minwon.kernel.types import NATION

    return make_staff("operator", NATION)
