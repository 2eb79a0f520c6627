"""Read models kept per batch: what a subscriber rebuilds once for many commands.

A read-model subscriber (the search documents, the public tracking row) rebuilds the rows
of the records an event names from those records as they stand. Run once per command, the
rebuild is most of a replayed command's cost: the same read and upsert, a hundred times
over, for a hundred applications received at one counter. Inside ``scope()`` — opened by a
bulk path around ``bus.batch()`` — a subscriber's ``refresh`` only notes the keys; the
scope rebuilds each read model once for every key its commands noted, when the last
command is done and before the batch commits, in the batch's own transaction. Outside a
scope ``refresh`` rebuilds at once, so a single command is exactly what it was.

Why that is the same result: a rebuild reads only committed-or-current state and writes
only its own table, so rebuilding key K once after commands 1..n equals rebuilding it after
each of them (the last rebuild wins either way). A command refused inside the batch rolled
its savepoint back; its keys stay noted, and their rebuild finds nothing new (a record it
would have created does not exist, so it gets no row) — a rebuild is idempotent. What a
scope gives up is that a command in the batch cannot read another's read-model row: no
handler reads a read model (they read the registers), and the bulk path that opens a scope
says so.

``memo`` is another per-batch saving: a value derived from data no command of the batch
can change (the staff name printed on a step), computed once per batch. And ``execute``
runs a command through the configured pipeline with its deduplication probe answered by
one read for the whole batch (``expect``): the same stages in the same order, the probe
skipped only for an id that read found unrecorded.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import uuid
from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import IntegrityError

from minwon.kernel.errors import DomainError

if TYPE_CHECKING:
    from minwon.kernel.bus import Execution, Pipeline, Result
    from minwon.kernel.types import Command, Origin

T = TypeVar("T")


@dataclasses.dataclass
class _Pending:
    rebuild: Callable[[list[Any]], Any]
    keys: dict[Any, None] = dataclasses.field(default_factory=dict)  # ordered set


@dataclasses.dataclass
class _Scope:
    pending: dict[str, _Pending] = dataclasses.field(default_factory=dict)
    memos: dict[tuple[str, Hashable], Any] = dataclasses.field(default_factory=dict)
    #: Command ids the batch's one read found without a record (``expect``).
    unrecorded: set[uuid.UUID] = dataclasses.field(default_factory=set)


_scope: contextvars.ContextVar[_Scope | None] = contextvars.ContextVar(
    "minwon_read_model_scope", default=None
)


def active() -> bool:
    """Whether read-model rebuilds are being gathered for a batch."""
    return _scope.get() is not None


def refresh(name: str, keys: Iterable[Any], rebuild: Callable[[list[Any]], Any]) -> None:
    """Rebuild read model ``name`` for ``keys`` with ``rebuild(keys)``: now, or inside a
    ``scope()`` once for all its commands' keys at its end. ``rebuild`` must be the same
    function for one ``name`` and must accept keys whose records no longer exist."""
    keys = list(keys)
    scope = _scope.get()
    if scope is None:
        if keys:
            rebuild(keys)
        return
    pending = scope.pending.get(name)
    if pending is None:
        pending = scope.pending[name] = _Pending(rebuild)
    pending.keys.update(dict.fromkeys(keys))


def memo(name: str, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, once per batch for ``(name, key)`` inside a ``scope()``; every time
    outside one. Only for values no command that can come in a batch changes."""
    scope = _scope.get()
    if scope is None:
        return compute()
    slot = (name, key)
    if slot not in scope.memos:
        scope.memos[slot] = compute()
    value: T = scope.memos[slot]
    return value


def flush() -> None:
    """Rebuild what the scope's commands noted so far (in the order the read models were
    first named), then start afresh. A rebuild that raises leaves its keys unbuilt: the
    caller's transaction must then roll back."""
    scope = _scope.get()
    if scope is None:
        return
    while scope.pending:
        name = next(iter(scope.pending))
        pending = scope.pending.pop(name)
        if pending.keys:
            pending.rebuild(list(pending.keys))


@contextlib.contextmanager
def scope() -> Iterator[None]:
    """Gather read-model rebuilds and memos for the commands run inside; rebuild them at
    the end (inside the caller's transaction, which must enclose the scope). On an error
    nothing is rebuilt: the caller's transaction is rolled back anyway."""
    if _scope.get() is not None:
        yield  # already gathering: the outer scope rebuilds
        return
    token = _scope.set(_Scope())
    try:
        yield
        flush()
    finally:
        _scope.reset(token)


def expect(command_ids: Iterable[uuid.UUID]) -> None:
    """Read once which of the batch's ``command_ids`` have no command record yet, so that
    ``execute`` need not probe for each (inside a ``scope()``; nothing outside one)."""
    from minwon.kernel.models import CommandRecord

    scope = _scope.get()
    if scope is None:
        return
    wanted = set(command_ids)
    known = set(CommandRecord.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    scope.unrecorded |= wanted - known


def unrecorded(command_id: uuid.UUID) -> bool:
    """Whether the batch's read (``expect``) found ``command_id`` without a record and no
    execution of the batch has recorded it since: a set path may then write it without a
    probe (``continuity.setwise``), and must call ``recorded`` once it has."""
    scope = _scope.get()
    return scope is not None and command_id in scope.unrecorded


def recorded(command_ids: Iterable[uuid.UUID]) -> None:
    """These ids now have their records (written by a set path): a second execution of one
    in the batch probes as usual."""
    scope = _scope.get()
    if scope is not None:
        scope.unrecorded.difference_update(command_ids)


def execute(command: Command, *, origin: Origin | None = None) -> Result:
    """``kernel.execute(command)``; for an id ``expect`` found unrecorded, through the same
    configured stages with the deduplication probe answered by that read. A second
    execution of the id in the batch probes as usual (the first one recorded it)."""
    from minwon.kernel import bus

    scope = _scope.get()
    if scope is None or command.command_id not in scope.unrecorded:
        return bus.execute(command, origin=origin)
    scope.unrecorded.discard(command.command_id)
    return _unprobed(bus.stages()).run(bus.Execution(command, origin))


_pipelines: dict[tuple[Any, ...], Pipeline] = {}


def _unprobed(stages: tuple[Any, ...]) -> Pipeline:
    """The configured pipeline with ``deduplicate`` replaced by ``_first_time``."""
    from minwon.kernel import bus

    found = _pipelines.get(stages)
    if found is None:
        found = _pipelines[stages] = bus.Pipeline(
            [_first_time if s is bus.deduplicate else s for s in stages]
        )
    return found


def _first_time(ex: Execution, proceed: Callable[[], Result]) -> Result:
    """``deduplicate`` for an id the batch's read found unrecorded: no probe. A concurrent
    first execution that committed it since changes nothing: the record's insert fails, or
    the handler refuses what that execution did (a resident registered twice), and
    ``deduplicate`` itself answers — the first result, 409 for other content, or, when the
    id is still unrecorded, the error."""
    from minwon.kernel import bus

    ex.content = ex.command.content_digest()
    try:
        return proceed()
    except (IntegrityError, DomainError) as exc:
        failed = exc

        def again() -> Result:
            raise failed

        return bus.deduplicate(ex, again)
