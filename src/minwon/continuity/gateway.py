"""The counter's command gateway on an edge node.

The counter names a command type and its fields; the gateway builds the kernel command as
the logged-in clerk, at the counter, in the edge's office, checks what continuity mode
allows, gives offline receipts a number from the office's reserved block, and runs it with
``execute()`` on the edge's database (journaled, see ``journal.py``).

In continuity mode only the kinds in ``CONTINUITY_ALLOWED`` run; everything else is refused
with the alternative (대체 창구 안내) taken from central's last public status.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

from minwon.kernel import clock, execute, jurisdictions, registry
from minwon.kernel.bus import Result
from minwon.kernel.errors import Conflict, Forbidden, ValidationFailed
from minwon.kernel.types import Actor, ActorKind, Channel

from .agent import NORMAL, Agent

#: What an office can do safely on its replica while central is away.
CONTINUITY_ALLOWED = frozenset(
    {"SubmitApplication", "ReportMoveIn", "RegisterPerson", "IssueCertificate"}
)

#: Certificates an edge may issue in continuity mode, and how old its replica may be
#: (time since the last successful sync). Resident registration changes rarely and the
#: edge holds the office's residents; the other registers are not replicated (refused).
CERT_FRESHNESS = {
    "resident_copy": timedelta(days=3),
    "resident_abstract": timedelta(days=3),
}


def _certificate(edge: Agent, payload: dict[str, Any]) -> None:
    """Certificates on an edge: only in continuity mode, only types whose data is fresh
    enough, always marked and signed as continuity-mode documents."""
    if edge.mode == NORMAL:
        raise Conflict(
            "정상 운영 중에는 증명서를 중앙 시스템의 발급 화면에서 발급합니다.",
            "While central is up, certificates are issued on central's documents page.",
            field="command",
            code="issue_on_central",
        )
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


def run(edge: Agent, actor: Actor, name: str, fields: dict[str, Any]) -> Result:
    if actor.kind != ActorKind.STAFF:
        raise Forbidden("직원만 사용할 수 있습니다.", "Staff only.", code="permission_denied")
    cls = registry.commands_by_name.get(name)
    if cls is None:
        raise ValidationFailed(
            f"알 수 없는 업무입니다: {name}", f"Unknown command: {name}", field="command"
        )
    if edge.mode != NORMAL and name not in CONTINUITY_ALLOWED:
        raise Conflict(
            f"중앙 시스템 장애로 지금 이 업무는 처리할 수 없습니다. {alternative(edge)}",
            "Not available in continuity mode; see the alternative channel.",
            field="command",
            code="continuity_refused",
            details={"alternative": alternative(edge)},
        )
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
    return execute(command)
