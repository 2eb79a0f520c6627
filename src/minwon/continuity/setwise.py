"""The replay's set path: the ``SubmitApplication`` entries of a chunk written as sets.

A counter's offline journal is mostly applications. Executed one at a time, each costs
a savepoint and one statement per row (application, petitions, steps, outbox, command
record). Here a run of consecutive applications of a chunk is checked one by one with the
handler's own checks (``intake.prepare``: the same refusals, in the same order) against
one read of the catalog, and then written together: one multi-row insert per table
(``intake.submit_many``), the command records and outbox rows of the run in one statement
each (``bus.record_many``), the audit entries joining the chunk's as each command's would.

What stays exactly as the one-by-one path gives it:

- **Refusal**: a command refused by a check is refused before anything of it is written,
  so it needs no savepoint. The applications before it in the run are written first, then
  it is queued with its reason (as ``replay._apply`` queues it), and a new run begins: the
  order of every row and audit entry is the journal's.
- **Deduplication**: only an id the chunk's one read (``kernel.batch.expect``) found
  unrecorded, seen for the first time in the chunk, goes the set way; any other entry (a
  repeat, a second occurrence) runs through ``replay._apply`` after the run before it is
  written, and answers as ``deduplicate`` answers.
- **The pipeline**: its channel and permission stages (``bus.authenticate_channel``,
  ``bus.authorise``) run for each command as they do in ``execute``, its metrics are
  counted the same way; the set path is taken only when the configured stages are the
  kernel's own (and the failover retry, which the chunk's retry covers).
- **Anything else**: an entry of another type, an application that is not ``plain`` (a
  file, a paid order, an applicant to notify, a rule that may decide it at reception), or
  an unexpected error while checking goes through ``replay._apply``. A run whose writes
  fail (a receipt number taken meanwhile, a record a concurrent execution inserted) is
  rolled back to its savepoint and its entries run one by one, which answers each as the
  one-by-one path does.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from typing import Any

from django.db import transaction

from minwon.kernel import batch, bus, clock, metrics
from minwon.kernel.errors import DomainError
from minwon.kernel.types import Actor
from minwon.petitions.commands import intake
from minwon.petitions.models import PetitionType

from . import replay

log = logging.getLogger(__name__)

#: Stages besides the kernel's own that may run around a set-wise command: the failover
#: retry reruns a failed command, which the chunk's own retry does for the whole chunk.
_ALSO_ALLOWED = {"minwon.ha.retry.retry_stage"}


def available() -> bool:
    """Whether the configured pipeline is one the set path reproduces (module docstring),
    inside a read-model scope (``kernel.batch``) of a ``bus.batch()``."""
    if not batch.active():
        return False
    known = set(bus.DEFAULT_STAGES)
    return all(
        s in known or f"{s.__module__}.{s.__qualname__}" in _ALSO_ALLOWED for s in bus.stages()
    )


@dataclasses.dataclass
class _Pending:
    at: int  # index of the outcome
    entry: replay.Entry
    ex: bus.Execution
    ready: intake.Prepared


class Chunk:
    """One chunk's entries, in order: ``apply(entry)`` for each, then ``outcomes()``."""

    def __init__(self, edge_id: str, office: str, agent: Actor, ids: dict[int, int]) -> None:
        self.edge_id, self.office, self.agent, self.ids = edge_id, office, agent, ids
        self.origin = replay._origin(edge_id, office, agent)
        self.done: list[dict[str, Any] | None] = []
        self.pending: list[_Pending] = []
        self.seen: set[Any] = set()
        self.types: dict[str, PetitionType] | None = None
        self.codes: set[str] = set()

    def read_catalog(self, entries: list[replay.Entry]) -> None:
        """Note the type codes the chunk's applications name, for one catalog read."""
        for entry in entries:
            if entry.name == "SubmitApplication":
                for item in entry.payload.get("items") or ():
                    if isinstance(item, dict) and isinstance(item.get("type_code"), str):
                        self.codes.add(item["type_code"])

    def apply(self, entry: replay.Entry) -> None:
        translated = dataclasses.replace(entry, payload=replay.translate(entry.payload, self.ids))
        if entry.name != "SubmitApplication" or entry.command_id in self.seen:
            return self._alone(entry)
        try:
            cmd = replay._rebuild(translated)
        except DomainError as exc:
            return self._refused(translated, exc)
        if (
            not isinstance(cmd, intake.SubmitApplication)
            or cmd.payment_order
            or not batch.unrecorded(cmd.command_id)
        ):
            return self._alone(entry)
        self.seen.add(cmd.command_id)
        started = time.perf_counter()
        ex = bus.Execution(cmd, self.origin)
        ex.content = cmd.content_digest()
        ex.ctx = bus.Context(cmd, clock.now(), origin=self.origin)
        try:
            bus.authenticate_channel(ex, _nothing)
            bus.authorise(ex, _nothing)
            ready = intake.prepare(cmd, ex.ctx, self._types(cmd))
        except DomainError as exc:
            metrics.command_done(cmd, exc.code, time.perf_counter() - started)
            return self._refused(translated, exc)
        except Exception as exc:  # whatever it is, the one-by-one path answers it
            if replay._transient(exc):
                raise  # a deadlock: the chunk is retried whole
            log.warning("set-wise check of %s failed; run alone", cmd.command_id, exc_info=True)
            return self._alone(entry)
        if not ready.plain:
            return self._alone(entry)
        self.pending.append(_Pending(len(self.done), entry, ex, ready))
        self.done.append(None)
        return None

    def outcomes(self) -> list[dict[str, Any]]:
        self._write()
        assert all(o is not None for o in self.done)
        return [o for o in self.done if o is not None]

    def _types(self, cmd: intake.SubmitApplication) -> dict[str, PetitionType]:
        codes = {i.type_code for i in cmd.items}
        if self.types is None or not codes <= self.codes:
            self.codes |= codes
            self.types = intake._active_types(sorted(self.codes))
        return self.types

    def _alone(self, entry: replay.Entry) -> None:
        """The entry through the one-by-one path, after the run before it is written."""
        self._write()
        self.types = None  # another command may change what the catalog read found
        self.done.append(replay._apply(self.edge_id, self.office, self.agent, entry, self.ids))

    def _refused(self, entry: replay.Entry, exc: DomainError) -> None:
        self._write()
        self.done.append(replay._queue(self.edge_id, self.office, self.agent, entry, exc))

    def _write(self) -> None:
        """Write the pending run as sets; if that fails, run its entries one by one."""
        run, self.pending = self.pending, []
        if not run:
            return
        started = time.perf_counter()
        try:
            with transaction.atomic():
                values = intake.submit_many(
                    [(p.ex.command, p.ex.ctx, p.ready) for p in run]  # type: ignore[misc]
                )
                for p, value in zip(run, values, strict=True):
                    p.ex.value = value
                results = bus.record_many([p.ex for p in run])
        except Exception as exc:
            if replay._transient(exc):
                raise  # a deadlock: the chunk is retried whole
            log.info("set-wise run of %d failed (%s); run one by one", len(run), exc, exc_info=True)
            for p in run:
                self.done[p.at] = replay._apply(
                    self.edge_id, self.office, self.agent, p.entry, self.ids
                )
            return
        batch.recorded(p.ex.command.command_id for p in run)
        share = (time.perf_counter() - started) / len(run)
        for p, result in zip(run, results, strict=True):
            metrics.command_done(p.ex.command, "ok", share)
            replay.learn_ids(p.entry.edge_result, result.value, self.ids)
            self.done[p.at] = {
                "seq": p.entry.seq,
                "command_id": str(p.entry.command_id),
                "status": "applied",
                "result": result.value,
            }


def _nothing() -> Any:
    return None


def apply_chunk(
    edge_id: str, office: str, agent: Actor, chunk: list[replay.Entry], ids: dict[int, int]
) -> list[dict[str, Any]]:
    """The outcomes of ``chunk`` applied in order, applications as sets (module docstring)."""
    state = Chunk(edge_id, office, agent, ids)
    state.read_catalog(chunk)
    for entry in chunk:
        state.apply(entry)
    return state.outcomes()
