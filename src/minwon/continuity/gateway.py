"""The counter's command gateway on an edge node.

The counter names a command type and its fields; the gateway builds the kernel command as
the logged-in clerk, at the counter, in the edge's office, checks what continuity mode
allows, gives offline receipts a number from the office's reserved block, and runs it with
``execute()`` on the edge's database (journaled, see ``journal.py``).

Each command type says what an edge may do with it (``Command.continuity``): in continuity
mode only ``local`` and ``forward`` types run; everything else is refused with the
alternative (대체 창구 안내) taken from central's last public status. The edge's pipeline
stage (``stages.at_edge``) holds the same rule for every other way a command is executed
on the edge.

Certificates are the exception in normal mode: the document is the product, and it must be
central's (central's key, central's ledger, ``mode=normal``), so ``IssueCertificate`` is
forwarded to central and executed there at once (``forward``); the edge keeps a copy of
central's ledger row and PDF so the clerk prints it and it verifies at the edge. Other
counter pages on the edge reach the same policy through ``at_counter``.
"""

from __future__ import annotations

import dataclasses
import json
import urllib.error
import uuid
from datetime import datetime, timedelta
from typing import Any

from minwon.kernel import clock, execute, jurisdictions, registry
from minwon.kernel.bus import Result
from minwon.kernel.errors import (
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    ValidationFailed,
)
from minwon.kernel.types import Actor, Channel, Command, Continuity

from . import agent, feed, policies
from .agent import NORMAL, Agent, CentralUnavailable

#: How long the clerk waits for central to issue a forwarded certificate.
FORWARD_TIMEOUT = 10.0

#: What an office can do on its replica while central is away.
AT_EDGE = (Continuity.LOCAL, Continuity.FORWARD)

#: Certificates an edge may issue in continuity mode, and how old its replica may be
#: (time since the last successful sync). Resident registration changes rarely and the
#: edge holds the office's residents; the other registers are not replicated (refused).
CERT_FRESHNESS = {
    "resident_copy": timedelta(days=3),
    "resident_abstract": timedelta(days=3),
}


def _certificate(edge: Agent, payload: dict[str, Any]) -> None:
    """Certificates on an edge: in normal mode central issues them (forwarded, see
    ``forward``); in continuity mode only types whose data is fresh enough, always marked
    and signed as continuity-mode documents."""
    if edge.mode == NORMAL:
        payload["mode"] = "normal"
        return
    bound = CERT_FRESHNESS.get(str(payload.get("cert_type", "")))
    synced = edge.state().last_sync_at
    if bound is None or synced is None or clock.now() - synced > bound:
        raise Conflict(
            f"거점 자료가 오래되어 이 증명서는 발급할 수 없습니다. {alternative(edge)}",
            "This certificate cannot be issued from the edge's data now; "
            "see the alternative channel.",
            field="cert_type",
            code="continuity_refused",
            details={"alternative": alternative(edge)},
        )
    payload["mode"] = "continuity"


def alternative(edge: Agent) -> str:
    """대체 창구 안내: the public status text of central's incidents, or the standing advice."""
    texts = [
        i.get("public_status", "")
        for i in (edge.public_status or {}).get("incidents", [])
        if i.get("public_status")
    ]
    if texts:
        return " / ".join(texts)
    return "정부24(www.gov.kr) 온라인 발급 또는 가까운 다른 주민센터를 이용해 주세요."


def refused(edge: Agent) -> Conflict:
    """The counter cannot do this here: where the citizen can (대체 창구 안내)."""
    return Conflict(
        f"중앙 시스템에서만 처리하는 업무입니다. {alternative(edge)}"
        if edge.mode == NORMAL
        else f"중앙 시스템 장애로 지금 이 업무는 처리할 수 없습니다. {alternative(edge)}",
        "Not available at this office's edge node; see the alternative channel.",
        field="command",
        code="continuity_refused",
        details={"alternative": alternative(edge)},
    )


def run(edge: Agent, actor: Actor, name: str, fields: dict[str, Any]) -> Result:
    policies.require_staff(actor)
    cls = registry.commands_by_name.get(name)
    if cls is None:
        raise ValidationFailed(
            f"알 수 없는 업무입니다: {name}", f"Unknown command: {name}", field="command"
        )
    if cls.continuity not in AT_EDGE:
        raise refused(edge)
    payload = {k: v for k, v in fields.items() if k not in ("actor", "channel")}
    payload.setdefault("jurisdiction", edge.config.office)
    if not jurisdictions.contains(edge.config.office, str(payload["jurisdiction"])):
        raise Forbidden(
            "이 거점의 관할 밖입니다.", "Outside this edge's office.", field="jurisdiction"
        )
    payload["actor"] = {"kind": actor.kind.value, "id": actor.id, "name": actor.name}
    payload["channel"] = Channel.COUNTER.value
    names = {f.name for f in dataclasses.fields(cls)}
    if name == "IssueCertificate":
        _certificate(edge, payload)
    if "receipt_random" in names and not payload.get("receipt_random"):
        payload["receipt_random"] = edge.next_receipt_random()
    try:
        command = cls.from_json(payload)
    except ValueError as exc:
        raise ValidationFailed(
            "입력값이 올바르지 않습니다.", f"Invalid fields: {str(exc)[:300]}", field="payload"
        ) from None
    if cls.continuity == Continuity.FORWARD and edge.mode == NORMAL:
        return forward(edge, command)
    return execute(command)


def at_counter(command: Command) -> Result:
    """Execute a counter page's command under the edge's policy (``execute`` on central).

    For pages of other apps that build their command themselves (the documents counter
    page): on an edge in normal mode a forwarded kind goes to central; in continuity mode a
    certificate is checked against ``CERT_FRESHNESS`` and issued as a continuity-mode
    document. The mode is read here, once, so a page that read it a moment earlier cannot
    issue a normal-mode document locally."""
    edge = agent.current
    if edge is None:
        return execute(command)
    name = command.command_name()
    if name == "IssueCertificate":
        payload = {"cert_type": getattr(command, "cert_type", "")}
        _certificate(edge, payload)
        command = dataclasses.replace(command, mode=payload["mode"])  # type: ignore[call-arg]
    if command.continuity == Continuity.FORWARD and edge.mode == NORMAL:
        return forward(edge, command)
    return execute(command)


_ERRORS: dict[int, type[DomainError]] = {
    400: ValidationFailed,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
}


def forward(edge: Agent, command: Command) -> Result:
    """Have central execute ``command`` now (normal mode) and keep a copy of what it made.

    Central's refusal comes back as the same error (status, message, field). If central
    does not answer, the breaker opens (continuity mode) and the clerk is asked to issue
    again: the retry is a new continuity-mode document, and no document is issued twice
    under one command id. Nothing is journaled here: the command lives on central."""
    body = {
        "edge_id": edge.config.edge_id,
        "name": command.command_name(),
        "command_id": str(command.command_id),
        "payload": command.to_json(),
    }
    try:
        answer = edge.central.call("POST", "/api/continuity/forward", body, timeout=FORWARD_TIMEOUT)
    except CentralUnavailable as exc:
        edge.trip(f"forward: {exc}")
        raise Conflict(
            "중앙 시스템이 응답하지 않아 연속성 모드로 전환했습니다. 다시 요청해 주세요.",
            "Central did not answer; the counter is now in continuity mode. Please retry.",
            field="command",
            code="central_unavailable",
        ) from None
    except urllib.error.HTTPError as exc:
        raise _central_refusal(exc) from None
    feed.keep(answer.get("objects") or [])
    return Result(
        command_id=uuid.UUID(str(answer["command_id"])),
        value=answer["result"],
        replayed=bool(answer["replayed"]),
        recorded_at=datetime.fromisoformat(str(answer["recorded_at"])),
    )


def _central_refusal(exc: urllib.error.HTTPError) -> DomainError:
    """Central's 4xx answer as the domain error it was there."""
    try:
        body = json.loads(exc.read() or b"{}")
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    cls = _ERRORS.get(exc.code, DomainError)
    return cls(
        str(body.get("message") or "중앙 시스템이 요청을 거부했습니다."),
        str(body.get("message_en") or f"Central refused the request (HTTP {exc.code})."),
        field=body.get("field"),
        code=body.get("code") or None,
        details=body.get("details") if isinstance(body.get("details"), dict) else None,
    )
