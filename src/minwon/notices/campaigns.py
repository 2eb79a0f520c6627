"""Commands that issue notices: a register's campaign (every 자동차세 bill of a 시·군·구 for
a period, as one command), a single notice (민방위 교육 통지, 과태료 사전통지 …), the
citizen's acknowledgement, and the paper fallback's print batch.

A campaign is idempotent twice over: a repeated command id replays, and a new command for
the same (jurisdiction, kind, period) finds the same ``Campaign`` and adds only the notices
still missing, because each notice's ``source_key`` (``tax_bill:<bill id>``) is unique.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import Any

from minwon.kernel import jurisdictions
from minwon.kernel.bus import Context
from minwon.kernel.errors import Conflict, NotFound, ValidationFailed
from minwon.kernel.registry import handler
from minwon.kernel.types import Command
from minwon.notices import catalog, lifecycle, policies
from minwon.notices.catalog import NoticeKind
from minwon.notices.lifecycle import Draft
from minwon.notices.models import Campaign, Notice, NoticeEvent, PrintBatch
from minwon.notices.permissions import NoticesPermission

MAX_PAPER_HOURS = 24 * 90
#: Notices one command writes at most (one transaction); the rest on the next issue of the
#: same campaign, which picks up exactly the missing ones.
MAX_PER_COMMAND = 20000


@dataclasses.dataclass(frozen=True, kw_only=True)
class IssueTaxCampaign(Command):
    """지방세 전자고지 일괄 발송: one notice per open bill of ``item`` and ``period`` levied
    by ``jurisdiction``; notices not opened within ``paper_after_hours`` go out on paper."""

    permission = NoticesPermission.CAMPAIGN
    item: str = "vehicle"
    period: str
    template_version: int | None = None
    paper_after_hours: int = 168


def _check_campaign(cmd: IssueTaxCampaign) -> None:
    from minwon.tax.models import TaxItem

    if cmd.item not in TaxItem.values:
        raise ValidationFailed("세목이 올바르지 않습니다.", "Unknown tax item.", field="item")
    if not cmd.period.strip() or len(cmd.period) > 20:
        raise ValidationFailed("과세 기간을 입력하세요.", "Enter the period.", field="period")
    if not 1 <= cmd.paper_after_hours <= MAX_PAPER_HOURS:
        raise ValidationFailed(
            f"우편 전환 시간은 1~{MAX_PAPER_HOURS}시간입니다.",
            f"Paper fallback after 1-{MAX_PAPER_HOURS} hours.",
            field="paper_after_hours",
        )


def _campaign(ctx: Context, cmd: IssueTaxCampaign, title: str, version: int) -> Campaign:
    """The campaign row, created on first issue and locked for this command."""
    campaign, _ = Campaign.objects.get_or_create(
        jurisdiction_id=cmd.jurisdiction, kind=NoticeKind.TAX_BILL,
        key=f"{cmd.item}:{cmd.period.strip()}",
        defaults={"title": title, "template_version": version,
                  "paper_after_hours": cmd.paper_after_hours, "created_at": ctx.recorded_at,
                  "created_by": str(ctx.actor), "command_id": ctx.command.command_id},
    )  # fmt: skip
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


def _missing(keys: list[str]) -> set[str]:
    """The source keys no notice has yet (looked up in chunks)."""
    taken: set[str] = set()
    for at in range(0, len(keys), 2000):
        taken.update(
            Notice.objects.filter(source_key__in=keys[at : at + 2000]).values_list(
                "source_key", flat=True
            )
        )
    return set(keys) - taken


@handler(IssueTaxCampaign)
def issue_tax_campaign(cmd: IssueTaxCampaign, *, ctx: Context) -> dict[str, Any]:
    from minwon.tax.models import TaxBill, TaxItem

    _check_campaign(cmd)
    unit = jurisdictions.get(cmd.jurisdiction)
    template = catalog.template(NoticeKind.TAX_BILL, cmd.template_version)
    label = TaxItem(cmd.item).label
    campaign = _campaign(ctx, cmd, f"{unit.name} {cmd.period.strip()} {label}", template.version)
    bills = list(
        TaxBill.objects.filter(
            jurisdiction__path__startswith=unit.path, item=cmd.item,
            period=cmd.period.strip(), paid_on__isnull=True,
        ).values_list("pk", "number", "amount", "due_on", "mailing_address",
                      "taxpayer__name", "taxpayer__rrn_index", "period").order_by("pk")
    )  # fmt: skip
    missing = _missing([f"tax_bill:{b[0]}" for b in bills])
    drafts = [
        Draft(
            source_key=f"tax_bill:{pk}", recipient_index=index, recipient_name=name,
            address=address, deadline_on=due,
            fields={"period": period, "item": label, "amount": amount, "number": number},
            items=[{"label": "전자납부번호", "value": number},
                   {"label": "세액", "value": f"{amount:,}원"},
                   {"label": "송달 주소", "value": address}],
        )
        for pk, number, amount, due, address, name, index, period in bills
        if f"tax_bill:{pk}" in missing
    ]  # fmt: skip
    created = lifecycle.issue_many(
        ctx, template=template, jurisdiction=campaign.jurisdiction_id, office=unit.name,
        drafts=drafts[:MAX_PER_COMMAND], campaign=campaign,
        paper_after=timedelta(hours=campaign.paper_after_hours),
    )  # fmt: skip
    return {"campaign_id": campaign.pk, "created": len(created), "total": len(bills),
            "remaining": len(drafts) - len(created)}  # fmt: skip


@dataclasses.dataclass(frozen=True, kw_only=True)
class IssueNotice(Command):
    """One notice to one resident (민방위 교육 통지, 과태료 사전통지 …), rendered from the
    kind's template; ``deadline_on`` where the law does not fix it (the education date)."""

    permission = NoticesPermission.SEND
    kind: str
    person_id: int
    fields: dict[str, str | int] = dataclasses.field(default_factory=dict)
    deadline_on: date | None = None
    template_version: int | None = None


@handler(IssueNotice)
def issue_notice(cmd: IssueNotice, *, ctx: Context) -> dict[str, Any]:
    from minwon.registry.models import Person
    from minwon.registry.queries import current_address

    if cmd.kind not in NoticeKind.values:
        raise ValidationFailed("알 수 없는 고지 종류입니다.", "Unknown notice type.", field="kind")
    template = catalog.template(cmd.kind, cmd.template_version)
    person = Person.objects.filter(pk=cmd.person_id).first()
    address = current_address(cmd.person_id) if person is not None else None
    if person is None or address is None:
        raise NotFound("받는 사람을 찾을 수 없습니다.", "Recipient not found.", field="person_id")
    unit = jurisdictions.get(cmd.jurisdiction)
    draft = Draft(
        source_key=f"{cmd.kind}:{ctx.command.command_id}", recipient_index=person.rrn_index,
        recipient_name=person.name, address=address.full, fields=dict(cmd.fields),
        items=[{"label": str(k), "value": str(v)} for k, v in cmd.fields.items()],
        deadline_on=cmd.deadline_on,
    )  # fmt: skip
    (notice,) = lifecycle.issue_many(
        ctx, template=template, jurisdiction=unit.code, office=unit.name, drafts=[draft]
    )
    return {"notice_id": notice.pk, "deadline_on": notice.deadline_on.isoformat()}


@dataclasses.dataclass(frozen=True, kw_only=True)
class AcknowledgeNotice(Command):
    """수령 확인: the citizen confirms having read the notice (the last lifecycle step)."""

    notice_id: int


@handler(AcknowledgeNotice)
def acknowledge_notice(cmd: AcknowledgeNotice, *, ctx: Context) -> dict[str, Any]:
    notice = policies.own_notice(ctx.actor, cmd.notice_id, lock=True)
    if notice.acknowledged_at is None:
        lifecycle.mark_opened(notice.pk, at=ctx.recorded_at, command_id=ctx.command.command_id)
        Notice.objects.filter(pk=notice.pk).update(
            acknowledged_at=ctx.recorded_at, state=Notice.State.ACKNOWLEDGED
        )
        lifecycle.step(notice, NoticeEvent.Kind.ACKNOWLEDGED, at=ctx.recorded_at,
                       command_id=ctx.command.command_id, channel="inbox")  # fmt: skip
        return {"notice_id": notice.pk, "acknowledged_at": ctx.recorded_at.isoformat()}
    return {"notice_id": notice.pk, "acknowledged_at": notice.acknowledged_at.isoformat()}


@dataclasses.dataclass(frozen=True, kw_only=True)
class QueuePaperBatch(Command):
    """우편 전환: the campaign's notices not opened by their time (or whose channels
    failed) join one print batch of letters."""

    permission = NoticesPermission.CAMPAIGN
    campaign_id: int


@handler(QueuePaperBatch)
def queue_paper_batch(cmd: QueuePaperBatch, *, ctx: Context) -> dict[str, Any]:
    campaign = Campaign.objects.select_for_update().filter(pk=cmd.campaign_id).first()
    if campaign is None or not policies.can_manage(ctx.actor, campaign):
        raise NotFound("발송을 찾을 수 없습니다.", "Campaign not found.", field="campaign_id")
    due = list(
        Notice.objects.select_for_update()
        .filter(campaign=campaign, opened_at__isnull=True, print_batch__isnull=True,
                paper_due_at__lte=ctx.recorded_at)
        .order_by("pk")
        .values_list("pk", flat=True)
    )  # fmt: skip
    if not due:
        return {"batch_id": None, "size": 0}
    if PrintBatch.objects.filter(command_id=ctx.command.command_id).exists():
        raise Conflict("이미 만든 우편 묶음입니다.", "Batch already made.", field="campaign_id")
    batch = PrintBatch.objects.create(
        campaign=campaign, created_at=ctx.recorded_at, command_id=ctx.command.command_id,
        size=len(due),
    )  # fmt: skip
    Notice.objects.filter(pk__in=due).update(print_batch=batch)
    NoticeEvent.objects.bulk_create(
        [
            NoticeEvent(notice_id=pk, kind=NoticeEvent.Kind.PAPER, channel="paper",
                        at=ctx.recorded_at, command_id=ctx.command.command_id,
                        detail=f"우편 발송 묶음 {batch.pk}")
            for pk in due
        ],
        batch_size=1000,
    )  # fmt: skip
    return {"batch_id": batch.pk, "size": len(due)}
