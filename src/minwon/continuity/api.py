"""Continuity API.

Central: ``GET /continuity/ping`` (health probe, public status for 대체 창구 안내),
``POST /continuity/replay`` (소급 적용), ``GET /continuity/feed`` (change feed) and
``POST /continuity/edges/status`` — the last three for an edge's agency key holding
``continuity.replay``. Edge only: ``POST /continuity/counter`` (the counter's command
gateway), ``GET /continuity/journal``, ``GET /continuity/state`` and, when the edge runs
with a fake clock for scripted tests, ``POST /continuity/clock``.
"""

from __future__ import annotations

import os
import uuid
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from minwon.accounts.actors import actor_for_request
from minwon.kernel import clock, execute, registry
from minwon.kernel.errors import NotFound, ValidationFailed
from minwon.kernel.types import Actor, Channel
from minwon.web.api import AUTH, ERRORS, AgencyKeyAuth, ErrorOut

from . import agent, feed, journal, policies, replay
from .commands import ReserveReceiptRange

router = Router(tags=["continuity"])


class EntryIn(Schema):
    seq: int
    name: str
    command_id: uuid.UUID
    occurred_at: datetime
    payload: dict[str, Any]
    edge_result: Any = None


class ReplayIn(Schema):
    edge_id: str
    entries: list[EntryIn]


class ReplayOut(Schema):
    outcomes: list[dict[str, Any]]


class FeedOut(Schema):
    cursor: int
    changed: bool
    receipt_prefix: str
    objects: list[dict[str, Any]]


class ForwardIn(Schema):
    edge_id: str
    name: str
    command_id: uuid.UUID
    payload: dict[str, Any]


class ForwardOut(Schema):
    command_id: uuid.UUID
    replayed: bool
    recorded_at: datetime
    result: Any
    objects: list[dict[str, Any]]


class PingOut(Schema):
    ok: bool
    time: datetime
    public_status: dict[str, Any]


class StatusIn(Schema):
    edge_id: str
    mode: str
    mode_since: datetime
    journal_length: int
    last_sync_at: datetime | None = None
    version: str = ""
    message: str = ""


class CounterIn(Schema):
    command: str
    payload: dict[str, Any]


class CounterOut(Schema):
    command_id: uuid.UUID
    mode: str
    replayed: bool
    result: Any


class ClockIn(Schema):
    now: datetime


def _edge_client(request: HttpRequest, edge_id: str) -> tuple[Actor, str]:
    """The calling edge's actor and office; 403 unless its key holds continuity.replay."""
    actor = actor_for_request(request)
    client = getattr(request, "auth", None)
    office = policies.require_edge_key(actor, getattr(client, "jurisdiction_id", None))
    if not edge_id or len(edge_id) > 60:
        raise ValidationFailed("거점 ID가 올바르지 않습니다.", "Bad edge_id.", field="edge_id")
    return actor, office


def _public_status() -> dict[str, Any]:
    try:
        from minwon.ops.queries import public_status
    except ImportError:
        return {}
    try:
        status = public_status()
    except Exception:  # the ops tables may be missing on a fresh edge: no advice, not a 500
        return {}
    updated = status.get("updated_at")
    if isinstance(updated, datetime):
        status["updated_at"] = updated.isoformat()
    return status


@router.get("/continuity/ping", auth=None, response=PingOut, operation_id="ContinuityPing")
def ping(request: HttpRequest) -> dict[str, Any]:
    """Health probe for edge nodes, with the public status (대체 창구 안내)."""
    return {"ok": True, "time": clock.now(), "public_status": _public_status()}


@router.post(
    "/continuity/replay",
    auth=[AgencyKeyAuth()],
    response={200: ReplayOut, **ERRORS},
    operation_id="ContinuityReplay",
)
def replay_journal(request: HttpRequest, body: ReplayIn) -> dict[str, Any]:
    """소급 적용: execute an edge's journal entries in order (idempotent)."""
    actor, office = _edge_client(request, body.edge_id)
    if len(body.entries) > replay.MAX_BATCH:
        raise ValidationFailed(
            f"한 번에 {replay.MAX_BATCH}건까지 보낼 수 있습니다.",
            f"At most {replay.MAX_BATCH} entries per request.",
            field="entries",
        )
    entries = [replay.Entry(**e.dict()) for e in body.entries]
    return {
        "outcomes": replay.apply_batch(
            edge_id=body.edge_id, office=office, agent=actor, entries=entries
        )
    }


@router.post(
    "/continuity/forward",
    auth=[AgencyKeyAuth()],
    response={200: ForwardOut, **ERRORS},
    operation_id="ContinuityForward",
)
def forward_command(request: HttpRequest, body: ForwardIn) -> dict[str, Any]:
    """Normal mode at an edge: execute one counter command here and now (certificates, so
    central issues and signs them); a refusal comes back to the clerk as it is."""
    actor, office = _edge_client(request, body.edge_id)
    return replay.forward(
        edge_id=body.edge_id,
        office=office,
        agent=actor,
        name=body.name,
        command_id=body.command_id,
        payload=body.payload,
    )


@router.get(
    "/continuity/feed",
    auth=[AgencyKeyAuth()],
    response={200: FeedOut, **ERRORS},
    operation_id="ContinuityFeed",
)
def change_feed(request: HttpRequest, edge_id: str, after: int = 0) -> dict[str, Any]:
    """The office's working set when anything changed after ``after`` (see feed.py)."""
    actor, office = _edge_client(request, edge_id)
    if after < 0:
        raise ValidationFailed("after는 0 이상이어야 합니다.", "after must be >= 0.", field="after")
    block = execute(
        ReserveReceiptRange(
            actor=actor,
            channel=Channel.EDGE,
            jurisdiction=office,
            command_id=uuid.uuid5(uuid.NAMESPACE_URL, f"minwon:receipt-block:{edge_id}"),
            edge_id=edge_id,
        )
    )
    answer = feed.build(office, after)
    answer["receipt_prefix"] = block.value["prefix"]
    return answer


@router.post(
    "/continuity/edges/status",
    auth=[AgencyKeyAuth()],
    response={200: dict[str, Any], **ERRORS},
    operation_id="ContinuityEdgeStatus",
)
def edge_status(request: HttpRequest, body: StatusIn) -> dict[str, Any]:
    """An edge reports its mode and journal length to the situation room (ops)."""
    actor, office = _edge_client(request, body.edge_id)
    cls = registry.commands_by_name.get("ReportEdgeStatus")
    if cls is None:
        return {"recorded": False}
    mode = {"normal": "online", "reconciling": "continuity"}.get(body.mode, body.mode)
    values = {**body.dict(), "office": office, "mode": mode}
    import dataclasses

    names = {f.name for f in dataclasses.fields(cls)}
    kwargs = {k: v for k, v in values.items() if k in names}
    try:
        execute(cls(actor=actor, channel=Channel.EDGE, jurisdiction=office, **kwargs))
    except TypeError:
        return {"recorded": False}
    return {"recorded": True}


# ------------------------------------------------------------------------------ edge only


def _running_edge() -> agent.Agent:
    if agent.current is None:
        raise NotFound("거점 노드가 아닙니다.", "This server is not an edge node.")
    return agent.current


@router.post(
    "/continuity/counter",
    auth=AUTH,
    response={200: CounterOut, **ERRORS},
    operation_id="ContinuityCounter",
)
def counter(request: HttpRequest, body: CounterIn) -> dict[str, Any]:
    """The counter's command gateway on an edge: run a command locally (journaled) as the
    logged-in clerk; receipt numbers come from the edge's reserved block."""
    from . import gateway

    edge = _running_edge()
    actor = actor_for_request(request)
    result = gateway.run(edge, actor, body.command, body.payload)
    return {
        "command_id": result.command_id,
        "mode": edge.mode,
        "replayed": result.replayed,
        "result": result.value,
    }


@router.get(
    "/continuity/journal",
    auth=AUTH,
    response={200: dict[str, Any], **ERRORS},
    operation_id="ContinuityJournal",
)
def journal_ids(request: HttpRequest) -> dict[str, Any]:
    """Every journaled command id on this edge and how many are not yet pushed."""
    edge = _running_edge()
    actor = actor_for_request(request)
    policies.require_counter(actor, edge.config.office)
    state = edge.state()
    return {"ids": journal.all_ids(), "pending": journal.length(state.pushed_rowid)}


@router.get(
    "/continuity/state",
    auth=None,
    response={200: dict[str, Any], 404: ErrorOut},
    operation_id="ContinuityEdgeState",
    summary="거점 서버 상태 (an edge's mode; 404 on a server that is not an edge)",
)
def edge_state(request: HttpRequest) -> dict[str, Any]:
    """The edge's mode (for the counter's banner script and for tests)."""
    edge = _running_edge()
    state = edge.state()
    return {
        "edge_id": edge.config.edge_id,
        "office": edge.config.office,
        "mode": edge.mode,
        "forced": state.forced,
        "pending": journal.length(state.pushed_rowid),
        "queued": state.queued,
        "last_sync_at": state.last_sync_at.isoformat() if state.last_sync_at else None,
    }


@router.post(
    "/continuity/clock",
    auth=None,
    response={200: dict[str, Any], **ERRORS},
    operation_id="ContinuityFakeClock",
)
def fake_clock(request: HttpRequest, body: ClockIn) -> dict[str, Any]:
    """Scripted scenarios only (edge started with MINWON_EDGE_FAKE_CLOCK=1): move the clock."""
    _running_edge()
    if os.environ.get("MINWON_EDGE_FAKE_CLOCK") != "1":
        raise NotFound("사용할 수 없습니다.", "Not available.")
    from datetime import datetime as real

    clock.set_offset(clock.local(body.now) - real.now(clock.SEOUL))
    return {"now": clock.now().isoformat()}
