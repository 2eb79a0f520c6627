"""The edge's journal: every command the edge executed for the counter, in order.

It is the edge's ``kernel_commandrecord`` table read in insertion order (SQLite ``rowid``):
``execute()`` writes the record in the command's own transaction, and on an edge every
SQLite connection runs with ``PRAGMA synchronous=FULL`` (see ``durable``), so the commit —
and with it the journal entry — is fsynced before the counter sees the answer. Commands of
the system channel (loading divisions, …) and edge-local commands are not journaled.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.backends.signals import connection_created

from minwon.kernel import registry
from minwon.kernel.clock import local
from minwon.kernel.types import Continuity

EDGE_ENV = "MINWON_EDGE_OFFICE"


def is_edge() -> bool:
    return bool(os.environ.get(EDGE_ENV))


def durable(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Connection hook (edge only): fsync every commit, so journaled means on disk."""
    if connection.vendor == "sqlite" and is_edge():
        with connection.cursor() as cur:
            cur.execute("PRAGMA synchronous=FULL")


def install() -> None:
    connection_created.connect(durable, dispatch_uid="minwon-continuity-durable")


_COLUMNS = "rowid, command_id, name, payload, result, occurred_at, channel"


def _row(row: tuple[Any, ...]) -> dict[str, Any]:
    import json

    rowid, cid, name, payload, result, occurred_at, _channel = row
    when = (
        occurred_at
        if isinstance(occurred_at, datetime)
        else datetime.fromisoformat(str(occurred_at))
    )
    if when.tzinfo is None:  # SQLite keeps Django's datetimes as naive UTC text
        when = when.replace(tzinfo=UTC)
    return {
        "seq": int(rowid),
        "command_id": str(uuid.UUID(str(cid))),
        "name": name,
        "payload": json.loads(payload) if isinstance(payload, str) else payload,
        "edge_result": json.loads(result) if isinstance(result, str) else result,
        "occurred_at": local(when).isoformat(),
    }


def _where() -> tuple[str, list[Any]]:
    names = sorted(
        name
        for name, cls in registry.commands_by_name.items()
        if cls.continuity == Continuity.EDGE_ONLY
    )
    marks = ", ".join(["%s"] * len(names))
    return f"rowid > %s AND channel <> 'system' AND name NOT IN ({marks})", names


def pending(after: int, limit: int = 500) -> list[dict[str, Any]]:
    """Journal entries after position ``after``, oldest first."""
    where, params = _where()
    with connection.cursor() as cur:
        cur.execute(
            # Only constants are interpolated; values are parameters.
            f"SELECT {_COLUMNS} FROM kernel_commandrecord WHERE {where} ORDER BY rowid LIMIT %s",  # noqa: S608
            [after, *params, limit],
        )
        rows = [_row(r) for r in cur.fetchall()]
    return [_issued_document(e) if e["name"] == "IssueCertificate" else e for e in rows]


def _issued_document(entry: dict[str, Any]) -> dict[str, Any]:
    """A certificate the edge issued travels as the document itself.

    Central must record the document the citizen holds (same number, code and signed
    bytes), not issue another, so the entry is sent as the documents app's
    ``EnterContinuityIssuance`` with the edge's ledger row and PDF, under the original
    command id and time. An issuance the edge's ledger does not have (refused, so never
    journaled) cannot occur; the entry is then sent as it is and central decides."""
    import base64

    from minwon.documents import sealing
    from minwon.documents.commands import LEDGER_FIELDS
    from minwon.documents.models import Issuance, IssuedFile

    row = Issuance.objects.filter(command_id=entry["command_id"]).values(*LEDGER_FIELDS).first()
    if row is None:
        return entry
    stored = IssuedFile.objects.filter(issuance__command_id=entry["command_id"]).values_list(
        "pdf", flat=True
    )[0]
    pdf = sealing.open_pdf(row["document_number"], stored)
    row["issued_at"] = local(row["issued_at"]).isoformat()
    payload = {k: entry["payload"][k] for k in ("actor", "channel", "jurisdiction")}
    payload.update(ledger=row, pdf_base64=base64.b64encode(bytes(pdf)).decode())
    return {**entry, "name": "EnterContinuityIssuance", "payload": payload}


def length(after: int) -> int:
    where, params = _where()
    with connection.cursor() as cur:
        cur.execute(f"SELECT COUNT(*) FROM kernel_commandrecord WHERE {where}", [after, *params])  # noqa: S608
        return int(cur.fetchone()[0])


def all_ids() -> list[str]:
    """Every journaled command id (pushed or not), for checks after a crash."""
    where, params = _where()
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT command_id FROM kernel_commandrecord WHERE {where} ORDER BY rowid",  # noqa: S608
            [0, *params],
        )
        return [str(uuid.UUID(str(r[0]))) for r in cur.fetchall()]
