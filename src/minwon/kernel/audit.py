"""The audit chain (DESIGN §3.5): append-only rows, each hashing its content and the
previous row's hash, in a few chains per 시·군·구 so offices, and concurrent commands within
one office, do not queue behind each other.

``verify()`` walks every chain and names the first row that was edited, removed or moved.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from django.db import connection

from minwon.kernel import sql
from minwon.kernel.models import AuditHead, AuditRecord
from minwon.kernel.types import canonical

GENESIS = "0" * 64


#: Chains per 시·군·구. A command's chain is fixed by its id, so concurrent commands of one
#: office spread over several head rows instead of queueing on one lock.
STRIPES = int(os.environ.get("MINWON_AUDIT_STRIPES", "8"))


def chain_for(jurisdiction: str, command_id: uuid.UUID | None = None) -> str:
    """The chain a command goes to: its 시·군·구 (first five digits) and a stripe."""
    base = jurisdiction[:5] if jurisdiction else "00000"
    stripe = (command_id.int % STRIPES) if command_id is not None and STRIPES > 1 else 0
    return f"{base}-{stripe}"


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
    return hashlib.sha256(prev_hash.encode() + body).hexdigest()


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
) -> int:
    """Append one row to its chain and return its seq. Must run inside the command's transaction; the head
    row is locked last so the lock is held only until commit."""
    chain = chain_for(jurisdiction, command_id)
    head = _head_for_append(chain)
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


def _head_for_append(chain: str) -> tuple[int, str]:
    """The locked head of ``chain``, created at genesis the first time."""
    head = _lock_head(chain)
    if head is None:
        AuditHead.objects.bulk_create(
            [AuditHead(chain=chain, seq=0, hash=GENESIS)], ignore_conflicts=True
        )
        head = _lock_head(chain)
        assert head is not None
    return head


def _lock_head(chain: str) -> tuple[int, str] | None:
    """Read and lock a chain's head. On SQLite the immediate transaction already holds the
    write lock; on PostgreSQL the row lock serialises appends to this chain only."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        query = f"SELECT seq, hash FROM {sql.table(AuditHead)} WHERE chain = %s{lock}"  # noqa: S608
        cursor.execute(query, [chain])
        row = cursor.fetchone()
    return None if row is None else (int(row[0]), str(row[1]))


@dataclasses.dataclass(frozen=True)
class Problem:
    chain: str
    row_id: int | None
    seq: int | None
    reason: str

    def __str__(self) -> str:
        where = f"row id={self.row_id} seq={self.seq}" if self.row_id else f"seq={self.seq}"
        return f"chain {self.chain}: {where}: {self.reason}"


def verify() -> Iterator[Problem]:
    """Yield the first problem of every broken chain (nothing when all verify)."""
    heads = {h.chain: h for h in AuditHead.objects.all()}
    chains = set(heads) | set(AuditRecord.objects.values_list("chain", flat=True).distinct())
    for chain in sorted(chains):
        problem = _verify_chain(chain, heads.get(chain))
        if problem is not None:
            yield problem


def _verify_chain(chain: str, head: AuditHead | None) -> Problem | None:
    prev = GENESIS
    expected = 1
    rows = AuditRecord.objects.filter(chain=chain).order_by("seq", "id")
    for row in rows.iterator(chunk_size=2000):
        if row.seq != expected:
            reason = "row missing before this one" if row.seq > expected else "duplicate seq"
            return Problem(chain, row.id, row.seq, reason)
        if row.prev_hash != prev:
            return Problem(
                chain, row.id, row.seq, "previous-hash link broken (row removed or moved)"
            )
        computed = row_hash(
            prev_hash=row.prev_hash,
            chain=row.chain,
            seq=row.seq,
            command_id=row.command_id,
            name=row.name,
            actor=row.actor,
            channel=row.channel,
            jurisdiction=row.jurisdiction,
            occurred_at=row.occurred_at,
            recorded_at=row.recorded_at,
            payload_digest=row.payload_digest,
            result_digest=row.result_digest,
        )
        if computed != row.hash:
            return Problem(chain, row.id, row.seq, "content does not match its hash (row edited)")
        prev = row.hash
        expected += 1
    if head is None:
        return Problem(chain, None, None, "chain head missing")
    if head.seq != expected - 1 or head.hash != prev:
        return Problem(chain, None, expected, "rows removed from the end of the chain")
    return None
