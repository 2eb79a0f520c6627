"""execute(): idempotency, refusal of a reused key, atomicity, events and the outbox."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minwon.kernel import audit, bus, clock, execute, outbox
from minwon.kernel.errors import IdempotencyConflict
from minwon.kernel.models import (
    AuditHead,
    AuditRecord,
    CommandRecord,
    DeclaredHoliday,
    OutboxDelivery,
    OutboxEvent,
)
from minwon.kernel.types import NATION, Actor, Channel, Command, content_digest_of, same_content
from tests.kernel import sample

SYSTEM = Actor.system("test")


def note(**kw):  # type: ignore[no-untyped-def]
    kw.setdefault("day", "2026-12-31")
    kw.setdefault("label", "x")
    return sample.NoteSample(actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=NATION, **kw)


def counts() -> tuple[int, int, int, int]:
    return (
        DeclaredHoliday.objects.count(),
        OutboxEvent.objects.count(),
        AuditRecord.objects.count(),
        CommandRecord.objects.count(),
    )


@pytest.mark.django_db
def test_same_id_twice_has_one_effect() -> None:
    cid = uuid.uuid4()
    first = execute(note(command_id=cid))
    again = execute(note(command_id=cid))
    assert not first.replayed
    assert again.replayed
    assert again.value == first.value
    assert counts() == (1, 1, 1, 1)


@pytest.mark.django_db
def test_retry_with_fresh_business_time_still_replays() -> None:
    cid = uuid.uuid4()
    execute(note(command_id=cid, occurred_at=clock.now()))
    again = execute(note(command_id=cid, occurred_at=clock.now() + timedelta(seconds=5)))
    assert again.replayed


@pytest.mark.django_db
def test_same_id_other_content_is_refused() -> None:
    cid = uuid.uuid4()
    execute(note(command_id=cid, label="a"))
    with pytest.raises(IdempotencyConflict) as info:
        execute(note(command_id=cid, label="b"))
    assert info.value.status == 409
    assert counts() == (1, 1, 1, 1)


@pytest.mark.django_db
def test_raising_handler_leaves_nothing() -> None:
    with pytest.raises(RuntimeError):
        execute(note(explode=True))
    assert counts() == (0, 0, 0, 0)
    assert OutboxDelivery.objects.count() == 0


@pytest.mark.django_db
def test_failing_subscriber_rolls_back_the_command() -> None:
    with pytest.raises(ValueError, match="projection failed"):
        execute(note(label="subscriber-fails"))
    assert counts() == (0, 0, 0, 0)


@pytest.mark.django_db
def test_subscriber_runs_inside_the_transaction() -> None:
    sample.PROJECTION.clear()
    execute(note(label="projected"))
    assert sample.PROJECTION == ["projected"]


@pytest.mark.django_db
def test_events_are_ordered_and_stamped() -> None:
    a = execute(note(day="2026-12-30", label="a"))
    b = execute(note(day="2026-12-31", label="b"))
    events = list(OutboxEvent.objects.order_by("id"))
    assert [e.payload["label"] for e in events] == ["a", "b"]
    assert events[0].command_id == a.command_id and events[1].command_id == b.command_id


@pytest.mark.django_db
def test_worker_delivers_at_least_once_with_retry() -> None:
    sample.DELIVERED.clear()
    sample.FAIL_TIMES["count"] = 2
    execute(note())
    delivery = OutboxDelivery.objects.get(receiver="test.sample")
    assert outbox.deliver_batch() == (0, 1)
    delivery.refresh_from_db()
    assert delivery.state == "pending" and delivery.attempts == 1
    assert delivery.next_attempt_at > clock.now()
    # Not due yet: nothing happens.
    assert outbox.deliver_batch() == (0, 0)
    with clock.frozen_at(clock.now() + timedelta(hours=1)):
        assert outbox.deliver_batch() == (0, 1)
    with clock.frozen_at(clock.now() + timedelta(hours=2)):
        assert outbox.deliver_batch() == (1, 0)
    delivery.refresh_from_db()
    assert delivery.state == "delivered" and delivery.attempts == 3
    assert [delivery.event_id] == sample.DELIVERED


@pytest.mark.django_db
def test_dead_letter_and_operator_retry() -> None:
    from minwon.kernel.commands import RetryDeadDeliveries

    sample.FAIL_TIMES["count"] = 10_000
    execute(note())
    later = clock.now()
    for _ in range(outbox.MAX_ATTEMPTS):
        later += timedelta(hours=1)
        with clock.frozen_at(later):
            outbox.deliver_batch()
    delivery = OutboxDelivery.objects.get(receiver="test.sample")
    assert delivery.state == "dead"
    assert "receiver down" in delivery.last_error
    assert outbox.backlog() == {"pending": 0, "dead": 1}
    sample.FAIL_TIMES["count"] = 0
    execute(RetryDeadDeliveries(actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=NATION))
    with clock.frozen_at(later + timedelta(hours=1)):
        assert outbox.deliver_batch() == (1, 0)


@pytest.mark.django_db(transaction=True)
def test_batch_commits_together_and_a_refusal_rolls_back_only_itself() -> None:
    with bus.batch():
        execute(note(day="2026-12-29", label="a"))
        with pytest.raises(RuntimeError):
            execute(note(day="2026-12-30", label="b", explode=True))
        execute(note(day="2026-12-31", label="c"))
        again = execute(note(day="2026-12-31", label="c", command_id=_last_command_id()))
        assert again.replayed
    assert counts() == (2, 2, 2, 2)
    assert sorted(DeclaredHoliday.objects.values_list("name", flat=True)) == ["a", "c"]
    assert list(audit.verify()) == []


@pytest.mark.django_db(transaction=True)
def test_batch_that_fails_leaves_nothing() -> None:
    def two_then_fail() -> None:
        with bus.batch():
            execute(note(day="2026-12-29"))
            execute(note(day="2026-12-30"))
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        two_then_fail()
    assert counts() == (0, 0, 0, 0)
    # and execution outside a batch is durable on its own again
    execute(note(day="2026-12-31"))
    assert counts() == (1, 1, 1, 1)


def _last_command_id() -> uuid.UUID:
    return CommandRecord.objects.order_by("-recorded_at").values_list("command_id", flat=True)[0]


def _id_on_stripe(stripe: int) -> uuid.UUID:
    while True:
        cid = uuid.uuid4()
        if cid.int % audit.STRIPES == stripe:
            return cid


@pytest.mark.django_db(transaction=True)
def test_concurrent_batches_touching_chains_in_opposite_orders_both_commit() -> None:
    """Two offices replaying at once: one batch's commands go to audit chains X then Y, the
    other's to Y then X. Locking chain heads as each command ran made that a deadlock on
    PostgreSQL; heads are taken at the end of a batch, in order. (SQLite serialises whole
    transactions, so there the batches simply run one after the other.)"""
    import threading

    from django.db import connection

    concurrent = connection.vendor == "postgresql"
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(days: tuple[str, str], stripes: tuple[int, int]) -> None:
        try:
            with bus.batch():
                execute(note(day=days[0], command_id=_id_on_stripe(stripes[0])))
                if concurrent:
                    barrier.wait(timeout=10)
                execute(note(day=days[1], command_id=_id_on_stripe(stripes[1])))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(("2026-12-28", "2026-12-29"), (1, 2))),
        threading.Thread(target=run, args=(("2026-12-30", "2026-12-31"), (2, 1))),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert counts() == (4, 4, 4, 4)
    assert list(audit.verify()) == []


def _as_recorded_before_the_field(cid: uuid.UUID, *path: str) -> None:
    """Rewrite the stored record of ``cid`` as the code before a field existed wrote it:
    the field (at ``path`` in the payload) absent, the digest computed without it."""
    record = CommandRecord.objects.get(pk=cid)
    payload = record.payload
    holder = payload
    for key in path[:-1]:
        holder = holder[int(key)] if isinstance(holder, list) else holder[key]
    del holder[path[-1]]
    record.payload = payload
    record.digest = content_digest_of(record.name, 1, payload)
    record.save()


@pytest.mark.django_db
def test_a_field_added_since_the_record_replays_while_at_its_default() -> None:
    """A command recorded before its type gained ``explode`` (default False) and sent again
    after the upgrade (an edge journal, a retry across a deploy) is the same request."""
    cid = uuid.uuid4()
    execute(note(command_id=cid))
    _as_recorded_before_the_field(cid, "explode")
    assert execute(note(command_id=cid)).replayed
    assert counts() == (1, 1, 1, 1)


@pytest.mark.django_db
def test_a_field_added_since_the_record_conflicts_when_it_is_set() -> None:
    cid = uuid.uuid4()
    execute(note(command_id=cid))
    _as_recorded_before_the_field(cid, "explode")
    with pytest.raises(IdempotencyConflict):
        execute(note(command_id=cid, explode=True))
    with pytest.raises(IdempotencyConflict):
        execute(note(command_id=cid, label="other"))


@dataclasses.dataclass(frozen=True, kw_only=True)
class _Line:
    code: str
    files: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True, kw_only=True)
class _WithLines(Command):
    lines: list[_Line]


def test_same_content_looks_into_nested_values() -> None:
    """A field gained by a nested value (an item of a list) counts the same way."""

    def command(*lines: _Line) -> _WithLines:
        return _WithLines(
            actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=NATION, lines=list(lines)
        )

    old = command(_Line(code="a"), _Line(code="b")).to_json()
    for line in old["lines"]:
        del line["files"]
    recorded = content_digest_of("_WithLines", 1, old)
    assert same_content(command(_Line(code="a"), _Line(code="b")), recorded, old)
    assert not same_content(command(_Line(code="a", files=["x"]), _Line(code="b")), recorded, old)
    assert not same_content(command(_Line(code="a")), recorded, old)


def several(*labels: str) -> sample.NoteSeveral:
    return sample.NoteSeveral(
        actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=NATION, labels=labels
    )


@pytest.mark.django_db
def test_outbox_rows_keep_emission_order_and_deliveries_their_events() -> None:
    """The outbox rows are written after the handler, in one go: still in the order the
    events were emitted, each delivery row on its own event."""
    result = execute(several("a", "quiet-1", "b", "quiet-2"))
    events = list(OutboxEvent.objects.filter(command_id=result.command_id).order_by("id"))
    assert [e.payload["label"] for e in events] == ["a", "quiet-1", "b", "quiet-2"]
    deliveries = OutboxDelivery.objects.filter(event__command_id=result.command_id)
    assert sorted((d.event.payload["label"], d.receiver) for d in deliveries) == [
        ("a", "test.sample"),
        ("b", "test.sample"),
    ]


def _bookkeeping(q: CaptureQueriesContext) -> list[str]:
    kernel = ("kernel_commandrecord", "kernel_outbox", "kernel_audit")
    return [
        s["sql"]
        for s in q.captured_queries
        if any(t in s["sql"] for t in kernel) and "SELECT 1 FROM" not in s["sql"]
    ]


@pytest.mark.django_db
def test_bookkeeping_of_a_command_is_two_round_trips_on_postgresql() -> None:
    """The record and the outbox events ride on the audit head's lock, the audit row on
    the head's move; SQLite, without data-modifying WITH, sends each on its own."""
    chains = {audit.chain_for(NATION, uuid.UUID(int=i)) for i in range(audit.STRIPES)}
    AuditHead.objects.bulk_create(  # every chain exists: no head created at genesis
        [AuditHead(chain=c, seq=0, hash=audit.GENESIS) for c in chains], ignore_conflicts=True
    )
    with CaptureQueriesContext(connection) as q:
        execute(several("quiet-1", "quiet-2", "quiet-3"))
    sent = _bookkeeping(q)
    if connection.vendor == "postgresql":
        assert len(sent) == 2, sent
        assert "kernel_commandrecord" in sent[0] and "FOR UPDATE" in sent[0]
        assert sent[0].count('INSERT INTO "kernel_outboxevent"') == 1  # one multi-row insert
    else:
        assert len(sent) == 5, sent  # record, events, head, audit row, head's move
    with CaptureQueriesContext(connection) as q:
        execute(several("a", "quiet-1"))  # a receiver: the events' ids come first
    assert len(_bookkeeping(q)) == (3 if connection.vendor == "postgresql" else 6)
