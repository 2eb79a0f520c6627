"""The periodic sweep's commands, one per petition so each is idempotent on its own and one
petition's failure stops nothing else: the automatic progress notice after 30 days, the
reminder before a deadline and the escalation of an overdue petition to the department head.
``minwon petitions_sweep`` decides which petitions need which, per jurisdiction."""

from __future__ import annotations

import dataclasses
from typing import Any

from minwon.kernel import formats
from minwon.kernel.bus import Context
from minwon.kernel.clock import local
from minwon.kernel.errors import Conflict
from minwon.kernel.registry import handler
from minwon.kernel.types import Command
from minwon.petitions import deadlines
from minwon.petitions.commands.common import (
    fmt,
    load_for_update,
    record_step,
    require_staff,
    result,
    save,
    tell_applicant,
)
from minwon.petitions.models import OPEN_STATES

PROGRESS_NOTICE_DAYS = 30
REMIND_WITHIN_HOURS = 8.0


def _not_due(what: str) -> Conflict:
    return Conflict(
        f"{what} 대상이 아닙니다.", f"Not due for {what}.", field="state", code="not_due"
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class SendProgressNotice(Command):
    """처리 진행 상황 안내: a petition still open 30 days after reception tells the
    applicant where it stands (and again every 30 days)."""

    receipt_number: str
    item: int = 1


@handler(SendProgressNotice)
def send_progress_notice(cmd: SendProgressNotice, *, ctx: Context) -> dict[str, Any]:
    petition = load_for_update(cmd.receipt_number, cmd.item)
    require_staff(ctx, petition, "petitions.process")
    now = local(ctx.occurred_at)
    last = petition.progress_noticed_at or petition.received_at
    if petition.state not in OPEN_STATES or (now - last).days < PROGRESS_NOTICE_DAYS:
        raise _not_due("진행 상황 안내")
    petition.progress_noticed_at = now
    save(petition, "progress_noticed_at")
    state = petition.get_state_display()
    record_step(ctx, petition, "progress_notice", public_note=f"진행 상황 안내: {state}")
    tell_applicant(
        ctx, petition, f"민원 처리 진행 상황 안내 ({petition.number})",
        f"{petition.type.name} 민원은 현재 '{state}' 단계입니다. 처리 부서: {petition.department}. "
        f"처리기한: {fmt(petition.deadline_at)}.",
    )  # fmt: skip
    return result(petition)


@dataclasses.dataclass(frozen=True, kw_only=True)
class RemindDeadline(Command):
    """처리기한 임박: less than a working day is left; the officer's queue and the
    department head's view flag it, and the event lets a mail receiver tell the officer."""

    receipt_number: str
    item: int = 1


@handler(RemindDeadline)
def remind_deadline(cmd: RemindDeadline, *, ctx: Context) -> dict[str, Any]:
    petition = load_for_update(cmd.receipt_number, cmd.item)
    require_staff(ctx, petition, "petitions.process")
    left = deadlines.working_hours_left(petition.deadline_at, ctx.occurred_at)
    if (
        petition.state not in OPEN_STATES
        or petition.paused_since is not None
        or petition.reminded_at is not None
        or not 0 < left <= REMIND_WITHIN_HOURS
    ):
        raise _not_due("기한 임박 알림")
    petition.reminded_at = ctx.recorded_at
    save(petition, "reminded_at")
    record_step(ctx, petition, "reminder", note=f"처리기한까지 {formats.time_left(left, 'ko')}")
    return result(petition, hours_left=round(left, 2))


@dataclasses.dataclass(frozen=True, kw_only=True)
class EscalateOverdue(Command):
    """처리기한 경과 보고: an overdue petition is reported to the department head once."""

    receipt_number: str
    item: int = 1


@handler(EscalateOverdue)
def escalate_overdue(cmd: EscalateOverdue, *, ctx: Context) -> dict[str, Any]:
    petition = load_for_update(cmd.receipt_number, cmd.item)
    require_staff(ctx, petition, "petitions.process")
    if (
        petition.state not in OPEN_STATES
        or petition.paused_since is not None
        or petition.escalated_at is not None
        or local(ctx.occurred_at) <= petition.deadline_at
    ):
        raise _not_due("기한 경과 보고")
    petition.escalated_at = ctx.recorded_at
    save(petition, "escalated_at")
    record_step(ctx, petition, "escalate", note=f"처리기한 {fmt(petition.deadline_at)} 경과")
    return result(petition)
