"""소급 적용 on central: execute an edge's journal in order, idempotently, with each
command's original ``command_id`` and ``occurred_at``.

Generic over kernel commands: an entry names its command type and carries
``cmd.to_json()``; central rebuilds it with ``commands_by_name[name].from_json(payload)``
and runs it through ``execute(cmd, origin=edge)``, so the pipeline authorises it twice:
the edge may carry it (a type declared ``local`` or ``forward``, an actor who is staff of
the edge's office, a jurisdiction inside it) and its original actor may do it, with every
check the handler makes bounded to the office. A repeat (the edge resent after a lost answer) is a
replay and answers the first result. A refusal goes to the reconciliation queue with both
sides; nothing is dropped.

Ids: rows the edge created offline have ids from its local range (``feed.LOCAL_ID_BASE``).
A later offline command may point at one (a move-in into a household formed offline), so
central learns, from each replayed command, which of its own ids answered the edge's local
ids (same place in both results) and rewrites the following payloads before executing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import random
import time
import uuid
from datetime import datetime
from typing import Any

from django.db import DatabaseError

from minwon.kernel import batch as read_models
from minwon.kernel import bus, clock, registry
from minwon.kernel.bus import execute
from minwon.kernel.errors import DomainError, IdempotencyConflict
from minwon.kernel.types import Actor, Channel, Command, Continuity, Origin

from .commands import QueueReconciliation
from .feed import LOCAL_ID_BASE

log = logging.getLogger(__name__)

MAX_BATCH = 1000
#: Commands per commit while replaying: each command keeps its own savepoint, so a refusal
#: still rolls back exactly that command; committing a chunk at a time keeps the write lock
#: (and the audit chain heads) from being held for a whole request.
COMMIT_EVERY = 100
CHUNK_ATTEMPTS = 5
#: Runs of applications in a chunk written as sets (``continuity.setwise``); off: every
#: entry executed alone (the benches compare both).
SET_WISE = True
TRANSIENT_SQLSTATES = {"40P01", "40001"}  # deadlock_detected, serialization_failure


@dataclasses.dataclass(frozen=True)
class Entry:
    """One journaled command as the edge sends it."""

    seq: int
    name: str
    command_id: uuid.UUID
    occurred_at: datetime
    payload: dict[str, Any]
    edge_result: Any = None


def learn_ids(local: Any, central: Any, into: dict[int, int]) -> None:
    """Record central ids standing where the edge's result had local-range ids."""
    if isinstance(local, dict) and isinstance(central, dict):
        for key, value in local.items():
            if key in central:
                learn_ids(value, central[key], into)
    elif isinstance(local, list) and isinstance(central, list):
        for a, b in zip(local, central, strict=False):
            learn_ids(a, b, into)
    elif (
        isinstance(local, int)
        and not isinstance(local, bool)
        and local >= LOCAL_ID_BASE
        and isinstance(central, int)
    ):
        into[local] = central


def translate(value: Any, ids: dict[int, int]) -> Any:
    """Replace local-range ids the map knows in a payload."""
    if isinstance(value, dict):
        return {k: translate(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [translate(v, ids) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and value >= LOCAL_ID_BASE:
        return ids.get(value, value)
    return value


def _refuse(code: str, ko: str, en: str, field: str | None = None) -> DomainError:
    return DomainError(ko, en, field=field, code=code)


def _rebuild(entry: Entry) -> Command:
    """The command the entry names, as the edge executed it; who may send it is the
    pipeline's to decide (``authenticate_channel``)."""
    cls = registry.commands_by_name.get(entry.name)
    if cls is None:
        raise _refuse(
            "unknown_command",
            f"알 수 없는 명령입니다: {entry.name}",
            f"Unknown command type: {entry.name}",
            "name",
        )
    payload = dict(entry.payload)
    payload["command_id"] = str(entry.command_id)
    payload["occurred_at"] = entry.occurred_at.isoformat()
    try:
        cmd = cls.from_json(payload)
    except ValueError as exc:
        raise _refuse(
            "bad_payload",
            "명령 내용을 해석할 수 없습니다.",
            f"Cannot rebuild the command: {str(exc)[:300]}",
            "payload",
        ) from None
    if cls.continuity == Continuity.EDGE_ONLY:
        raise _refuse("local_only", "거점 전용 명령입니다.", "Edge-local command.", "name")
    return cmd


def apply_batch(
    *, edge_id: str, office: str, agent: Actor, entries: list[Entry]
) -> list[dict[str, Any]]:
    """Execute ``entries`` in order; return one outcome per entry
    (``applied`` | ``replayed`` | ``queued``)."""
    ids: dict[int, int] = {}
    outcomes: list[dict[str, Any]] = []
    ordered = sorted(entries, key=lambda e: e.seq)
    for at in range(0, len(ordered), COMMIT_EVERY):
        # The edge drops entries only after the answer, which comes after every commit: a
        # failure here (database lost) leaves earlier chunks applied, and the edge's resend
        # finds them as replays.
        chunk = ordered[at : at + COMMIT_EVERY]
        try:
            done, ids = _chunk(edge_id, office, agent, chunk, ids, gathered=True)
        except Exception as exc:
            if _transient(exc):
                raise
            # Every command's own error is caught in ``_apply``: what failed is the chunk's
            # read-model rebuild (or its commit). Run the chunk again with each command
            # rebuilding its own rows, so a failing rebuild refuses only its command.
            log.error(
                "replay chunk of %s: read models rebuilt per command after %s",
                edge_id,
                type(exc).__name__,
                exc_info=exc,
            )
            done, ids = _chunk(edge_id, office, agent, chunk, ids, gathered=False)
        outcomes.extend(done)
    return outcomes


def _chunk(
    edge_id: str,
    office: str,
    agent: Actor,
    chunk: list[Entry],
    ids: dict[int, int],
    *,
    gathered: bool,
) -> tuple[list[dict[str, Any]], dict[int, int]]:
    """One commit's worth of entries, in one ``bus.batch()`` (a savepoint per command);
    ``gathered``: the read models rebuilt once for the chunk (``kernel.batch``). Returns
    the outcomes and the id map learned so far."""
    from . import setwise

    for attempt in range(1, CHUNK_ATTEMPTS + 1):
        learned = dict(ids)
        try:
            with bus.batch(), read_models.scope() if gathered else contextlib.nullcontext():
                read_models.expect(e.command_id for e in chunk)
                if SET_WISE and gathered and setwise.available():
                    # Runs of applications written as sets (``continuity.setwise``).
                    done = setwise.apply_chunk(edge_id, office, agent, chunk, learned)
                else:
                    done = [_apply(edge_id, office, agent, entry, learned) for entry in chunk]
        except DatabaseError as exc:
            # A deadlock with another office's replay or a counter command: the whole
            # chunk was rolled back; run it again (its commands are idempotent).
            if not _transient(exc) or attempt == CHUNK_ATTEMPTS:
                raise
            log.info("replay chunk of %s retried (attempt %d): %s", edge_id, attempt, exc)
            time.sleep(random.uniform(0.02, 0.1) * attempt)  # jitter
            continue
        return done, learned
    raise AssertionError("unreachable: the last attempt returns or raises")


def _origin(edge_id: str, office: str, agent: Actor) -> Origin:
    return Origin(edge_id=edge_id, office=office, key=str(agent))


def _transient(exc: BaseException) -> bool:
    """A deadlock or serialization failure: the database's own "try again"."""
    sqlstate = getattr(exc.__cause__, "sqlstate", None)
    return sqlstate in TRANSIENT_SQLSTATES


def _apply(
    edge_id: str, office: str, agent: Actor, entry: Entry, ids: dict[int, int]
) -> dict[str, Any]:
    translated = dataclasses.replace(entry, payload=translate(entry.payload, ids))
    try:
        cmd = _rebuild(translated)
        result = read_models.execute(cmd, origin=_origin(edge_id, office, agent))
    except DomainError as exc:
        return _queue(edge_id, office, agent, translated, exc)
    except Exception as exc:  # a bug must not stall the office: queue it, loudly
        if _transient(exc):
            raise  # a deadlock: the chunk is retried whole (apply_batch)
        log.exception("replay of %s %s failed", entry.name, entry.command_id)
        err = DomainError(
            "중앙에서 처리 중 오류가 발생했습니다.",
            f"Central failed: {type(exc).__name__}",
            code="internal_error",
        )
        return _queue(edge_id, office, agent, translated, err)
    learn_ids(entry.edge_result, result.value, ids)
    return {
        "seq": entry.seq,
        "command_id": str(entry.command_id),
        "status": "replayed" if result.replayed else "applied",
        "result": result.value,
    }


def _queue(
    edge_id: str, office: str, agent: Actor, entry: Entry, exc: DomainError
) -> dict[str, Any]:
    # Queued before with another reason: the item is there; keep the first.
    with contextlib.suppress(IdempotencyConflict):
        _queue_command(edge_id, office, agent, entry, exc)
    return {
        "seq": entry.seq,
        "command_id": str(entry.command_id),
        "status": "queued",
        "error": exc.as_dict(),
    }


def _queue_command(edge_id: str, office: str, agent: Actor, entry: Entry, exc: DomainError) -> None:
    execute(
        QueueReconciliation(
            actor=agent,
            channel=Channel.EDGE,
            jurisdiction=office,
            command_id=uuid.uuid5(entry.command_id, "minwon:reconcile"),
            edge_id=edge_id,
            original_id=entry.command_id,
            name=entry.name,
            payload=entry.payload,
            original_occurred_at=entry.occurred_at,
            edge_result=entry.edge_result,
            error_code=exc.code,
            error_message=exc.message_ko,
            error_message_en=exc.message_en,
            error_field=exc.field or "",
        )
    )


def forward(
    *,
    edge_id: str,
    office: str,
    agent: Actor,
    name: str,
    command_id: uuid.UUID,
    payload: dict[str, Any],
) -> dict[str, Any]:
    """Execute one counter command an edge forwards in normal mode, as its clerk, now.

    Same pipeline as replay, for a type declared ``forward``, but central's own time, and a refusal is an answer to the clerk, not a
    queue item. For a certificate the answer carries central's ledger row and signed PDF
    (Django-serialised, like the feed), so the edge keeps a copy: the clerk prints
    central's document and it verifies at the edge too."""
    cls = registry.commands_by_name.get(name)
    if cls is None or cls.continuity != Continuity.FORWARD:
        raise _refuse(
            "not_forwarded",
            f"중앙에서 바로 처리하는 업무가 아닙니다: {name}",
            f"Not a command central executes for an edge: {name}",
            "name",
        )
    entry = Entry(seq=0, name=name, command_id=command_id, occurred_at=clock.now(), payload=payload)
    cmd = _rebuild(entry)
    if name == "IssueCertificate":
        # Central signs with its own key.
        cmd = dataclasses.replace(cmd, mode="normal")  # type: ignore[call-arg]
    result = execute(cmd, origin=_origin(edge_id, office, agent))
    objects: list[Any] = []
    if name == "IssueCertificate":
        from django.core import serializers

        from minwon.documents.models import Issuance, IssuedFile

        number = result.value["document_number"]
        rows = [*Issuance.objects.filter(pk=number), *IssuedFile.objects.filter(pk=number)]
        objects = json.loads(serializers.serialize("json", rows))
    return {
        "command_id": str(result.command_id),
        "replayed": result.replayed,
        "recorded_at": result.recorded_at.isoformat(),
        "result": result.value,
        "objects": objects,
    }
