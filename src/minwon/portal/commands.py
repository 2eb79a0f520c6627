"""자동취합 commands: making a campaign, publishing a new form version, answering and
correcting an answer, and the reminders and escalations the sweep sends.

An answer is never edited: ``CorrectAnswer`` adds the next version of it and the former
stays (its command and audit row too), so a consolidated sheet can always say who gave
which value, when, against which form version.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Any

from minwon.kernel import jurisdictions
from minwon.kernel.bus import Context
from minwon.kernel.errors import Conflict, NotFound, ValidationFailed
from minwon.kernel.registry import handler
from minwon.kernel.types import ActorKind, Command, RoomCategory

from . import collect, forms_def, policies
from .events import CampaignCreated
from .models import Answer, Campaign, FormVersion, Recipient, Reminder
from .permissions import PortalPermission

MAX_RECIPIENTS = 5000
MAX_GRACE_HOURS = 24 * 30


@dataclasses.dataclass(frozen=True, kw_only=True)
class RecipientSpec:
    """One addressee: an office (10-digit code) or one department of it."""

    jurisdiction: str
    department: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class CreateCampaign(Command):
    """An office (``jurisdiction``) sends a form to offices or departments inside it."""

    permission = PortalPermission.CAMPAIGN_MANAGE
    room_category = RoomCategory.CAMPAIGNS
    title: str
    definition: dict[str, Any]
    recipients: list[RecipientSpec]
    opens_at: datetime
    deadline_at: datetime
    grace_hours: int = 0
    department: str = ""
    round_label: str = ""
    previous_campaign_id: int | None = None


def _check_title(title: str) -> str:
    text = title.strip()
    if not text or len(text) > 200:
        raise ValidationFailed(
            "제목을 200자 이내로 적으세요.", "Enter a title of at most 200 characters.",
            field="title",
        )  # fmt: skip
    return text


def _check_dates(cmd: CreateCampaign) -> None:
    if cmd.deadline_at <= cmd.opens_at:
        raise ValidationFailed(
            "마감 일시는 시작 일시보다 뒤여야 합니다.", "The deadline must come after the opening.",
            field="deadline_at",
        )  # fmt: skip
    if not 0 <= cmd.grace_hours <= MAX_GRACE_HOURS:
        raise ValidationFailed(
            f"유예 시간은 0~{MAX_GRACE_HOURS}시간입니다.",
            f"The grace period is 0 to {MAX_GRACE_HOURS} hours.",
            field="grace_hours",
        )


def _check_recipients(cmd: CreateCampaign) -> list[RecipientSpec]:
    specs = {(r.jurisdiction, r.department.strip()[:60]) for r in cmd.recipients}
    if not specs or len(specs) > MAX_RECIPIENTS:
        raise ValidationFailed(
            f"받을 곳을 1~{MAX_RECIPIENTS}곳 고르세요.",
            f"Choose 1 to {MAX_RECIPIENTS} recipients.",
            field="recipients",
        )
    for code, _ in specs:
        if not jurisdictions.contains(cmd.jurisdiction, code):
            raise ValidationFailed(
                f"받을 곳 {code}는 주관 기관의 관할이 아닙니다.",
                f"Recipient {code} is not inside the sending office.",
                field="recipients",
            )
        jurisdictions.current(code, field="recipients")
    for code, department in specs:
        if department and not collect.is_department(code, department):
            name = jurisdictions.get(code).name
            raise ValidationFailed(
                f"받을 부서 '{department}'는 {name}에 없습니다.",
                f"There is no department '{department}' at {name}.",
                field="recipients",
            )
    return [RecipientSpec(jurisdiction=c, department=d) for c, d in sorted(specs)]


def _previous(ctx: Context, campaign_id: int | None) -> Campaign | None:
    if campaign_id is None:
        return None
    previous = Campaign.objects.filter(pk=campaign_id).first()
    if previous is None or not ctx.allowed(policies.MANAGE, previous.jurisdiction_id):
        raise NotFound(
            "이전 회차 취합을 찾을 수 없습니다.", "Previous round not found.",
            field="previous_campaign_id",
        )  # fmt: skip
    return previous


@handler(CreateCampaign)
def create_campaign(cmd: CreateCampaign, *, ctx: Context) -> dict[str, Any]:
    title = _check_title(cmd.title)
    fields = forms_def.parse(cmd.definition)
    _check_dates(cmd)
    specs = _check_recipients(cmd)
    campaign = Campaign.objects.create(
        jurisdiction_id=cmd.jurisdiction, department=cmd.department.strip()[:60], title=title,
        round_label=cmd.round_label.strip()[:40], previous=_previous(ctx, cmd.previous_campaign_id),
        opens_at=cmd.opens_at, deadline_at=cmd.deadline_at, grace_hours=cmd.grace_hours,
        created_by_id=ctx.actor.id, created_at=ctx.recorded_at,
    )  # fmt: skip
    FormVersion.objects.create(
        campaign=campaign, number=1, definition=forms_def.as_definition(fields),
        published_at=ctx.recorded_at,
    )  # fmt: skip
    Recipient.objects.bulk_create(
        Recipient(campaign=campaign, jurisdiction_id=s.jurisdiction, department=s.department)
        for s in specs
    )
    ctx.emit(CampaignCreated(campaign_id=campaign.pk, recipients=len(specs)))
    return {"campaign_id": campaign.pk, "form_version": 1, "recipients": len(specs)}


def _managed(ctx: Context, campaign_id: int) -> Campaign:
    campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
    if campaign is None or not ctx.allowed(policies.MANAGE, campaign.jurisdiction_id):
        raise NotFound("취합을 찾을 수 없습니다.", "Campaign not found.", field="campaign_id")
    return campaign


@dataclasses.dataclass(frozen=True, kw_only=True)
class PublishFormVersion(Command):
    """A new version of a campaign's form; answers given to earlier versions keep theirs."""

    permission = PortalPermission.CAMPAIGN_MANAGE
    room_category = RoomCategory.CAMPAIGNS
    campaign_id: int
    definition: dict[str, Any]


@handler(PublishFormVersion)
def publish_form_version(cmd: PublishFormVersion, *, ctx: Context) -> dict[str, Any]:
    campaign = _managed(ctx, cmd.campaign_id)
    fields = forms_def.parse(cmd.definition)
    latest = campaign.versions.order_by("-number").first()
    number = (latest.number if latest else 0) + 1
    FormVersion.objects.create(
        campaign=campaign, number=number, definition=forms_def.as_definition(fields),
        published_at=ctx.recorded_at,
    )  # fmt: skip
    return {"campaign_id": campaign.pk, "form_version": number}


# --- answers -------------------------------------------------------------------------------


def _recipient(ctx: Context, campaign_id: int, recipient_id: int) -> Recipient:
    recipient = (
        Recipient.objects.select_for_update()
        .select_related("campaign")
        .filter(pk=recipient_id, campaign_id=campaign_id)
        .first()
    )
    system = ctx.actor.kind == ActorKind.SYSTEM
    if recipient is not None and not (
        ctx.allowed(policies.ANSWER, recipient.jurisdiction_id)
        and (system or policies.can_answer(ctx.actor, recipient))
    ):
        recipient = None
    if recipient is None:
        raise NotFound(
            "취합 대상을 찾을 수 없습니다.", "Recipient not found.", field="recipient_id"
        )
    return recipient


def _window(campaign: Campaign, at: datetime) -> bool:
    """Whether an answer at ``at`` is late (after the deadline, within the grace period);
    refuses one before the opening or after the grace period."""
    if at < campaign.opens_at:
        raise Conflict(
            "아직 제출 기간이 아닙니다.", "The campaign is not open yet.", field="campaign_id"
        )
    if at > campaign.deadline_at + timedelta(hours=campaign.grace_hours):
        raise Conflict(
            "제출 기간(유예 포함)이 지났습니다. 주관 부서에 문의하세요.",
            "The campaign has closed (grace period included).",
            field="campaign_id",
        )
    return at > campaign.deadline_at


def _record(
    ctx: Context, recipient: Recipient, data: dict[str, Any], number: int, reason: str = ""
) -> Answer:
    campaign = recipient.campaign
    late = _window(campaign, ctx.occurred_at)
    version = campaign.versions.order_by("-number").first()
    assert version is not None
    fields = forms_def.parse(version.definition)
    clean = forms_def.validate(fields, data)
    prefill = collect.prefill(recipient, fields)
    kept = sorted(k for k, v in prefill.items() if v is not None and clean.get(k) == v)
    Answer.objects.filter(recipient=recipient, current=True).update(current=False)
    return Answer.objects.create(
        campaign=campaign, recipient=recipient, number=number, form_version=version,
        data=clean, prefilled=kept, current=True, submitted_by_id=ctx.actor.id,
        submitted_by_name=ctx.actor.name[:80], submitted_at=ctx.occurred_at, late=late,
        reason=reason, command_id=ctx.command.command_id,
    )  # fmt: skip


@dataclasses.dataclass(frozen=True, kw_only=True)
class SubmitAnswer(Command):
    """A recipient's first answer (``jurisdiction``: the recipient's office)."""

    permission = PortalPermission.CAMPAIGN_ANSWER
    room_category = RoomCategory.CAMPAIGNS
    campaign_id: int
    recipient_id: int
    data: dict[str, Any]


@handler(SubmitAnswer)
def submit_answer(cmd: SubmitAnswer, *, ctx: Context) -> dict[str, Any]:
    recipient = _recipient(ctx, cmd.campaign_id, cmd.recipient_id)
    if recipient.answers.exists():
        raise Conflict(
            "이미 제출했습니다. 고칠 내용은 정정으로 제출하세요.",
            "Already answered: submit a correction instead.",
            field="recipient_id",
        )
    answer = _record(ctx, recipient, cmd.data, 1)
    return {"answer_id": answer.pk, "version": 1, "late": answer.late}


@dataclasses.dataclass(frozen=True, kw_only=True)
class CorrectAnswer(Command):
    """정정: the next version of a submitted answer, with the reason; the former is kept."""

    permission = PortalPermission.CAMPAIGN_ANSWER
    room_category = RoomCategory.CAMPAIGNS
    campaign_id: int
    recipient_id: int
    data: dict[str, Any]
    reason: str


@handler(CorrectAnswer)
def correct_answer(cmd: CorrectAnswer, *, ctx: Context) -> dict[str, Any]:
    recipient = _recipient(ctx, cmd.campaign_id, cmd.recipient_id)
    last = recipient.answers.order_by("-number").first()
    if last is None:
        raise Conflict(
            "아직 제출하지 않았습니다. 먼저 제출하세요.", "Nothing to correct yet.",
            field="recipient_id",
        )  # fmt: skip
    reason = cmd.reason.strip()
    if not reason or len(reason) > 200:
        raise ValidationFailed(
            "정정 사유를 200자 이내로 적으세요.", "Give the reason for the correction.",
            field="reason",
        )  # fmt: skip
    answer = _record(ctx, recipient, cmd.data, last.number + 1, reason)
    return {"answer_id": answer.pk, "version": answer.number, "late": answer.late}


# --- reminders -----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, kw_only=True)
class SendCampaignReminders(Command):
    """독촉: remind the recipients who have not answered (at the opening, half-way, the day
    before the deadline), or after the deadline tell their department heads (escalation).
    Run by the sweep with an id per campaign and occasion, so it happens once."""

    permission = PortalPermission.CAMPAIGN_MANAGE
    campaign_id: int
    occasion: str


@handler(SendCampaignReminders)
def send_campaign_reminders(cmd: SendCampaignReminders, *, ctx: Context) -> dict[str, Any]:
    campaign = _managed(ctx, cmd.campaign_id)
    if cmd.occasion not in Reminder.Occasion.values:
        raise ValidationFailed("알 수 없는 독촉 시점입니다.", "Unknown occasion.", field="occasion")
    escalation = cmd.occasion == Reminder.Occasion.ESCALATION
    if escalation != (ctx.occurred_at > campaign.deadline_at):
        raise Conflict(
            "지금은 이 독촉을 보낼 때가 아닙니다.", "Not the time for it.", field="occasion"
        )
    pending = (
        campaign.recipients.select_related("jurisdiction")
        .filter(answers__isnull=True)
        .exclude(reminders__occasion=cmd.occasion)
        .order_by("id")
    )
    sent = 0
    for recipient in pending:
        staff = collect.heads_of(recipient) if escalation else collect.staff_of(recipient)
        for user in staff:
            collect.remind(ctx, campaign, recipient, user, escalation=escalation)
        Reminder.objects.create(
            campaign=campaign, recipient=recipient, occasion=cmd.occasion,
            sent_at=ctx.recorded_at, notified=len(staff),
        )  # fmt: skip
        sent += len(staff)
    return {"campaign_id": campaign.pk, "occasion": cmd.occasion, "notified": sent}
