"""Central's replay as a batch: read models rebuilt once per chunk (``kernel.batch``) give
exactly the rows that replaying the same journal one command at a time gives; a bad command
among good ones is refused alone; a second replay applies nothing; the audit chain
verifies. On SQLite and on PostgreSQL (``--postgres``)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection, transaction

from minwon.continuity import replay
from minwon.continuity.feed import LOCAL_ID_BASE
from minwon.continuity.models import ReconciliationItem
from minwon.kernel import audit, batch, clock, rrn
from minwon.kernel.types import Actor, ActorKind, Channel
from minwon.petitions import receipts
from minwon.petitions.commands import ApplicationItem, SubmitApplication
from minwon.petitions.commands.workflow import WithdrawPetition
from minwon.petitions.models import Application, TrackingView
from minwon.portal.models import SearchDocument
from minwon.registry.commands import RegisterPerson

WONJU = "5113000000"
#: Business time of the journal: a weekday morning, fixed (no test reads the wall clock).
WHEN = datetime(2027, 1, 4, 10, 0, tzinfo=clock.SEOUL)
#: Tables whose rows are counters of the run itself, not the replay's data.
NOT_COMPARED = ("ops_", "django_session")


@pytest.fixture
def catalog(jurisdictions_loaded: None) -> None:
    from minwon.kernel import execute
    from minwon.petitions import catalog as petition_catalog
    from minwon.petitions.commands import LoadPetitionCatalog

    data = petition_catalog.read()
    execute(
        LoadPetitionCatalog(
            actor=Actor.system("test"), channel=Channel.SYSTEM, jurisdiction="0000000000",
            version=str(data["version"]), types=data["types"],
        )
    )  # fmt: skip


def _edge_actor() -> Actor:
    from minwon.accounts.commands import RegisterAgencyClient
    from minwon.kernel import execute

    result = execute(
        RegisterAgencyClient(
            actor=Actor.system("test"), channel=Channel.SYSTEM, jurisdiction=WONJU,
            name="edge", prefix=f"e{uuid.uuid4().hex[:8]}", key_hash=uuid.uuid4().hex * 2,
            permissions=["continuity.replay"],
        )
    )  # fmt: skip
    return Actor(ActorKind.AGENCY, result.value["client_id"], "edge")


def _entry(seq: int, cmd: Any, edge_result: Any = None) -> replay.Entry:
    return replay.Entry(
        seq=seq, name=cmd.command_name(), command_id=cmd.command_id,
        occurred_at=cmd.occurred_at, payload=cmd.to_json(), edge_result=edge_result,
    )  # fmt: skip


def _random(n: int) -> str:
    return "YY" + "".join(receipts.ALPHABET[(n >> (5 * k)) & 31] for k in reversed(range(6)))


def _journal(clerk: Actor) -> list[replay.Entry]:
    """What a counter did offline: applications (one of two petitions, one refused for an
    unknown type, one for a missing document), a withdrawal of a petition received in the
    same journal, two residents (the second joining the household the edge formed for the
    first), and a command from someone who is not the office's staff."""
    entries: list[replay.Entry] = []
    at = iter(range(1, 1000))

    def add(cmd: Any, edge_result: Any = None) -> None:
        entries.append(_entry(len(entries) + 1, cmd, edge_result))

    def apply(n: int, items: list[ApplicationItem], actor: Actor = clerk) -> SubmitApplication:
        return SubmitApplication(
            actor=actor, channel=Channel.COUNTER, jurisdiction=WONJU,
            occurred_at=WHEN + timedelta(minutes=next(at)), items=items,
            applicant_name=f"신청인{n}", applicant_birth=date(1980, 1, 1 + n % 28),
            receipt_random=_random(n),
        )  # fmt: skip

    grievance = [ApplicationItem(type_code="GRIEVANCE", form={"content": "가로등 고장"})]
    for n in range(6):
        add(apply(n, grievance))
    two = apply(6, [ApplicationItem(type_code="GRIEVANCE"), ApplicationItem(type_code="LAW_QUERY")])
    add(two)
    add(apply(7, [ApplicationItem(type_code="NO_SUCH_TYPE")]))  # refused: unknown_type
    add(apply(8, [ApplicationItem(type_code="SEAL_CERT")]))  # refused: missing_document
    number = receipts.new_receipt_number(WONJU, two.occurred_at.date(), _random(6))
    add(
        WithdrawPetition(
            actor=clerk, channel=Channel.COUNTER, jurisdiction=WONJU,
            occurred_at=WHEN + timedelta(minutes=next(at)), receipt_number=number, item=2,
            reason="신청인 요청",
        )
    )  # fmt: skip
    household = LOCAL_ID_BASE + 3
    add(_person(clerk, 1), {"person_id": LOCAL_ID_BASE + 1, "household_id": household})
    add(_person(clerk, 2, household_id=household, relationship="spouse"))
    add(apply(9, grievance, actor=Actor.system("x")))  # refused: actor_not_allowed
    for n in range(10, 14):
        add(apply(n, grievance))
    return entries


def _person(actor: Actor, n: int, **extra: Any) -> RegisterPerson:
    return RegisterPerson(
        actor=actor, channel=Channel.COUNTER, jurisdiction=WONJU,
        occurred_at=WHEN + timedelta(hours=1, minutes=n), name=f"주민{n}",
        sealed_rrn=rrn.SealedRRN.from_text(rrn.with_check_digit(f"9001011{n:05d}")),
        road_address="시청로 1", address_code="5113025000", moved_in_on=date(2024, 1, 2),
        **extra,
    )  # fmt: skip


def _tables() -> list[str]:
    """The tables compared; SQLite's full-text index is compared through its virtual table
    (what a search reads), not its shadow tables (segments laid out by write order)."""
    return sorted(
        t
        for t in connection.introspection.table_names()
        if not t.startswith(NOT_COMPARED) and "_fts_" not in t
    )


#: Surrogate ids that follow write order, which a batch changes by design: it appends its
#: audit rows at its end chain by chain (``bus.batch``; chain, seq and hashes are the same)
#: and writes its search documents at its end (their key is kind and entity).
UNORDERED = {"kernel_auditrecord": "id", "portal_searchdocument": "id"}


def _snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order."""
    out = {}
    with connection.cursor() as cursor:
        for t in _tables():
            cursor.execute(f'SELECT * FROM "{t}"')
            names = [c[0] for c in cursor.description]
            skip = names.index(UNORDERED[t]) if t in UNORDERED else -1
            rows = [tuple(v for i, v in enumerate(r) if i != skip) for r in cursor.fetchall()]
            out[t] = sorted(rows, key=repr)
    return out


def _sequences() -> list[tuple[str, int | None]]:
    """PostgreSQL's sequences (not rolled back with a savepoint), to set back."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT schemaname || '.' || sequencename, last_value FROM pg_sequences")
        return list(cursor.fetchall())


def _restore(sequences: list[tuple[str, int | None]]) -> None:
    with connection.cursor() as cursor:
        for name, value in sequences:
            cursor.execute("SELECT setval(%s, %s, %s)", [name, value or 1, value is not None])


@pytest.fixture
def journal(catalog: None, make_staff: Callable[..., Any]) -> Iterator[tuple[Actor, list]]:
    from tests.conftest import actor_of

    clerk = actor_of(make_staff("counter_clerk", WONJU))
    with clock.frozen_at(WHEN + timedelta(days=1)):
        yield _edge_actor(), _journal(clerk)


def _one_by_one(edge: Actor, entries: list[replay.Entry]) -> list[dict[str, Any]]:
    """The journal as central ran it before batches: each command its own transaction,
    its read models rebuilt by its own subscribers."""
    ids: dict[int, int] = {}
    ordered = sorted(entries, key=lambda e: e.seq)
    return [replay._apply("e1", WONJU, edge, entry, ids) for entry in ordered]


def _batched(edge: Actor, entries: list[replay.Entry]) -> list[dict[str, Any]]:
    return replay.apply_batch(edge_id="e1", office=WONJU, agent=edge, entries=entries)


EXPECTED = ["applied"] * 7 + ["queued", "queued"] + ["applied"] * 3 + ["queued"] + ["applied"] * 4


def test_batched_replay_writes_what_one_by_one_writes(journal: Any, monkeypatch: Any) -> None:
    edge, entries = journal
    monkeypatch.setattr(replay, "COMMIT_EVERY", 5)  # several chunks, refusals inside them
    sequences = _sequences()
    mark = transaction.savepoint()
    single = _one_by_one(edge, entries)
    alone = _snapshot()
    transaction.savepoint_rollback(mark)
    _restore(sequences)
    batched = _batched(edge, entries)
    together = _snapshot()
    assert [o["status"] for o in batched] == EXPECTED
    assert batched == single
    assert together.keys() == alone.keys()
    for table in together:
        assert together[table] == alone[table], table
    assert TrackingView.objects.count() == Application.objects.count() == 11
    assert SearchDocument.objects.filter(kind="petition").count() == 12


def test_a_bad_command_is_refused_alone_and_a_second_replay_applies_nothing(
    journal: Any,
) -> None:
    edge, entries = journal
    out = _batched(edge, entries)
    assert [o["status"] for o in out] == EXPECTED
    codes = {o["seq"]: o["error"]["code"] for o in out if o["status"] == "queued"}
    assert codes == {8: "unknown_type", 9: "missing_document", 13: "actor_not_allowed"}
    items = ReconciliationItem.objects.order_by("occurred_at")
    assert [(i.command_id, i.error_code) for i in items] == [
        (entries[s - 1].command_id, code) for s, code in sorted(codes.items())
    ]
    assert out[11]["result"]["household_id"] == out[10]["result"]["household_id"]
    before = _snapshot()
    again = _batched(edge, entries)
    assert [o["status"] for o in again] == [
        "queued" if s == "queued" else "replayed" for s in EXPECTED
    ]
    assert [o.get("result") for o in again] == [o.get("result") for o in out]
    assert _snapshot() == before
    assert list(audit.verify()) == []


def test_a_read_model_that_fails_for_a_chunk_refuses_only_its_command(
    journal: Any, monkeypatch: Any
) -> None:
    """The chunk's rebuild fails: the chunk runs again with per-command rebuilds, where
    only the command whose rebuild fails is refused (queued, loudly), the others apply."""
    from minwon.portal import events

    edge, entries = journal
    bad = receipts.new_receipt_number(WONJU, entries[2].occurred_at.date(), _random(2))
    real = events.petitions_by_number

    def failing(numbers: list[str], in_hand: Any = None) -> None:
        # Per command, a submission's own petitions come built from its rows in hand.
        if any(n.startswith(bad) for n in numbers):
            raise RuntimeError("index down")
        real(numbers, in_hand)

    monkeypatch.setattr(events, "petitions_by_number", failing)
    out = _batched(edge, entries)
    statuses = [o["status"] for o in out]
    assert statuses[2] == "queued" and out[2]["error"]["code"] == "internal_error"
    assert statuses[:2] + statuses[3:] == EXPECTED[:2] + EXPECTED[3:]
    assert not Application.objects.filter(receipt_number=bad).exists()
    assert list(audit.verify()) == []


def test_rebuilds_are_gathered_only_inside_a_scope() -> None:
    seen: list[list[int]] = []
    batch.refresh("x", [1, 2], seen.append)
    assert seen == [[1, 2]]
    with batch.scope():
        batch.refresh("x", [3], seen.append)
        batch.refresh("x", [4, 3], seen.append)
        with batch.scope():  # nested: the outer scope rebuilds
            batch.refresh("x", [5], seen.append)
        assert seen == [[1, 2]]
        assert batch.memo("m", 1, lambda: len(seen)) == batch.memo("m", 1, lambda: 99) == 1
    assert seen == [[1, 2], [3, 4, 5]]
    assert not batch.active()
    assert batch.memo("m", 1, lambda: 99) == 99

    def failing() -> None:
        with batch.scope():
            batch.refresh("x", [6], seen.append)
            raise LookupError("the command failed")

    with pytest.raises(LookupError, match="the command failed"):
        failing()
    assert seen == [[1, 2], [3, 4, 5]]


def test_an_id_recorded_after_the_batch_read_still_answers_as_a_replay(
    make_staff: Callable[..., Any],
) -> None:
    """``expect`` found the ids unrecorded; another process records them before the batch
    runs them: the batch's execution answers the first result (the handler's own refusal
    of a resident registered twice gives way to it), and other content is a 409."""
    import dataclasses

    from minwon.kernel import execute
    from minwon.kernel.errors import IdempotencyConflict
    from tests.conftest import actor_of

    clerk = actor_of(make_staff("counter_clerk", WONJU))
    cmd, second = _person(clerk, 7), _person(clerk, 8)
    with batch.scope():
        batch.expect([cmd.command_id, second.command_id])
        first = execute(cmd)
        execute(second)
        again = batch.execute(cmd)
        assert again.replayed and again.value == first.value
        with pytest.raises(IdempotencyConflict):
            batch.execute(dataclasses.replace(second, name="다른이름"))
