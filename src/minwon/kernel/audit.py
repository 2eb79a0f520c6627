"""The audit chain (DESIGN §3.5): append-only rows, each hashing its content and the
previous row's hash, in a few chains per 시·군·구 so offices, and concurrent commands within
one office, do not queue behind each other.

The row hash is an HMAC-SHA256 with a key derived from the data key, which lives outside
the database: whoever can write the tables but does not hold the key cannot recompute a
chain after editing a row. What a key cannot stop — cutting a chain short and rewinding its
head, or removing a chain with its head — signed checkpoints outside the database catch
(``kernel.anchors``; written by ``audit checkpoint`` and periodically by ``minwon worker``).

``verify()`` walks every chain and names the first row that was edited, removed or moved,
checks every chain against the newest checkpoint, and cross-checks the executed commands
(``kernel_commandrecord``) against the chain both ways.
"""

from __future__ import annotations

import dataclasses
import functools
import hmac
import logging
import os
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef

from minwon.kernel import anchors, registry, sql
from minwon.kernel.models import AuditHead, AuditRecord, CommandRecord
from minwon.kernel.types import canonical, content_digest_of, digest

log = logging.getLogger(__name__)

GENESIS = "0" * 64


#: Chains per 시·군·구. A command's chain is fixed by its id, so concurrent commands of one
#: office spread over several head rows instead of queueing on one lock.
STRIPES = int(os.environ.get("MINWON_AUDIT_STRIPES", "8"))


def chain_for(jurisdiction: str, command_id: uuid.UUID | None = None) -> str:
    """The chain a command goes to: its 시·군·구 (first five digits) and a stripe."""
    base = jurisdiction[:5] if jurisdiction else "00000"
    stripe = (command_id.int % STRIPES) if command_id is not None and STRIPES > 1 else 0
    return f"{base}-{stripe}"


@functools.cache
def _chain_key() -> bytes:
    from minwon.kernel.rrn import derived_key

    return derived_key(b"minwon audit chain hmac v1")


def _ts(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def row_hash(
    *,
    prev_hash: str,
    chain: str,
    seq: int,
    command_id: uuid.UUID | str,
    name: str,
    actor: str,
    channel: str,
    jurisdiction: str,
    occurred_at: datetime,
    recorded_at: datetime,
    payload_digest: str,
    result_digest: str,
) -> str:
    body = canonical(
        {
            "chain": chain,
            "seq": seq,
            "command_id": str(command_id),
            "name": name,
            "actor": actor,
            "channel": channel,
            "jurisdiction": jurisdiction,
            "occurred_at": _ts(occurred_at),
            "recorded_at": _ts(recorded_at),
            "payload_digest": payload_digest,
            "result_digest": result_digest,
        }
    )
    return hmac.digest(_chain_key(), prev_hash.encode() + body, "sha256").hex()


def append(
    *,
    command_id: uuid.UUID,
    name: str,
    actor: str,
    channel: str,
    jurisdiction: str,
    occurred_at: datetime,
    recorded_at: datetime,
    payload_digest: str,
    result_digest: str,
    along: Sequence[tuple[sql.Insert, sql.Rows]] = (),
) -> int:
    """Append one row to its chain and return its seq. Must run inside the command's
    transaction; the head row is locked last so the lock is held only until commit.
    ``along``: the command's other rows (its record, its outbox events), inserted in the
    round trip that locks the head (``sql.send``)."""
    chain = chain_for(jurisdiction, command_id)
    head = _head_for_append(chain, along)
    prev_seq, prev_hash = head
    seq = prev_seq + 1
    new_hash = row_hash(
        prev_hash=prev_hash, chain=chain, seq=seq, command_id=command_id, name=name, actor=actor,
        channel=channel, jurisdiction=jurisdiction, occurred_at=occurred_at,
        recorded_at=recorded_at, payload_digest=payload_digest, result_digest=result_digest,
    )  # fmt: skip
    # The row and the head's move in one round trip where the database allows it.
    _insert_row.and_then(
        (chain, seq, command_id, name, actor, channel, jurisdiction, occurred_at, recorded_at,
         payload_digest, result_digest, prev_hash, new_hash),
        _move_head(), (seq, new_hash, chain),
    )  # fmt: skip
    return seq


def _move_head() -> str:
    return f"UPDATE {sql.table(AuditHead)} SET seq = %s, hash = %s WHERE chain = %s"  # noqa: S608


def append_many(entries: list[dict[str, Any]]) -> None:
    """Append ``entries`` (``append``'s keyword arguments, in command order) for a batch of
    commands: each chain's head locked once, chains in sorted order so concurrent batches
    cannot deadlock on heads, each head updated once."""
    by_chain: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        by_chain.setdefault(chain_for(entry["jurisdiction"], entry["command_id"]), []).append(entry)
    for chain in sorted(by_chain):
        seq, prev_hash = _head_for_append(chain)
        rows = []
        for e in by_chain[chain]:
            seq += 1
            new_hash = row_hash(prev_hash=prev_hash, chain=chain, seq=seq, **e)
            rows.append(
                (chain, seq, e["command_id"], e["name"], e["actor"], e["channel"],
                 e["jurisdiction"], e["occurred_at"], e["recorded_at"], e["payload_digest"],
                 e["result_digest"], prev_hash, new_hash)
            )  # fmt: skip
            prev_hash = new_hash
        _insert_row.many(rows)  # the chain's rows of the batch in one statement
        with connection.cursor() as cursor:
            cursor.execute(_move_head(), [seq, prev_hash, chain])


_insert_row = sql.Insert(
    AuditRecord,
    ("chain", "seq", "command_id", "name", "actor", "channel", "jurisdiction", "occurred_at",
     "recorded_at", "payload_digest", "result_digest", "prev_hash", "hash"),
)  # fmt: skip


def _head_for_append(
    chain: str, along: Sequence[tuple[sql.Insert, sql.Rows]] = ()
) -> tuple[int, str]:
    """The locked head of ``chain``, created at genesis the first time; ``along`` is sent
    with the first lock."""
    head = _lock_head(chain, along)
    if head is None:
        AuditHead.objects.bulk_create(
            [AuditHead(chain=chain, seq=0, hash=GENESIS)], ignore_conflicts=True
        )
        head = _lock_head(chain)
        assert head is not None
    return head


def _lock_head(
    chain: str, along: Sequence[tuple[sql.Insert, sql.Rows]] = ()
) -> tuple[int, str] | None:
    """Read and lock a chain's head (after inserting ``along``, in the same round trip on
    PostgreSQL). On SQLite the immediate transaction already holds the write lock; on
    PostgreSQL the row lock serialises appends to this chain only."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    query = f"SELECT seq, hash FROM {sql.table(AuditHead)} WHERE chain = %s{lock}"  # noqa: S608
    rows = sql.send(along, query, [chain])
    return None if not rows else (int(rows[0][0]), str(rows[0][1]))


@dataclasses.dataclass(frozen=True)
class Problem:
    """One thing ``verify`` found: in a chain (``chain``), at a row or a sequence number, or
    in the checkpoint files (``chain`` empty)."""

    chain: str
    row_id: int | None
    seq: int | None
    reason: str
    #: A ledger anchored in the chain (``register_verifier``) rather than the chain itself.
    ledger: str = ""

    def __str__(self) -> str:
        if self.ledger:
            return f"{self.ledger}: {self.reason}"
        where = [f"chain {self.chain}" if self.chain else "checkpoints"]
        if self.row_id:
            where.append(f"row id={self.row_id} seq={self.seq}")
        elif self.seq is not None:
            where.append(f"seq={self.seq}")
        return ": ".join([*where, self.reason])


@dataclasses.dataclass(frozen=True)
class Report:
    """What ``check`` found, with what it checked against."""

    problems: list[Problem]
    rows: int
    commands: int
    checkpoint: anchors.Checkpoint | None


class ChainBroken(Exception):
    """A checkpoint was refused: signing heads over a broken chain would launder it."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the audit chain; no checkpoint written")


#: Apps' ledgers anchored in the chain (the sharing message log and its archives): each
#: verifier yields ``(reference, reason)`` for what does not match, and ``check`` reports it.
VERIFIERS: dict[str, Callable[[], Iterable[tuple[str, str]]]] = {}


def register_verifier(
    ledger: str,
) -> Callable[[Callable[[], Iterable[tuple[str, str]]]], Callable[[], Iterable[tuple[str, str]]]]:
    """Have ``minwon audit verify`` also check ``ledger`` with the decorated function."""

    def wrap(
        fn: Callable[[], Iterable[tuple[str, str]]],
    ) -> Callable[[], Iterable[tuple[str, str]]]:
        VERIFIERS[ledger] = fn
        return fn

    return wrap


def verify(*, anchor_dir: Path | None = None, checkpoint: Path | None = None) -> Iterator[Problem]:
    """Yield every problem ``check`` finds (nothing when all verifies)."""
    yield from check(anchor_dir=anchor_dir, checkpoint=checkpoint).problems


def check(*, anchor_dir: Path | None = None, checkpoint: Path | None = None) -> Report:
    """Walk every chain (the first problem of each broken one), compare it with a checkpoint
    (``checkpoint``, or the newest valid one under ``anchor_dir``) and cross-check command
    records and audit rows both ways."""
    problems: list[Problem] = []
    cp: anchors.Checkpoint | None = None
    if checkpoint is not None:
        try:
            cp = anchors.load(checkpoint)
        except anchors.BadCheckpoint as exc:
            problems.append(Problem("", None, None, str(exc)))
    else:
        cp, complaints = anchors.latest(anchor_dir)
        problems += [Problem("", None, None, c) for c in complaints]
    heads = {h.chain: h for h in AuditHead.objects.all()}
    chains = set(heads) | set(AuditRecord.objects.values_list("chain", flat=True).distinct())
    marks = cp.heads if cp is not None else {}
    cross = _CrossCheck()
    rows = 0
    for chain in sorted(chains | set(marks)):
        problem, count = _verify_chain(chain, heads.get(chain), marks.get(chain), cp, cross)
        rows += count
        if problem is not None:
            problems.append(problem)
    problems += cross.finish()
    for ledger, verifier in sorted(VERIFIERS.items()):
        problems += [
            Problem("", None, None, f"{ref}: {why}", ledger=ledger) for ref, why in verifier()
        ]
    return Report(problems, rows, CommandRecord.objects.count(), cp)


def _check_row(row: AuditRecord, prev: str, expected: int) -> Problem | None:
    """Whether ``row`` is the genuine next link after ``prev`` at position ``expected``."""
    if row.seq != expected:
        reason = "row missing before this one" if row.seq > expected else "duplicate seq"
        return Problem(row.chain, row.id, row.seq, reason)
    if row.prev_hash != prev:
        return Problem(
            row.chain, row.id, row.seq, "previous-hash link broken (row removed or moved)"
        )
    computed = row_hash(
        prev_hash=row.prev_hash, chain=row.chain, seq=row.seq, command_id=row.command_id,
        name=row.name, actor=row.actor, channel=row.channel, jurisdiction=row.jurisdiction,
        occurred_at=row.occurred_at, recorded_at=row.recorded_at,
        payload_digest=row.payload_digest, result_digest=row.result_digest,
    )  # fmt: skip
    if not hmac.compare_digest(computed, row.hash):
        return Problem(row.chain, row.id, row.seq, "content does not match its hash (row edited)")
    return None


def _verify_chain(
    chain: str,
    head: AuditHead | None,
    mark: tuple[int, str] | None,
    cp: anchors.Checkpoint | None,
    cross: _CrossCheck,
) -> tuple[Problem | None, int]:
    prev = GENESIS
    expected = 1
    problem: Problem | None = None
    count = 0
    mark_seq, mark_hash = mark if mark is not None else (-1, "")
    cp_name = cp.name if cp is not None else ""
    rows = AuditRecord.objects.filter(chain=chain).order_by("seq", "id")
    for row in rows.iterator(chunk_size=2000):
        count += 1
        if problem is not None:
            cross.add(row)  # past the break the links prove nothing, the records still may
            continue
        problem = _check_row(row, prev, expected)
        if problem is None and row.seq == mark_seq and row.hash != mark_hash:
            problem = Problem(chain, row.id, row.seq, f"differs from checkpoint {cp_name}")
        if problem is None:
            cross.add(row)  # an edited row is reported once, by the chain
        prev = row.hash
        expected += 1
    if problem is not None:
        return problem, count
    last = expected - 1
    if mark_seq > last:
        what = "chain removed" if count == 0 and head is None else "rows removed from the end"
        return Problem(
            chain, None, last + 1,
            f"{what}: checkpoint {cp_name} recorded seq {mark_seq}, the chain ends at {last}",
        ), count  # fmt: skip
    if head is None:
        return Problem(chain, None, None, "chain head missing"), count
    if head.seq != last or head.hash != prev:
        return Problem(chain, None, expected, "rows removed from the end of the chain"), count
    return None, count


class _CrossCheck:
    """Every audit row has its command record with the same facts, and every command record
    has its audit row (a command removed from one table only is found from the other).
    Records are fetched by key for a batch of rows at a time."""

    BATCH = 1000
    #: Problems listed; the rest are counted.
    LIMIT = 50

    def __init__(self) -> None:
        self.pending: list[AuditRecord] = []
        self.problems: list[Problem] = []
        self.found = 0

    def add(self, row: AuditRecord) -> None:
        self.pending.append(row)
        if len(self.pending) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        records = CommandRecord.objects.in_bulk([r.command_id for r in self.pending])
        for row in self.pending:
            reason = _mismatch(row, records.get(row.command_id))
            if reason is not None:
                self._report(Problem(row.chain, row.id, row.seq, reason))
        self.pending.clear()

    def _report(self, problem: Problem) -> None:
        self.found += 1
        if self.found <= self.LIMIT:
            self.problems.append(problem)

    def finish(self) -> list[Problem]:
        self.flush()
        unaudited = CommandRecord.objects.filter(
            ~Exists(AuditRecord.objects.filter(command_id=OuterRef("pk")))
        ).order_by("recorded_at")
        for record in unaudited.only("command_id", "name", "jurisdiction", "recorded_at"):
            self._report(
                Problem(
                    chain_for(record.jurisdiction, record.command_id), None, None,
                    f"command {record.command_id} ({record.name}, recorded "
                    f"{_ts(record.recorded_at)}) has no audit row (removed from the chain)",
                )
            )  # fmt: skip
            if self.found > self.LIMIT:
                break
        if self.found > self.LIMIT:
            more = self.found - self.LIMIT
            self.problems.append(Problem("", None, None, f"and {more} more cross-check problems"))
        return self.problems


def _mismatch(row: AuditRecord, record: CommandRecord | None) -> str | None:
    if record is None:
        return f"command {row.command_id} has no command record (removed from the commands)"
    pairs = (
        ("name", row.name, record.name),
        ("payload digest", row.payload_digest, record.digest),
        ("actor", row.actor, record.actor),
        ("channel", row.channel, record.channel),
        ("jurisdiction", row.jurisdiction, record.jurisdiction),
        ("occurred_at", row.occurred_at, record.occurred_at),
        ("recorded_at", row.recorded_at, record.recorded_at),
        ("result", row.result_digest, digest(record.result)),
    )
    differs = [what for what, audited, recorded in pairs if audited != recorded]
    command_type = registry.commands_by_name.get(record.name)
    if command_type is not None and record.digest == row.payload_digest:
        recomputed = content_digest_of(record.name, command_type.schema_version, record.payload)
        if recomputed != record.digest:
            differs.append("payload")
    if not differs:
        return None
    return f"command record {row.command_id} differs from its audit row ({', '.join(differs)})"


def checkpoint(*, directory: Path | None = None) -> anchors.Checkpoint:
    """Verify what was appended since the newest checkpoint — each chain must continue from
    the head that checkpoint recorded — then sign every chain's head and write the next
    checkpoint. Refuses (``ChainBroken``) rather than sign over a chain cut short."""
    previous, complaints = anchors.latest(directory)
    problems = [Problem("", None, None, c) for c in complaints]
    heads = {
        chain: (int(seq), str(h))
        for chain, seq, h in AuditHead.objects.values_list("chain", "seq", "hash")
    }
    since = previous.heads if previous is not None else {}
    for chain in sorted(set(heads) | set(since)):
        problem = _verify_since(chain, since.get(chain, (0, GENESIS)), heads.get(chain), previous)
        if problem is not None:
            problems.append(problem)
    if problems:
        raise ChainBroken(problems)
    return anchors.write(heads, previous=previous, directory=directory)


def _verify_since(
    chain: str,
    start: tuple[int, str],
    head: tuple[int, str] | None,
    previous: anchors.Checkpoint | None,
) -> Problem | None:
    start_seq, start_hash = start
    name = previous.name if previous is not None else "-"
    if head is None:
        return Problem(chain, None, start_seq, f"chain removed since checkpoint {name}")
    if head[0] < start_seq:
        return Problem(
            chain, None, head[0],
            f"chain rewound since checkpoint {name}, which recorded seq {start_seq}",
        )  # fmt: skip
    prev, expected = start_hash, start_seq + 1
    rows = AuditRecord.objects.filter(chain=chain, seq__gt=start_seq, seq__lte=head[0])
    for row in rows.order_by("seq", "id").iterator(chunk_size=2000):
        problem = _check_row(row, prev, expected)
        if problem is not None:
            return problem
        prev, expected = row.hash, expected + 1
    if expected - 1 != head[0] or prev != head[1]:
        return Problem(chain, None, head[0], "the head does not match the chain's last row")
    return None
