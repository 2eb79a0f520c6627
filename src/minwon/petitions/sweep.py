"""Which petitions the sweep touches, jurisdiction by jurisdiction (see
``management/commands/petitions_sweep.py``). Each action is its own command with an id
derived from the petition and the occasion, so a second sweep replays instead of repeating.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from minwon.kernel import clock, execute
from minwon.kernel.errors import DomainError
from minwon.kernel.types import Actor, Channel, Command
from minwon.petitions import deadlines
from minwon.petitions.commands.sweep import (
    PROGRESS_NOTICE_DAYS,
    REMIND_WITHIN_HOURS,
    EscalateOverdue,
    RemindDeadline,
    SendProgressNotice,
)
from minwon.petitions.models import OPEN_STATES, Petition

log = logging.getLogger(__name__)
SWEEPER = Actor.system("petitions-sweep")


def _id(kind: str, petition: Petition, occasion: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"minwon:petitions:{kind}:{petition.pk}:{occasion}")


def _run(command: Command) -> bool:
    try:
        return not execute(command).replayed
    except DomainError as exc:  # not due any more (state moved since the query): skip
        log.info("sweep skipped %s: %s", command.command_name(), exc.message_en)
        return False


def sweep_jurisdiction(code: str, now: datetime) -> dict[str, int]:
    """Every due action for the open petitions of one jurisdiction."""
    counts = {"progress": 0, "reminders": 0, "escalations": 0}
    rows = (
        Petition.objects.filter(jurisdiction_id=code, state__in=OPEN_STATES)
        .select_related("application")
        .order_by("deadline_at")
    )
    for p in rows.iterator(chunk_size=500):
        base: dict[str, Any] = dict(actor=SWEEPER, channel=Channel.SYSTEM, jurisdiction=code,
                                    occurred_at=now, receipt_number=p.application.receipt_number,
                                    item=p.seq)  # fmt: skip
        last = p.progress_noticed_at or p.received_at
        if now - last >= timedelta(days=PROGRESS_NOTICE_DAYS):
            window = (now - p.received_at).days // PROGRESS_NOTICE_DAYS
            counts["progress"] += _run(
                SendProgressNotice(command_id=_id("progress", p, str(window)), **base)
            )
        if p.paused_since is not None:
            continue
        left = deadlines.working_hours_left(p.deadline_at, now)
        if p.reminded_at is None and 0 < left <= REMIND_WITHIN_HOURS:
            counts["reminders"] += _run(RemindDeadline(command_id=_id("remind", p, ""), **base))
        if p.escalated_at is None and now > p.deadline_at:
            counts["escalations"] += _run(
                EscalateOverdue(command_id=_id("escalate", p, ""), **base)
            )
    return counts


def jurisdictions_with_open_petitions() -> list[str]:
    return sorted(
        set(
            Petition.objects.filter(state__in=OPEN_STATES).values_list("jurisdiction_id", flat=True)
        )
    )


def run(only: Iterable[str] | None = None, now: datetime | None = None) -> dict[str, Any]:
    """Sweep each jurisdiction in isolation; an error is logged and reported, then the next
    jurisdiction is swept."""
    moment = now or clock.now()
    codes = list(only) if only else jurisdictions_with_open_petitions()
    report: dict[str, Any] = {}
    for code in codes:
        try:
            report[code] = sweep_jurisdiction(code, moment)
        except Exception as exc:
            log.exception("petition sweep failed for %s", code)
            report[code] = f"error: {type(exc).__name__}: {exc}"
    return report
