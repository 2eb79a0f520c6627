"""The replay's set path (``continuity.setwise``): a chunk's applications written as sets
give exactly what executing the same entries one by one gives — the rows of every table,
the outcomes with each refusal's reason, the audit chain and the outbox events — with
refusals in the middle of a run, a command id repeated inside a chunk and across chunks,
and a run whose writes fail (a receipt number taken twice), on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import uuid
from collections import Counter
from typing import Any

import pytest
from django.db import transaction

from minwon.continuity import replay, setwise
from minwon.kernel import audit
from minwon.kernel.models import OutboxEvent
from minwon.petitions.commands import intake
from tests.continuity import test_replay_batch as base
from tests.continuity.test_replay_batch import _one_by_one, _restore, _sequences, _snapshot

catalog, journal = base.catalog, base.journal  # the same journal, as fixtures here


def _renumbered(entries: list[replay.Entry]) -> list[replay.Entry]:
    return [dataclasses.replace(e, seq=n) for n, e in enumerate(entries, start=1)]


def _with_repeats(entries: list[replay.Entry]) -> list[replay.Entry]:
    """The journal with an application sent again right after itself (same chunk) and one
    sent again at the end (another chunk)."""
    return _renumbered([*entries[:3], entries[1], *entries[3:], entries[0]])


def _with_clash(entries: list[replay.Entry]) -> list[replay.Entry]:
    """The journal with a new application whose receipt number an earlier one took (its
    run's multi-row insert fails)."""
    clash = dataclasses.replace(entries[1], command_id=uuid.uuid4())
    return _renumbered([*entries[:8], clash, *entries[8:]])


def _counting(monkeypatch: Any) -> Counter[str]:
    """Count the applications written set-wise and the ones written by the handler."""
    seen: Counter[str] = Counter()
    many, one = intake.submit_many, intake.write

    def submit_many(submissions: list[Any]) -> list[dict[str, Any]]:
        done = many(submissions)
        seen["set"] += len(submissions)
        return done

    def write(*args: Any) -> dict[str, Any]:
        seen["alone"] += 1
        return one(*args)

    monkeypatch.setattr(intake, "submit_many", submit_many)
    monkeypatch.setattr(intake, "write", write)
    return seen


def _events() -> list[tuple[Any, ...]]:
    """The outbox events in order (their ids aside)."""
    fields = [f.name for f in OutboxEvent._meta.concrete_fields if f.name != "id"]
    return list(OutboxEvent.objects.order_by("pk").values_list(*fields))


def _both(
    edge: Any, entries: list[replay.Entry], monkeypatch: Any, every: int
) -> tuple[list[Any], list[Any], Counter[str], dict[str, Any]]:
    """The entries applied one by one (then rolled back, sequences reset), then replayed
    in chunks of ``every``: both outcomes, the set path's counts, and what one by one
    wrote (every table's rows, the outbox events, the audit chain)."""
    monkeypatch.setattr(replay, "COMMIT_EVERY", every)
    sequences = _sequences()
    mark = transaction.savepoint()
    single = _one_by_one(edge, entries)
    alone = {"rows": _snapshot(), "events": _events(), "chain": _chain()}
    transaction.savepoint_rollback(mark)
    _restore(sequences)
    seen = _counting(monkeypatch)
    batched = replay.apply_batch(edge_id="e1", office="5113000000", agent=edge, entries=entries)
    return single, batched, seen, alone


@pytest.mark.parametrize("every", [5, 100])
def test_a_set_wise_chunk_writes_what_one_by_one_writes(
    journal: Any, monkeypatch: Any, every: int
) -> None:
    edge, entries = journal
    single, batched, seen, alone = _both(edge, _with_repeats(entries), monkeypatch, every)
    assert batched == single
    statuses = [o["status"] for o in batched]
    assert statuses[3] == "replayed" and statuses[-1] == "replayed"
    assert batched[3]["result"] == batched[1]["result"]
    assert [o["error"]["code"] for o in batched if o["status"] == "queued"] == [
        "unknown_type", "missing_document", "actor_not_allowed",
    ]  # fmt: skip
    together = _snapshot()
    assert together.keys() == alone["rows"].keys()
    for table in together:
        assert together[table] == alone["rows"][table], table
    assert _events() == alone["events"]
    assert _chain() == alone["chain"]
    assert list(audit.verify()) == []
    assert seen == {"set": 11}  # every application, each once; no handler write


@pytest.mark.parametrize("every", [5, 100])
def test_a_run_whose_writes_fail_is_run_one_by_one(
    journal: Any, monkeypatch: Any, every: int
) -> None:
    """A receipt number taken twice: the run holding the second is rolled back to its
    savepoint and its entries run alone, which answers each as the one-by-one path does
    (the second refused as an internal error, queued). PostgreSQL's sequences are not
    rolled back, so there the failed run leaves other gaps in the surrogate ids than one
    command would: rows are compared whole on SQLite, without ids on PostgreSQL."""
    from django.db import connection

    edge, entries = journal
    single, batched, seen, alone = _both(edge, _with_clash(entries), monkeypatch, every)
    assert batched == single
    assert batched[8]["status"] == "queued"
    assert batched[8]["error"]["code"] == "internal_error"
    assert _events() == alone["events"]
    assert _chain() == alone["chain"]
    assert list(audit.verify()) == []
    if connection.vendor == "sqlite":
        assert _snapshot() == alone["rows"]
    assert seen["alone"] >= 1 and seen["set"] + seen["alone"] == 12


def _chain() -> list[tuple[Any, ...]]:
    """The audit entries in chain order (their surrogate ids follow write order)."""
    from minwon.kernel.models import AuditRecord

    fields = [
        f.name for f in AuditRecord._meta.concrete_fields if f.name not in ("id", "recorded_at")
    ]
    return list(AuditRecord.objects.order_by("chain", "seq").values_list(*fields))


def test_the_set_path_is_taken_for_plain_applications_only(journal: Any, monkeypatch: Any) -> None:
    """Every application of the journal is plain (a clerk's, no file, no paid order): none
    is written by the handler; with the set path off, all are."""
    edge, entries = journal
    seen = _counting(monkeypatch)
    out = replay.apply_batch(edge_id="e1", office="5113000000", agent=edge, entries=entries)
    applied = sum(
        o["status"] == "applied" and e.name == "SubmitApplication"
        for o, e in zip(out, entries, strict=True)
    )
    assert applied == 11
    assert seen == {"set": applied}


def test_the_set_path_needs_a_gathering_scope_and_the_kernels_stages(
    monkeypatch: Any,
) -> None:
    from minwon.kernel import batch, bus

    assert not setwise.available()
    with batch.scope():
        assert setwise.available()
        monkeypatch.setattr(bus, "_pipeline", bus.Pipeline([_stage, *bus.DEFAULT_STAGES]))
        assert not setwise.available()


def _stage(ex: Any, proceed: Any) -> Any:
    return proceed()


def test_submit_many_refuses_what_is_not_plain() -> None:
    ready = intake.Prepared("5113000000", "counter", [], {"identity_index": "x"}, None, "")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="plain"):
        intake.submit_many([(None, None, ready)])  # type: ignore[list-item]
