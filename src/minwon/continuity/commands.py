"""Continuity commands: the reconciliation queue (central), receipt blocks (central), the
operator's switch and the replica refresh (edge).

The edge's counter commands are not defined here: they are the other apps' ordinary
commands (``SubmitApplication``, ``ReportMoveIn`` …), executed on the edge and replayed on
central unchanged (see ``replay.py``).
"""

from __future__ import annotations

import dataclasses
import functools
import time
import uuid
from datetime import datetime
from typing import Any

from django.db import transaction

from minwon.continuity.permissions import ContinuityPermission
from minwon.kernel import jurisdictions
from minwon.kernel.bus import Context
from minwon.kernel.errors import Conflict, NotFound, ValidationFailed
from minwon.kernel.registry import handler
from minwon.kernel.types import Command, Continuity

from .models import EdgeState, ReceiptBlock, ReconciliationItem

RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # the petitions app's Crockford set


@dataclasses.dataclass(frozen=True, kw_only=True)
class QueueReconciliation(Command):
    """Central refused an edge's command on replay: keep it, with both sides, for a person
    (소급 적용 대기열). ``jurisdiction`` is the edge's office."""

    permission = ContinuityPermission.REPLAY
    edge_id: str
    original_id: uuid.UUID
    name: str
    payload: dict[str, Any]
    original_occurred_at: datetime
    edge_result: dict[str, Any] | list[Any] | None = None
    error_code: str
    error_message: str
    error_message_en: str = ""
    error_field: str = ""


@handler(QueueReconciliation)
def queue_reconciliation(cmd: QueueReconciliation, *, ctx: Context) -> dict[str, Any]:
    item, created = ReconciliationItem.objects.get_or_create(
        command_id=cmd.original_id,
        defaults={
            "edge_id": cmd.edge_id,
            "office": cmd.jurisdiction,
            "name": cmd.name,
            "payload": cmd.payload,
            "occurred_at": cmd.original_occurred_at,
            "edge_result": cmd.edge_result,
            "error_code": cmd.error_code[:40],
            "error_message": cmd.error_message[:500],
            "error_message_en": cmd.error_message_en[:500],
            "error_field": (cmd.error_field or "")[:120],
            "queued_at": ctx.recorded_at,
        },
    )
    return {"item_id": item.pk, "created": created}


@dataclasses.dataclass(frozen=True, kw_only=True)
class ResolveReconciliation(Command):
    """A person closes a queued item: ``retry`` executes the original command again (after
    the data was put right), otherwise the note records what was done by hand (e.g. the
    citizen was called and the move-in filed again)."""

    permission = ContinuityPermission.RECONCILE
    item_id: int
    retry: bool = False
    note: str = ""


@handler(ResolveReconciliation)
def resolve_reconciliation(cmd: ResolveReconciliation, *, ctx: Context) -> dict[str, Any]:
    item = ReconciliationItem.objects.select_for_update().filter(pk=cmd.item_id).first()
    if item is None or not jurisdictions.contains(cmd.jurisdiction, item.office):
        raise NotFound("대기 항목을 찾을 수 없습니다.", "No such queued item.", field="item_id")
    if item.state != ReconciliationItem.State.OPEN:
        raise Conflict("이미 처리된 항목입니다.", "This item is already closed.", field="item_id")
    note = cmd.note.strip()
    if not cmd.retry and not note:
        raise ValidationFailed(
            "처리 내용을 적어 주세요.", "Say what was done.", field="note", code="required"
        )
    if len(note) > 2000:
        raise ValidationFailed("처리 내용이 너무 깁니다.", "Note too long.", field="note")
    item.state = (
        ReconciliationItem.State.APPLIED if cmd.retry else ReconciliationItem.State.RESOLVED
    )
    item.resolved_at = ctx.recorded_at
    item.resolved_by = str(ctx.actor)
    item.resolution = note
    item.save(update_fields=["state", "resolved_at", "resolved_by", "resolution"])
    return {"item_id": item.pk, "state": item.state}


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReserveReceiptRange(Command):
    """Reserve to an edge node a block of receipt numbers (the first two characters of the
    random part) for its office, so numbers issued offline never collide between edges."""

    permission = ContinuityPermission.REPLAY
    edge_id: str


#: At most this many blocks share one receipt office code (a quarter of the 1,024), so
#: central's own random draw, which skips reserved blocks, needs 1.33 draws at worst.
MAX_BLOCKS = 256
#: How long a process trusts its copy of an office's reserved blocks.
BLOCKS_CACHE_SECONDS = 60.0
_blocks_cache: dict[str, tuple[float, frozenset[str]]] = {}


def _blocks_of(office_code: str) -> Any:
    """Blocks whose numbers share ``office_code``'s receipt prefix: receipt numbers carry
    only the first five digits of the office's code, so two edges of one 시·군·구 (the
    시 and a 동) must not hold the same block."""
    return ReceiptBlock.objects.filter(office__startswith=office_code[:5])


def reserved_prefixes(office_code: str) -> frozenset[str]:
    """The receipt blocks reserved to edges for numbers of ``office_code`` (one indexed
    read per office and process every ``BLOCKS_CACHE_SECONDS``). Installed as
    ``petitions.receipts.reserved_prefixes``: central's online draw skips these blocks, so
    a number it draws is never one an edge hands out offline.

    A block is reserved at the edge's first feed, long before it numbers anything offline,
    and the reserving process drops its copy at once; another process may draw in a new
    block for up to a minute, which could only collide with the same six-character counter
    suffix on the same day."""
    key = office_code[:5]
    now = time.monotonic()
    hit = _blocks_cache.get(key)
    if hit is not None and now - hit[0] < BLOCKS_CACHE_SECONDS:
        return hit[1]
    prefixes = frozenset(_blocks_of(key).values_list("prefix", flat=True))
    _blocks_cache[key] = (now, prefixes)
    return prefixes


def _forget_blocks(office_code: str) -> None:
    _blocks_cache.pop(office_code[:5], None)


@handler(ReserveReceiptRange)
def reserve_receipt_range(cmd: ReserveReceiptRange, *, ctx: Context) -> dict[str, Any]:
    existing = ReceiptBlock.objects.filter(edge_id=cmd.edge_id).first()
    if existing is not None:
        return {"prefix": existing.prefix, "office": existing.office}
    taken = set(_blocks_of(cmd.jurisdiction).values_list("prefix", flat=True))
    # Edge blocks are handed out from the end of the alphabet ("ZZ", "ZY", …).
    for first in reversed(RECEIPT_ALPHABET):
        for second in reversed(RECEIPT_ALPHABET):
            prefix = first + second
            if prefix not in taken and len(taken) < MAX_BLOCKS:
                ReceiptBlock.objects.create(
                    office=cmd.jurisdiction,
                    edge_id=cmd.edge_id,
                    prefix=prefix,
                    reserved_at=ctx.recorded_at,
                )
                # Forget this process's copy now and again once committed (a read in
                # between would have cached the set without the new block).
                _forget_blocks(cmd.jurisdiction)
                transaction.on_commit(functools.partial(_forget_blocks, cmd.jurisdiction))
                return {"prefix": prefix, "office": cmd.jurisdiction}
    raise Conflict(
        "예약할 접수번호 구간이 남아 있지 않습니다.", "No receipt block left.", field="edge_id"
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class SwitchContinuityMode(Command):
    """운영자 전환 (edge only): force continuity mode on (e.g. the network is known to be
    unreliable) or hand the decision back to the health probes."""

    continuity = Continuity.EDGE_ONLY

    permission = ContinuityPermission.SWITCH
    edge_id: str
    force: bool


@handler(SwitchContinuityMode)
def switch_continuity_mode(cmd: SwitchContinuityMode, *, ctx: Context) -> dict[str, Any]:
    updated = EdgeState.objects.filter(edge_id=cmd.edge_id).update(forced=cmd.force)
    if not updated:
        raise NotFound("거점 노드가 아닙니다.", "This is not an edge node.", field="edge_id")
    return {"edge_id": cmd.edge_id, "forced": cmd.force}
