"""The workflow of one petition: received → assigned → in review ⇄ supplement requested →
decided → notified/delivered, with transfer (이송), withdrawal (취하), extension (연장),
return after an unanswered supplement request (반려) and closure (종결).

Every transition is a command naming the petition by receipt number and item; a transition
the current state does not allow is a 409 that names both.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from typing import Any

from minwon.kernel import calendar, formats
from minwon.kernel.bus import Context
from minwon.kernel.clock import local
from minwon.kernel.errors import Conflict, ValidationFailed
from minwon.kernel.registry import handler, register_event
from minwon.kernel.types import Command, Continuity, Event, RoomCategory
from minwon.petitions import deadlines, files
from minwon.petitions.commands import transfer
from minwon.petitions.commands.common import (
    attach,
    ensure_state,
    fmt,
    load_for_update,
    recompute_deadline,
    record_step,
    require_applicant_or,
    require_staff,
    result,
    save,
    tell_applicant,
    tell_result,
)
from minwon.petitions.files import AttachmentRef
from minwon.petitions.models import OPEN_STATES, Attachment, Petition

S = Petition.State
REMEDIES = (
    "이 처분에 이의가 있으면 처분이 있음을 안 날부터 90일 이내에 행정심판(행정심판법 제27조) "
    "또는 행정소송(행정소송법 제20조)을 제기할 수 있습니다. 거부 처분에는 통지를 받은 날부터 "
    "60일 이내에 이의신청(민원 처리에 관한 법률 제35조)을 할 수도 있습니다."
)


@dataclasses.dataclass(frozen=True, kw_only=True)
class PetitionCommand(Command):
    """Base of the transitions: which petition (receipt number and item) and why."""

    receipt_number: str
    item: int = 1
    reason: str = ""


def _reason(cmd: PetitionCommand, *, required: bool) -> str:
    text = cmd.reason.strip()
    if required and not text:
        raise ValidationFailed("사유를 입력하세요.", "A reason is required.", field="reason")
    if len(text) > 2000:
        raise ValidationFailed(
            "사유는 2,000자 이내로 입력하세요.", "Reason too long.", field="reason"
        )
    return text


def _close_pause(petition: Petition, at: datetime) -> None:
    if petition.paused_since is not None:
        start = petition.paused_since
        petition.pauses = [*petition.pauses, [start.isoformat(), max(at, start).isoformat()]]
        petition.paused_since = None
        petition.deadline_at = recompute_deadline(petition)


@dataclasses.dataclass(frozen=True, kw_only=True)
class AssignPetition(PetitionCommand):
    """배정: hand the petition to a department and an officer (re-assignment allowed while
    it is open and not waiting for the applicant)."""

    department: str = ""
    officer_id: int | None = None


@handler(AssignPetition)
def assign_petition(cmd: AssignPetition, *, ctx: Context) -> dict[str, Any]:
    from minwon.accounts.models import RoleGrant, User
    from minwon.kernel import jurisdictions

    petition = load_for_update(cmd.receipt_number, cmd.item)
    require_staff(ctx, petition, "petitions.assign")
    ensure_state(petition, "assign", (S.RECEIVED, S.ASSIGNED, S.IN_REVIEW))
    officer = None
    if cmd.officer_id is not None:
        officer = User.objects.filter(
            pk=cmd.officer_id, kind=User.Kind.STAFF, is_active=True
        ).first()
        scopes = RoleGrant.objects.filter(
            user_id=cmd.officer_id, role__in=("officer", "department_head")
        ).values_list("jurisdiction_id", flat=True)
        if officer is None or not any(
            jurisdictions.contains(s, petition.jurisdiction_id) for s in scopes
        ):
            raise ValidationFailed(
                "이 민원을 처리할 수 있는 담당자가 아닙니다.",
                "This officer cannot process petitions here.",
                field="officer_id",
            )
    department = cmd.department.strip()[:60] or petition.department
    petition.department = department
    petition.officer = officer
    if petition.state == S.RECEIVED:
        petition.state = S.ASSIGNED
    save(petition, "department", "officer", "state")
    who = officer.get_full_name() if officer else "-"
    record_step(ctx, petition, "assign", note=f"담당자 {who}. {_reason(cmd, required=False)}",
                public_note=f"{department} 배정")  # fmt: skip
    return result(petition, department=department, officer_id=cmd.officer_id)


@dataclasses.dataclass(frozen=True, kw_only=True)
class StartReview(PetitionCommand):
    """검토 시작: the officer takes the petition up."""


@handler(StartReview)
def start_review(cmd: StartReview, *, ctx: Context) -> dict[str, Any]:
    petition = load_for_update(cmd.receipt_number, cmd.item)
    require_staff(ctx, petition, "petitions.process")
    ensure_state(petition, "start_review", (S.RECEIVED, S.ASSIGNED))
    petition.state = S.IN_REVIEW
    save(petition, "state")
    record_step(ctx, petition, "start_review", public_note="담당자 검토 중")
    return result(petition)


@dataclasses.dataclass(frozen=True, kw_only=True)
class RequestSupplement(PetitionCommand):
    """보완 요구 (시행령 제22조): what is missing and the applicant's own deadline. The
    processing clock stops until the supplement arrives. A second request after the first
    deadline passed unanswered is the 재보완 요구 of 시행령 제24조."""

    items_needed: list[str]
    due_date: date


@handler(RequestSupplement)
def request_supplement(cmd: RequestSupplement, *, ctx: Context) -> dict[str, Any]:
    petition = load_for_update(cmd.receipt_number, cmd.item)
    require_staff(ctx, petition, "petitions.process")
    ensure_state(petition, "request_supplement", (S.ASSIGNED, S.IN_REVIEW, S.SUPPLEMENT))
    now = local(ctx.occurred_at)
    if (
        petition.state == S.SUPPLEMENT
        and petition.supplement_due
        and now <= petition.supplement_due
    ):
        raise Conflict(
            "이전 보완 기한이 지나지 않았습니다.",
            "The earlier supplement deadline has not passed yet.",
            field="due_date",
            code="supplement_pending",
        )
    needed = [s.strip()[:200] for s in cmd.items_needed if s.strip()]
    if not needed:
        raise ValidationFailed(
            "보완할 내용을 입력하세요.", "Say what must be supplemented.", field="items_needed"
        )
    if cmd.due_date <= now.date() or cmd.due_date > now.date() + timedelta(days=90):
        raise ValidationFailed(
            "보완 기한은 내일부터 90일 이내의 날짜여야 합니다.",
            "The supplement deadline must be between tomorrow and 90 days.",
            field="due_date",
        )
    if petition.paused_since is None:
        petition.paused_since = now
    petition.state = S.SUPPLEMENT
    petition.supplement_due = deadlines.end_of_day(cmd.due_date)
    petition.supplement_requests += 1
    save(petition, "state", "paused_since", "supplement_due", "supplement_requests")
    items_text = ", ".join(needed)
    record_step(ctx, petition, "request_supplement", note=_reason(cmd, required=False),
                public_note=f"보완 요구: {items_text} (기한 {cmd.due_date:%Y-%m-%d})")  # fmt: skip
    tell_applicant(
        ctx, petition, f"민원 보완 요구 ({petition.number})",
        f"{petition.type.name} 민원의 처리를 위해 다음 사항을 {cmd.due_date:%Y-%m-%d}까지 "
        f"보완해 주십시오: {items_text}. 보완하는 동안 처리기간은 멈춥니다.",
    )  # fmt: skip
    return result(petition, supplement_due=petition.supplement_due.isoformat())


@dataclasses.dataclass(frozen=True, kw_only=True)
class SubmitSupplement(PetitionCommand):
    """보완 제출: the applicant (online) or a clerk (counter) hands in what was asked; the
    clock resumes and the deadline moves by the time it stood still."""

    documents: list[str] = dataclasses.field(default_factory=list)
    note: str = ""
    #: Files handed in with the 보완, stored before the command (``petitions.files``).
    attachments: list[AttachmentRef] = dataclasses.field(default_factory=list)


@handler(SubmitSupplement)
def submit_supplement(cmd: SubmitSupplement, *, ctx: Context) -> dict[str, Any]:
    petition = load_for_update(cmd.receipt_number, cmd.item)
    require_applicant_or(ctx, petition, "petitions.intake")
    ensure_state(petition, "supplement", (S.SUPPLEMENT,))
    note = cmd.note.strip()[:2000]
    handed = [d.strip()[:200] for d in cmd.documents if d.strip()]
    if not note and not handed and not cmd.attachments:
        raise ValidationFailed(
            "보완 내용이나 서류를 입력하세요.",
            "Give the supplement (text or documents).",
            field="note",
        )
    files.check_refs(cmd.attachments, field="attachments")
    _close_pause(petition, local(ctx.occurred_at))
    petition.state = S.IN_REVIEW
    petition.documents = [
        *petition.documents,
        *({"name": d, "source": "supplement"} for d in handed),
    ]
    petition.supplement_due = None
    save(petition, "state", "pauses", "paused_since", "deadline_at", "documents", "supplement_due")
    attach(ctx, petition, cmd.attachments, Attachment.Kind.SUPPLEMENT, local(ctx.occurred_at))
    record_step(ctx, petition, "supplement", note=note,
                public_note=f"보완 제출. 처리기한 {fmt(petition.deadline_at)}")  # fmt: skip
    return result(petition)


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReturnPetition(PetitionCommand):
    """반려 (시행령 제24조②): after a repeated supplement request went unanswered past its
    deadline, the office may end the petition and return the papers."""


@handler(ReturnPetition)
def return_petition(cmd: ReturnPetition, *, ctx: Context) -> dict[str, Any]:
    petition = load_for_update(cmd.receipt_number, cmd.item)
    require_staff(ctx, petition, "petitions.process")
    ensure_state(petition, "return", (S.SUPPLEMENT,))
    now = local(ctx.occurred_at)
    if petition.supplement_requests < 2 or (
        petition.supplement_due and now <= petition.supplement_due
    ):
        raise Conflict(
            "다시 보완을 요구하고 그 기한이 지난 뒤에만 반려할 수 있습니다.",
            "Return is allowed only after a repeated supplement request has expired.",
            field="state",
            code="return_not_yet",
        )
    reason = _reason(cmd, required=True)
    _close_pause(petition, now)
    petition.state = S.RETURNED
    petition.closed_at = ctx.recorded_at
    save(petition, "state", "pauses", "paused_since", "deadline_at", "closed_at")
    record_step(ctx, petition, "return", note=reason, public_note="보완 미이행으로 반려")
    tell_applicant(ctx, petition, f"민원 반려 안내 ({petition.number})",
                   f"보완 요구 기한까지 보완되지 않아 민원을 반려합니다. 사유: {reason}")  # fmt: skip
    return result(petition)


@dataclasses.dataclass(frozen=True, kw_only=True)
class ExtendDeadline(PetitionCommand):
    """처리기간 연장 (법 제21조): once, within the original period, for at most as long as
    the original period, with the reason and the new date told to the applicant; a further
    extension only with the applicant's consent."""

    period: str
    applicant_consent: bool = False


@handler(ExtendDeadline)
def extend_deadline(cmd: ExtendDeadline, *, ctx: Context) -> dict[str, Any]:
    petition = load_for_update(cmd.receipt_number, cmd.item)
    require_staff(ctx, petition, "petitions.process")
    ensure_state(petition, "extend", (S.ASSIGNED, S.IN_REVIEW))
    reason = _reason(cmd, required=True)
    try:
        extension = deadlines.parse_extension(cmd.period)
    except ValueError:
        raise ValidationFailed(
            "연장 기간을 알아볼 수 없습니다. '5일', '3시간', '1일 4시간', '2주', '1개월'처럼 쓰세요.",
            "Extension period not understood: write it as '5일', '3시간', '1일 4시간', "
            "'2주' or '1개월' (5 days, 3 hours …).",
            field="period",
        ) from None
    if extension.unit == "immediate":
        raise ValidationFailed("연장 기간을 정하세요.", "Give an extension period.", field="period")
    original = deadlines.parse_period(petition.period)
    now = local(ctx.occurred_at)
    base = deadlines.deadline(petition.received_at, original, [])
    if _length(extension, petition.received_at) > _length(original, petition.received_at):
        raise ValidationFailed(
            "연장 기간은 원래 처리기간을 넘을 수 없습니다.",
            "An extension cannot be longer than the original period.",
            field="period",
        )
    if petition.extensions and not cmd.applicant_consent:
        raise Conflict(
            "두 번째 연장은 민원인의 동의가 있어야 합니다.",
            "A further extension needs the applicant's consent.",
            field="applicant_consent",
            code="consent_required",
        )
    if now > petition.deadline_at:
        raise Conflict("처리기한이 이미 지났습니다.", "The deadline has already passed.",
                       field="period", code="deadline_passed")  # fmt: skip
    petition.extensions = [
        *petition.extensions,
        {"period": deadlines.period_text(extension), "reason": reason, "at": now.isoformat(),
         "consent": cmd.applicant_consent},
    ]  # fmt: skip
    petition.deadline_at = recompute_deadline(petition)
    save(petition, "extensions", "deadline_at")
    record_step(ctx, petition, "extend", note=reason,
                public_note=f"처리기간 {_words(extension)} 연장: {reason} (새 기한 {fmt(petition.deadline_at)})")  # fmt: skip
    tell_applicant(ctx, petition, f"처리기간 연장 안내 ({petition.number})",
                   f"{petition.type.name} 민원의 처리기간을 {_words(extension)} 연장합니다. "
                   f"사유: {reason}. 새 처리기한: {fmt(petition.deadline_at)} (원래 {fmt(base)})")  # fmt: skip
    return result(petition)


def _words(period: deadlines.Period) -> str:
    """An extension as the officer wrote it: ``5일``, ``1일 4시간`` (not ``12시간``)."""
    if period.unit == "hours":
        return formats.working_span(period.amount, "ko")
    return period.label()


def _length(period: deadlines.Period, start: datetime) -> float:
    """Comparable length of a period: working hours from ``start`` to its deadline."""
    return calendar.working_hours_between(start, deadlines.deadline(start, period))


@dataclasses.dataclass(frozen=True, kw_only=True)
class DecidePetition(PetitionCommand):
    """처리 결과 결정: approved, or rejected with the reasons (법 제27조) and the remedies
    (행정심판, 행정소송, 이의신청) stated to the applicant."""

    room_category = RoomCategory.PETITIONS_DECIDED

    outcome: str


@handler(DecidePetition)
def decide_petition(cmd: DecidePetition, *, ctx: Context) -> dict[str, Any]:
    """The officer's decision; where the type has a 결재선 it is a draft (기안) that takes
    effect only with the last 결재 (``approval.approve_decision``)."""
    petition = load_for_update(cmd.receipt_number, cmd.item)
    require_staff(ctx, petition, "petitions.process")
    if cmd.outcome not in Petition.Outcome.values:
        raise ValidationFailed("결과는 approved 또는 rejected여야 합니다.",
                               "Outcome must be approved or rejected.", field="outcome")  # fmt: skip
    ensure_state(petition, "decide", (S.IN_REVIEW,))
    reason = _reason(cmd, required=cmd.outcome == "rejected")
    petition.outcome = cmd.outcome
    petition.reasons = reason
    if petition.type.approval_line:
        petition.state = S.AWAITING_APPROVAL
        petition.approvals = []
        petition.drafted_by_id = ctx.actor.id
        save(petition, "state", "outcome", "reasons", "approvals", "drafted_by")
        label = Petition.Outcome(cmd.outcome).label
        record_step(ctx, petition, "draft", note=f"{label}: {reason}".strip(": "),
                    public_note="처리 결과 결재 중")  # fmt: skip
        return result(petition, outcome=cmd.outcome, awaiting_approval=True)
    take_effect(ctx, petition)
    return result(petition, outcome=cmd.outcome)


def take_effect(ctx: Context, petition: Petition) -> None:
    """The decision (officer's alone, or after its last 결재) reaches the applicant, with
    the reasons and, for a refusal, the remedies (법 제27조)."""
    petition.state = S.DECIDED
    petition.remedies = REMEDIES if petition.outcome == "rejected" else ""
    petition.decided_at = ctx.recorded_at
    save(petition, "state", "remedies", "decided_at", "outcome", "reasons")
    label = Petition.Outcome(petition.outcome).label
    record_step(ctx, petition, "decide", note=petition.reasons,
                public_note=f"처리 결과: {label}")  # fmt: skip
    tell_result(ctx, petition, label)


@dataclasses.dataclass(frozen=True, kw_only=True)
class DeliverDecision(PetitionCommand):
    """결과 통지·교부: the result document was handed over or sent (how, in ``method``)."""

    method: str = "online"


@handler(DeliverDecision)
def deliver_decision(cmd: DeliverDecision, *, ctx: Context) -> dict[str, Any]:
    petition = load_for_update(cmd.receipt_number, cmd.item)
    require_staff(ctx, petition, "petitions.deliver")
    if cmd.method not in ("online", "counter", "mail", "email"):
        raise ValidationFailed(
            "교부 방법이 올바르지 않습니다.", "Bad delivery method.", field="method"
        )
    ensure_state(petition, "deliver", (S.DECIDED,))
    petition.state = S.NOTIFIED
    save(petition, "state")
    record_step(ctx, petition, "deliver", public_note=f"결과 통지·교부({cmd.method})")
    return result(petition)


@dataclasses.dataclass(frozen=True, kw_only=True)
class TransferPetition(PetitionCommand):
    """이송 (법 제16조): the petition belongs to another agency or jurisdiction; it is sent
    there and the applicant is told where. ``to`` is either a 시·군·구 code that minwon
    serves — the petition then arrives in that office's queue in this same command (see
    ``transfer``) — or the name of an outside agency, which is only recorded."""

    to: str


@handler(TransferPetition)
def transfer_petition(cmd: TransferPetition, *, ctx: Context) -> dict[str, Any]:
    petition = load_for_update(cmd.receipt_number, cmd.item)
    require_staff(ctx, petition, "petitions.process")
    ensure_state(petition, "transfer", (S.RECEIVED, S.ASSIGNED, S.IN_REVIEW))
    target = cmd.to.strip()[:120]
    if not target:
        raise ValidationFailed("이송할 기관을 입력하세요.", "Say where to transfer.", field="to")
    office = (
        transfer.destination_office(target, petition)
        if transfer.is_jurisdiction_code(target)
        else None
    )
    reason = _reason(cmd, required=True)
    if office is not None:
        return result(petition, **transfer.transfer_to_office(ctx, petition, office, reason))
    petition.state = S.TRANSFERRED
    petition.transferred_to = target
    petition.closed_at = ctx.recorded_at
    save(petition, "state", "transferred_to", "closed_at")
    record_step(ctx, petition, "transfer", note=reason, public_note=f"{target}(으)로 이송")
    tell_applicant(ctx, petition, f"민원 이송 안내 ({petition.number})",
                   f"{petition.type.name} 민원을 {target}(으)로 이송했습니다. 사유: {reason}")  # fmt: skip
    return result(petition, transferred_to=target)


@register_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class PetitionWithdrawn(Event):
    """A petition was withdrawn (취하), in ``state_before``: its fee is refunded where the
    rule allows (``payments``)."""

    receipt_number: str
    item: int
    state_before: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class WithdrawPetition(PetitionCommand):
    """취하: the applicant withdraws (online, or through a clerk at the counter)."""

    continuity = Continuity.LOCAL


@handler(WithdrawPetition)
def withdraw_petition(cmd: WithdrawPetition, *, ctx: Context) -> dict[str, Any]:
    petition = load_for_update(cmd.receipt_number, cmd.item)
    require_applicant_or(ctx, petition, "petitions.intake")
    ensure_state(petition, "withdraw", OPEN_STATES)
    before = str(petition.state)
    _close_pause(petition, local(ctx.occurred_at))
    petition.state = S.WITHDRAWN
    petition.closed_at = ctx.recorded_at
    save(petition, "state", "pauses", "paused_since", "deadline_at", "closed_at")
    record_step(
        ctx, petition, "withdraw", note=_reason(cmd, required=False), public_note="민원인 취하"
    )
    ctx.emit(PetitionWithdrawn(receipt_number=cmd.receipt_number, item=cmd.item,
                               state_before=before))  # fmt: skip
    return result(petition)


@dataclasses.dataclass(frozen=True, kw_only=True)
class ClosePetition(PetitionCommand):
    """종결: the file is closed after the result was delivered (or the petition sent on)."""


@handler(ClosePetition)
def close_petition(cmd: ClosePetition, *, ctx: Context) -> dict[str, Any]:
    petition = load_for_update(cmd.receipt_number, cmd.item)
    require_staff(ctx, petition, "petitions.process")
    ensure_state(petition, "close", (S.NOTIFIED, S.TRANSFERRED))
    petition.state = S.CLOSED
    petition.closed_at = ctx.recorded_at
    save(petition, "state", "closed_at")
    record_step(ctx, petition, "close", public_note="종결")
    return result(petition)


ACTIONS: dict[str, type[PetitionCommand]] = {
    "assign": AssignPetition,
    "start-review": StartReview,
    "request-supplement": RequestSupplement,
    "supplement": SubmitSupplement,
    "return": ReturnPetition,
    "extend": ExtendDeadline,
    "decide": DecidePetition,
    "deliver": DeliverDecision,
    "transfer": TransferPetition,
    "withdraw": WithdrawPetition,
    "close": ClosePetition,
}
