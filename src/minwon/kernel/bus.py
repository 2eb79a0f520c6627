"""``execute(command)``: the only way state changes (DESIGN §3.1).

``execute`` is one explicit pipeline of configured stages (settings ``MINWON_PIPELINE``),
each a function that does its part before and/or after calling the rest:

1. ``measure`` — the outcome for the situation room;
2. ``deduplicate`` — a known ``command_id`` answers its first result (the same id with
   other content is refused);
3. ``in_transaction`` — one durable transaction (a savepoint inside a ``batch()``);
4. ``authenticate_channel`` — the node that carried the command may carry it (an edge:
   its office's staff, a type declared to run at an edge, every check bounded to the
   office);
5. ``authorise`` — the command type's declared permission over its jurisdiction;
6. ``run`` — the handler, which checks the aggregates it touches through ``ctx.require``
   and emits its events (in-transaction subscribers, outbox rows), then the command
   record and the audit entry.

Deployments add stages in front: the failover retry (``minwon.ha.retry.retry_stage``) and,
on an edge node, its continuity rule (``minwon.continuity.stages.at_edge``). A handler
or stage that raises leaves nothing behind.

``with batch():`` runs many commands in one durable transaction, each in its own savepoint:
each command is still all-or-nothing (a refusal rolls back exactly that command and the
caller may go on), but they commit together — one commit instead of one per command. For
bulk paths whose caller answers only after the whole batch (the continuity replay); a
command's result is durable only when the ``with`` block ends without an error. The audit
rows of a batch's commands are appended at its end, chain heads locked in a fixed order:
holding heads from the first command to the commit would make two concurrent batches (two
offices' replays on PostgreSQL) wait on each other's heads in a cycle.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import logging
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils.module_loading import import_string

from minwon.kernel import audit, clock, jurisdictions, metrics, registry, sql
from minwon.kernel.errors import DomainError, Forbidden, IdempotencyConflict
from minwon.kernel.models import CommandRecord, OutboxDelivery, OutboxEvent
from minwon.kernel.types import (
    Actor,
    ActorKind,
    Channel,
    Command,
    Continuity,
    Event,
    Origin,
    digest,
    same_content,
)

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Result:
    """What ``execute`` returns: the handler's JSON result and whether it was a replay."""

    command_id: uuid.UUID
    value: Any
    replayed: bool
    recorded_at: datetime


class Context:
    """What a handler may use besides its command: the actor, both clocks, permission
    checks, event emission and the personal-data access log."""

    def __init__(
        self, command: Command, recorded_at: datetime, *, origin: Origin | None = None
    ) -> None:
        self.command = command
        self.actor: Actor = command.actor
        self.channel: Channel = command.channel
        self.occurred_at = command.occurred_at
        self.recorded_at = recorded_at
        self.origin = origin
        #: Where this execution may act at all: the edge's office for a command that came
        #: through an edge, whatever else its actor could do elsewhere.
        self.bound: str | None = origin.office if origin is not None else None
        #: The events emitted so far, in order; their outbox rows are inserted with the
        #: command record once the handler is done (``run``).
        self.events: list[Event] = []
        #: What a handler worked out once for this command and uses again (the acting
        #: staff member's name on each of its steps): one execution, one moment.
        self.memo: dict[str, Any] = {}

    def _within(self, jurisdiction: str) -> bool:
        return self.bound is None or jurisdictions.contains(self.bound, jurisdiction)

    def require(self, permission: str, jurisdiction: str) -> None:
        """Refuse (403) unless the actor holds ``permission`` over ``jurisdiction`` (and
        it lies within ``bound``)."""
        from minwon.accounts.permissions import authorize

        if not self._within(jurisdiction):
            raise Forbidden(
                "거점 관할 밖의 업무입니다.",
                "This lies outside the edge's office.",
                field="jurisdiction",
                code="out_of_scope",
            )
        authorize(self.actor, permission, jurisdiction)

    def allowed(self, permission: str, jurisdiction: str) -> bool:
        from minwon.accounts.permissions import is_allowed

        return self._within(jurisdiction) and is_allowed(self.actor, permission, jurisdiction)

    def emit(self, event: Event) -> None:
        """Record ``event``: run its in-transaction subscribers now, and append it to the
        outbox (with one delivery row per out-of-process receiver) in the command's
        transaction, in emission order, together with the command record — one round trip
        for all of a command's bookkeeping rows instead of one per row."""
        for fn in registry.subscribers.get(type(event), ()):
            fn(event, ctx=self)
        self.events.append(event)

    def log_access(self, *, subject_type: str, subject_id: str, what: str, purpose: str) -> None:
        from minwon.kernel.privacy import log_access

        log_access(
            actor=self.actor,
            channel=self.channel,
            subject_type=subject_type,
            subject_id=subject_id,
            what=what,
            purpose=purpose,
            jurisdiction=self.command.jurisdiction,
        )


def execute(command: Command, *, origin: Origin | None = None) -> Result:
    """Run ``command`` exactly once through the pipeline (module docstring). ``origin`` is
    the edge node it came through, when it did (replay and forward on central)."""
    return _pipeline.run(Execution(command, origin))


@dataclasses.dataclass(eq=False)
class Execution:
    """One command on its way through the stages, and what they found out."""

    command: Command
    origin: Origin | None = None
    content: str = ""
    ctx: Context | None = None
    value: Any = None
    audit_entry: dict[str, Any] | None = None


#: A stage does its part before and/or after calling ``proceed()`` (the rest of the
#: pipeline) and returns its result; it may also answer without proceeding (a replay).
Stage = Callable[[Execution, Callable[[], Result]], Result]


class Pipeline:
    """The configured stages of ``execute`` (settings ``MINWON_PIPELINE``), in order."""

    def __init__(self, stages: Sequence[Stage]) -> None:
        self.stages = tuple(stages)

    def run(self, ex: Execution) -> Result:
        stages = self.stages

        def step(i: int) -> Result:
            return stages[i](ex, lambda: step(i + 1))

        return step(0)


def measure(ex: Execution, proceed: Callable[[], Result]) -> Result:
    """Count every outcome for the situation room: ok, the refusal's code, or error."""
    started = time.perf_counter()
    try:
        result = proceed()
    except DomainError as exc:
        metrics.command_done(ex.command, exc.code, time.perf_counter() - started)
        raise
    except Exception:
        metrics.command_done(ex.command, "error", time.perf_counter() - started)
        raise
    if not result.replayed:
        metrics.command_done(ex.command, "ok", time.perf_counter() - started)
    return result


def deduplicate(ex: Execution, proceed: Callable[[], Result]) -> Result:
    """A known ``command_id`` answers its first result (or 409 if the content differs);
    two concurrent first executions: the loser's insert fails and it answers as a replay."""
    content = ex.content = ex.command.content_digest()
    existing = _recorded(ex.command.command_id)
    if existing is not None:
        return _replay(existing, ex.command, content)
    try:
        return proceed()
    except IntegrityError:
        existing = _recorded(ex.command.command_id)
        if existing is not None:
            return _replay(existing, ex.command, content)
        raise


def in_transaction(ex: Execution, proceed: Callable[[], Result]) -> Result:
    """One durable transaction per command; in a ``batch()`` a savepoint of the batch's,
    whose audit entry joins the batch's once the savepoint is released."""
    batched = _batch.get()
    with transaction.atomic(durable=batched is None):
        ex.ctx = Context(ex.command, clock.now(), origin=ex.origin)
        result = proceed()
    if batched is not None and ex.audit_entry is not None:
        batched.append(ex.audit_entry)
    return result


def authenticate_channel(ex: Execution, proceed: Callable[[], Result]) -> Result:
    """The node that carried the command may carry it: an edge only its office's staff
    (or citizens) and only the command types declared to run at an edge; and every
    permission check of the handler is then bounded to that office (``Context.bound``)."""
    origin, command = ex.origin, ex.command
    if origin is None:
        return proceed()
    if command.continuity not in (Continuity.LOCAL, Continuity.FORWARD):
        raise Forbidden(
            "거점에서 처리할 수 없는 업무입니다.",
            f"{command.command_name()} cannot come from an edge node.",
            field="name",
            code="not_at_edge",
        )
    actor = command.actor
    if actor.kind not in (ActorKind.STAFF, ActorKind.CITIZEN):
        raise Forbidden(
            "거점은 직원·시민의 명령만 보낼 수 있습니다.",
            "An edge forwards only staff and citizen commands.",
            field="actor",
            code="actor_not_allowed",
        )
    if not jurisdictions.contains(origin.office, command.jurisdiction):
        raise Forbidden(
            "거점 관할 밖의 명령입니다.",
            "The command lies outside the edge's office.",
            field="jurisdiction",
            code="out_of_scope",
        )
    if actor.kind == ActorKind.STAFF and not _staff_of(actor, origin.office):
        raise Forbidden(
            "이 거점 소속 직원의 명령이 아닙니다.",
            "The actor is not staff of the edge's office.",
            field="actor",
            code="actor_not_allowed",
        )
    return proceed()


def _staff_of(actor: Actor, office: str) -> bool:
    """Staff of ``office``: every role the actor holds lies inside the office's subtree
    (a national administrator is nobody's counter clerk)."""
    from minwon.accounts.permissions import grants_of

    grants = grants_of(actor)
    return bool(grants) and all(jurisdictions.contains(office, scope) for _, scope in grants)


def authorise(ex: Execution, proceed: Callable[[], Result]) -> Result:
    """The command type's declared permission over its jurisdiction; the handler checks
    the aggregates it touches through ``ctx.require`` and the apps' policies."""
    assert ex.ctx is not None
    if ex.command.permission is not None:
        ex.ctx.require(ex.command.permission, ex.command.jurisdiction)
    return proceed()


def run(ex: Execution, proceed: Callable[[], Result]) -> Result:
    """The handler, its events (in-transaction subscribers and the outbox, through
    ``ctx.emit``), then the command record and the audit entry: the innermost stage."""
    ctx, command = ex.ctx, ex.command
    assert ctx is not None
    ex.value = registry.handler_for(type(command)).fn(command, ctx=ctx)
    record, entry = _bookkeeping(ex)
    rows = [(_insert_record, [record]), *_outbox([ctx])]
    if _batch.get() is None:
        audit.append(**entry, along=rows)  # the rows go in the head lock's round trip
    else:
        sql.send(rows)
        ex.audit_entry = entry
    return Result(command.command_id, ex.value, False, ctx.recorded_at)


def record_many(executions: Sequence[Execution]) -> list[Result]:
    """What ``run`` writes after the handler, for many executions inside a ``batch()``
    whose handlers' work is done (``ex.value`` and ``ex.ctx`` with its events, a set path
    such as the continuity replay's): the command records in one multi-row statement, the
    outbox rows of all their events in one (or the events and their delivery rows), and
    the audit entries joining the batch's, in order, as each command's would on the
    release of its savepoint. The caller runs them inside one savepoint of the batch."""
    audits = _batch.get()
    if audits is None:
        raise RuntimeError("record_many runs inside a batch()")
    if not executions:
        return []
    done = [_bookkeeping(ex) for ex in executions]
    contexts = [ex.ctx for ex in executions if ex.ctx is not None]
    sql.send([(_insert_record, [record for record, _ in done]), *_outbox(contexts)])
    audits.extend(entry for _, entry in done)
    return [
        Result(ex.command.command_id, ex.value, False, ctx.recorded_at)
        for ex, ctx in zip(executions, contexts, strict=True)
    ]


def _bookkeeping(ex: Execution) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The command record's row and the audit entry of a handled execution."""
    ctx, command = ex.ctx, ex.command
    assert ctx is not None
    actor = str(command.actor) if ex.origin is None else f"{command.actor} via {ex.origin}"
    content = ex.content or command.content_digest()
    record = (command.command_id, command.command_name(), content, command.to_json(), ex.value,
              actor, command.channel.value, command.jurisdiction, command.occurred_at,
              ctx.recorded_at)  # fmt: skip
    entry: dict[str, Any] = {
        "command_id": command.command_id,
        "name": command.command_name(),
        "actor": actor,
        "channel": command.channel.value,
        "jurisdiction": command.jurisdiction,
        "occurred_at": command.occurred_at,
        "recorded_at": ctx.recorded_at,
        "payload_digest": content,
        "result_digest": digest(ex.value),
    }
    return record, entry


def _outbox(contexts: Sequence[Context]) -> list[tuple[sql.Insert, sql.Rows]]:
    """The outbox rows of the commands' events, to insert with their records: the events
    themselves, or — when some have out-of-process receivers, whose delivery rows need the
    events' ids — the events inserted now (one statement) and their delivery rows."""
    events = [(e.event_name(), e.to_json(), ctx.command.command_id, ctx.command.jurisdiction,
               ctx.occurred_at, ctx.recorded_at) for ctx in contexts for e in ctx.events]  # fmt: skip
    receivers = [registry.receivers.get(type(e), ()) for ctx in contexts for e in ctx.events]
    if not any(receivers):
        return [(_insert_events, events)]
    deliveries = [
        (event_id, spec.name, OutboxDelivery.State.PENDING, 0, ctx.recorded_at, "")
        for event_id, specs, ctx in zip(
            _insert_event.ids(events),
            receivers,
            [ctx for ctx in contexts for _ in ctx.events],
            strict=True,
        )
        for spec in specs
    ]
    return [(_insert_delivery, deliveries)]


#: The stages every node runs; settings may add their own (``MINWON_PIPELINE``).
DEFAULT_STAGES: tuple[Stage, ...] = (
    measure,
    deduplicate,
    in_transaction,
    authenticate_channel,
    authorise,
    run,
)
_pipeline = Pipeline(DEFAULT_STAGES)


def configure(stages: Sequence[Stage | str]) -> None:
    """Set the pipeline (at start-up, from settings): stages or their dotted paths."""
    global _pipeline
    _pipeline = Pipeline([import_string(s) if isinstance(s, str) else s for s in stages])


def stages() -> tuple[Stage, ...]:
    return _pipeline.stages


#: The audit entries of the current batch's committed-so-far commands (None: no batch).
_batch: contextvars.ContextVar[list[dict[str, Any]] | None] = contextvars.ContextVar(
    "minwon_batch", default=None
)


@contextlib.contextmanager
def batch() -> Iterator[None]:
    """Commands executed inside commit together, each in its own savepoint (module
    docstring). Not nestable in another transaction: a batch is itself the durable unit."""
    with transaction.atomic(durable=True):
        audits: list[dict[str, Any]] = []
        token = _batch.set(audits)
        try:
            yield
            audit.append_many(audits)
        finally:
            _batch.reset(token)


_insert_record = sql.Insert(
    CommandRecord,
    ("command_id", "name", "digest", "payload", "result", "actor", "channel",
     "jurisdiction", "occurred_at", "recorded_at"),
)  # fmt: skip
_EVENT_FIELDS = ("name", "payload", "command_id", "jurisdiction", "occurred_at", "recorded_at")
_insert_events = sql.Insert(OutboxEvent, _EVENT_FIELDS)
_insert_event = sql.Insert(OutboxEvent, _EVENT_FIELDS, returning_id=True)
_insert_delivery = sql.Insert(
    OutboxDelivery, ("event", "receiver", "state", "attempts", "next_attempt_at", "last_error")
)


def _recorded(command_id: uuid.UUID) -> CommandRecord | None:
    """The stored record of ``command_id``: one indexed probe, the full row only on a hit."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {sql.table(CommandRecord)} WHERE command_id = %s",  # noqa: S608
            [sql.prep(CommandRecord, "command_id", command_id)],
        )
        if cursor.fetchone() is None:
            return None
    return CommandRecord.objects.filter(pk=command_id).first()


def _replay(record: CommandRecord, command: Command, content: str) -> Result:
    if record.digest != content and not same_content(command, record.digest, record.payload):
        raise IdempotencyConflict(
            "같은 요청 번호(Idempotency-Key)로 다른 내용의 요청이 이미 처리되었습니다.",
            "This idempotency key was already used for a request with different content.",
            field="Idempotency-Key",
        )
    return Result(record.command_id, record.result, True, record.recorded_at)
