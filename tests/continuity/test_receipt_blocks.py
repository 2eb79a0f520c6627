"""Central's own random receipt numbers never fall into a block reserved to an edge node.

Edges number offline receipts from a two-character block of the random part reserved to
them (``ReserveReceiptRange``); central's online draw (``petitions.receipts``) skips the
blocks reserved for the office's numbers and draws again. The random source is scripted
here so the first draw lands in the reserved block."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest

from minwon.accounts.models import User
from minwon.continuity import commands
from minwon.continuity.commands import ReserveReceiptRange
from minwon.kernel import execute
from minwon.kernel.types import Actor, ActorKind, Channel
from minwon.petitions import catalog, receipts
from minwon.petitions.commands import ApplicationItem, LoadPetitionCatalog, SubmitApplication
from tests.conftest import actor_of

WONJU = "5113000000"
WONJU_DONG = "5113025000"
GONGJU = "4415000000"


@pytest.fixture(autouse=True)
def _fresh_blocks_cache() -> Iterator[None]:
    commands._blocks_cache.clear()
    yield
    commands._blocks_cache.clear()


def _reserve(office: str, edge_id: str) -> str:
    from minwon.accounts.commands import RegisterAgencyClient

    client = execute(
        RegisterAgencyClient(
            actor=Actor.system("test"), channel=Channel.SYSTEM, jurisdiction=office,
            name=edge_id, prefix=f"e{uuid.uuid4().hex[:8]}", key_hash=uuid.uuid4().hex * 2,
            permissions=["continuity.replay"],
        )
    ).value["client_id"]  # fmt: skip
    result = execute(
        ReserveReceiptRange(
            actor=Actor(ActorKind.AGENCY, client, edge_id), channel=Channel.EDGE,
            jurisdiction=office, edge_id=edge_id,
        )
    )  # fmt: skip
    return str(result.value["prefix"])


def _scripted(monkeypatch: pytest.MonkeyPatch, *draws: str) -> list[str]:
    """Make ``secrets.choice`` in the receipts module return ``draws`` character by
    character; returns the list of characters still unused (to see how many were drawn)."""
    left = list("".join(draws))
    real = receipts.secrets.choice

    def choice(seq: Any) -> Any:
        # ``secrets`` is one module: other draws in the command keep their real source.
        return left.pop(0) if seq == receipts.ALPHABET and left else real(seq)

    monkeypatch.setattr(receipts.secrets, "choice", choice)
    return left


@pytest.fixture
def submit(
    jurisdictions_loaded: None,
    make_staff: Callable[..., User],
) -> Callable[[str], str]:
    data = catalog.read()
    execute(
        LoadPetitionCatalog(
            actor=Actor.system("test"), channel=Channel.SYSTEM, jurisdiction="0000000000",
            version=str(data["version"]), types=data["types"],
        )
    )  # fmt: skip
    clerks: dict[str, Actor] = {}

    def run(office: str) -> str:
        if office not in clerks:
            clerks[office] = actor_of(make_staff("counter_clerk", office))
        result = execute(
            SubmitApplication(
                actor=clerks[office], channel=Channel.COUNTER, jurisdiction=office,
                items=[ApplicationItem(type_code="GRIEVANCE")], applicant_name="김민원",
                applicant_birth=date(1980, 1, 1),
            )
        )  # fmt: skip
        return str(result.value["receipt_number"])

    return run


def test_online_draw_in_reserved_block_is_drawn_again(
    submit: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    block = _reserve(WONJU, "wonju-1")
    assert block == "ZZ"
    left = _scripted(monkeypatch, block + "000000", "AB123456")
    number = submit(WONJU)
    assert number.split("-")[2] == "AB123456"  # the draw into ZZ was refused, drawn again
    assert left == []


def test_block_of_a_dong_edge_counts_for_the_whole_office_code(
    submit: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Receipt numbers carry the first five digits of the office: 51130 for the 시 and its 동.
    first = _reserve(WONJU, "wonju-1")
    second = _reserve(WONJU_DONG, "wonju-dong-1")
    assert (first, second) == ("ZZ", "ZY")
    left = _scripted(monkeypatch, "ZY000001", "ZZ000002", "ZX000003")
    assert submit(WONJU).split("-")[2] == "ZX000003"
    assert left == []


def test_other_offices_draw_unchanged(
    submit: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _reserve(WONJU, "wonju-1")
    left = _scripted(monkeypatch, "ZZ000000", "AB123456")
    # 공주 reserved nothing: ZZ is a fine number there, taken at the first draw.
    assert submit(GONGJU).split("-")[2] == "ZZ000000"
    assert left == list("AB123456")


def test_reserved_prefixes_are_read_once_and_refreshed_on_reservation(
    django_assert_num_queries: Any, jurisdictions_loaded: None
) -> None:
    assert commands.reserved_prefixes(WONJU) == frozenset()
    with django_assert_num_queries(0):
        assert commands.reserved_prefixes(WONJU) == frozenset()
    _reserve(WONJU, "wonju-1")
    assert commands.reserved_prefixes(WONJU) == frozenset({"ZZ"})
    assert receipts.reserved_prefixes is commands.reserved_prefixes  # installed at start-up


@pytest.mark.django_db
def test_an_edge_without_its_block_gives_no_receipt_number() -> None:
    """Before its first sync an edge has no block of its own; a number it made up could be
    another edge's, so the counter is told to use another channel instead."""
    from minwon.continuity.agent import Agent, EdgeConfig
    from minwon.continuity.models import EdgeState
    from minwon.kernel.errors import Conflict

    agent = Agent(EdgeConfig(office=WONJU, edge_id="e-new", central="http://127.0.0.1:9", key="k"))
    agent.state()
    with pytest.raises(Conflict) as refused:
        agent.next_receipt_random()
    assert refused.value.code == "no_receipt_block"
    EdgeState.objects.filter(edge_id="e-new").update(receipt_prefix="ZY")
    first, second = agent.next_receipt_random(), agent.next_receipt_random()
    assert first.startswith("ZY") and second.startswith("ZY") and first != second
