"""The audit chain moves from an unkeyed SHA-256 to an HMAC with a key outside the database.

Rows written before are re-hashed once, chain by chain, after checking that their chain is
still intact under the old hash: a chain already broken is refused (run the previous
release's ``minwon audit verify`` to see where) rather than re-hashed, which would launder
it. Reversing re-hashes back the same way.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import UTC
from typing import Any

from django.db import migrations

GENESIS = "0" * 64
Hash = Callable[[str, bytes], str]


def _unkeyed(prev: str, body: bytes) -> str:
    return hashlib.sha256(prev.encode() + body).hexdigest()


def _keyed(prev: str, body: bytes) -> str:
    from minwon.kernel.rrn import derived_key

    key = derived_key(b"minwon audit chain hmac v1")
    return hmac.digest(key, prev.encode() + body, "sha256").hex()


def _body(row: Any) -> bytes:
    from minwon.kernel.types import canonical

    return canonical(
        {
            "chain": row.chain, "seq": row.seq, "command_id": str(row.command_id),
            "name": row.name, "actor": row.actor, "channel": row.channel,
            "jurisdiction": row.jurisdiction,
            "occurred_at": row.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "recorded_at": row.recorded_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "payload_digest": row.payload_digest, "result_digest": row.result_digest,
        }
    )  # fmt: skip


def _rehash(apps: Any, old: Hash, new: Hash) -> None:
    record = apps.get_model("kernel", "AuditRecord")
    head = apps.get_model("kernel", "AuditHead")
    chains = record.objects.values_list("chain", flat=True).distinct().order_by("chain")
    for chain in list(chains):
        old_prev = new_prev = GENESIS
        changed = []
        for row in record.objects.filter(chain=chain).order_by("seq").iterator(chunk_size=2000):
            body = _body(row)
            if row.prev_hash != old_prev or row.hash != old(old_prev, body):
                raise RuntimeError(
                    f"audit chain {chain} is broken at seq {row.seq} (row id {row.id}); "
                    "it is not re-hashed. Investigate before migrating."
                )
            old_prev = row.hash
            row.prev_hash, row.hash = new_prev, new(new_prev, body)
            new_prev = row.hash
            changed.append(row)
        record.objects.bulk_update(changed, ["prev_hash", "hash"], batch_size=500)
        tip = head.objects.filter(chain=chain).first()
        if tip is None or tip.hash != old_prev:
            raise RuntimeError(f"audit chain {chain}: its head is missing or rewound")
        tip.hash = new_prev
        tip.save(update_fields=["hash"])


def forwards(apps: Any, schema_editor: Any) -> None:
    _rehash(apps, _unkeyed, _keyed)


def backwards(apps: Any, schema_editor: Any) -> None:
    _rehash(apps, _keyed, _unkeyed)


class Migration(migrations.Migration):
    dependencies = [("kernel", "0002_audit_stripes")]

    operations = [migrations.RunPython(forwards, backwards, elidable=True)]
