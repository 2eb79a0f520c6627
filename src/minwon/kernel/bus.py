"""``execute(command)``: the only way state changes (DESIGN §3.1).

In one database transaction: deduplicate by ``command_id`` (a repeat returns the first
result; the same id with other content is refused), authorise, run the handler, append its
events to the outbox (running in-transaction subscribers), append the audit record and store
the result. A handler that raises leaves nothing behind.

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
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction

from minwon.kernel import audit, clock, metrics, registry, sql
from minwon.kernel.errors import DomainError, IdempotencyConflict
from minwon.kernel.models import CommandRecord, OutboxDelivery, OutboxEvent
from minwon.kernel.types import Actor, Channel, Command, Event, digest

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

    def __init__(self, command: Command, recorded_at: datetime) -> None:
        self.command = command
        self.actor: Actor = command.actor
        self.channel: Channel = command.channel
        self.occurred_at = command.occurred_at
        self.recorded_at = recorded_at
        self.events: list[tuple[int, Event]] = []

    def require(self, permission: str, jurisdiction: str) -> None:
        """Refuse (403) unless the actor holds ``permission`` over ``jurisdiction``."""
        from minwon.accounts.permissions import authorize

        authorize(self.actor, permission, jurisdiction)

    def allowed(self, permission: str, jurisdiction: str) -> bool:
        from minwon.accounts.permissions import is_allowed

        return is_allowed(self.actor, permission, jurisdiction)

    def emit(self, event: Event) -> int:
        """Record ``event``: run its in-transaction subscribers, then append it to the outbox
        with one delivery row per out-of-process receiver. Returns the outbox id."""
        for fn in registry.subscribers.get(type(event), ()):
            fn(event, ctx=self)
        event_id: int = _insert_event(
            event.event_name(),
            event.to_json(),
            self.command.command_id,
            self.command.jurisdiction,
            self.occurred_at,
            self.recorded_at,
        )
        for spec in registry.receivers.get(type(event), ()):
            _insert_delivery(
                event_id, spec.name, OutboxDelivery.State.PENDING, 0, self.recorded_at, ""
            )
        self.events.append((event_id, event))
        return event_id

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


#: Wraps every execution: ``around(run, command)``. ``minwon.ha`` installs a retry on a lost
#: database connection (safe because a repeat of the same ``command_id`` is a replay).
def _direct(run: Callable[[Command], Result], command: Command) -> Result:
    return run(command)


around: Callable[[Callable[[Command], Result], Command], Result] = _direct


def execute(command: Command) -> Result:
    """Run ``command`` exactly once; see the module docstring."""
    return around(_execute_once, command)


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
_insert_event = sql.Insert(
    OutboxEvent,
    ("name", "payload", "command_id", "jurisdiction", "occurred_at", "recorded_at"),
    returning_id=True,
)
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


def _execute_once(command: Command) -> Result:
    spec = registry.handler_for(type(command))
    name = command.command_name()
    content = command.content_digest()
    existing = _recorded(command.command_id)
    if existing is not None:
        return _replay(existing, content)
    started = time.perf_counter()
    try:
        # In a batch, a savepoint inside the batch's transaction; otherwise the durable unit.
        batched = _batch.get()
        with transaction.atomic(durable=batched is None):
            recorded_at = clock.now()
            ctx = Context(command, recorded_at)
            if command.permission is not None:
                ctx.require(command.permission, command.jurisdiction)
            value = spec.fn(command, ctx=ctx)
            _insert_record(
                command.command_id,
                name,
                content,
                command.to_json(),
                value,
                str(command.actor),
                command.channel.value,
                command.jurisdiction,
                command.occurred_at,
                recorded_at,
            )
            entry: dict[str, Any] = {
                "command_id": command.command_id,
                "name": name,
                "actor": str(command.actor),
                "channel": command.channel.value,
                "jurisdiction": command.jurisdiction,
                "occurred_at": command.occurred_at,
                "recorded_at": recorded_at,
                "payload_digest": content,
                "result_digest": digest(value),
            }
            if batched is None:
                audit.append(**entry)
        if batched is not None:  # this command's savepoint was released: it is in
            batched.append(entry)
    except IntegrityError:
        # A concurrent execution of the same id committed first: answer as a replay.
        existing = _recorded(command.command_id)
        if existing is not None:
            return _replay(existing, content)
        metrics.command_done(command, "error", time.perf_counter() - started)
        raise
    except DomainError as exc:
        metrics.command_done(command, exc.code, time.perf_counter() - started)
        raise
    except Exception:
        metrics.command_done(command, "error", time.perf_counter() - started)
        raise
    metrics.command_done(command, "ok", time.perf_counter() - started)
    return Result(command.command_id, value, False, recorded_at)


def _replay(record: CommandRecord, content: str) -> Result:
    if record.digest != content:
        raise IdempotencyConflict(
            "같은 요청 번호(Idempotency-Key)로 다른 내용의 요청이 이미 처리되었습니다.",
            "This idempotency key was already used for a request with different content.",
            field="Idempotency-Key",
        )
    return Result(record.command_id, record.result, True, record.recorded_at)
