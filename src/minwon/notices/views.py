"""The citizen's inbox with each notice's timeline, the acknowledgement and the 송달 증명;
the staff pages for campaigns (issue, progress, print batches), one notice's timeline and
the dead letters."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from minwon.accounts.actors import actor_for_request
from minwon.documents import ratelimit
from minwon.kernel import clock, execute
from minwon.kernel.errors import DomainError, ValidationFailed
from minwon.kernel.types import NATION, Channel
from minwon.notices import lifecycle, paper, policies, queries, receipts
from minwon.notices.campaigns import AcknowledgeNotice, IssueTaxCampaign, QueuePaperBatch
from minwon.notices.commands import MarkNoticeRead
from minwon.notices.models import Campaign, PrintBatch
from minwon.notices.receipts import IssueDeliveryReceipt


def _error(request: HttpRequest, exc: DomainError) -> None:
    where = f" ({exc.field})" if exc.field else ""
    messages.error(request, f"{exc.message_ko}{where}")


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    items = list(policies.visible(actor_for_request(request)).select_related("notice")[:100])
    return render(request, "notices/inbox.html", {"inbox": items})


@login_required
def message(request: HttpRequest, message_id: int) -> HttpResponse:
    item = policies.message(actor_for_request(request), message_id)
    if item.read_at is None:
        execute(
            MarkNoticeRead(
                actor=actor_for_request(request), channel=Channel.ONLINE, jurisdiction=NATION,
                message_id=item.pk,
            )
        )  # fmt: skip
        item.refresh_from_db()
    notice = item.notice
    steps = lifecycle.timeline(notice) if notice is not None else []
    return render(request, "notices/message.html", {"item": item, "notice": notice, "steps": steps})


def _citizen_command(request: HttpRequest, message_id: int, build: Any) -> Any:
    item = policies.message(actor_for_request(request), message_id, with_notice=True)
    return item, execute(build(actor=actor_for_request(request), channel=Channel.ONLINE,
                               jurisdiction=NATION, notice_id=item.notice_id))  # fmt: skip


@login_required
@require_POST
def acknowledge(request: HttpRequest, message_id: int) -> HttpResponse:
    _citizen_command(request, message_id, AcknowledgeNotice)
    messages.success(request, "수령을 확인했습니다.")
    return redirect("inbox-message", message_id=message_id)


@login_required
@require_POST
def receipt(request: HttpRequest, message_id: int) -> HttpResponse:
    """송달 증명 on request: issue it, then hand over the signed PDF."""
    _item, result = _citizen_command(request, message_id, IssueDeliveryReceipt)
    pdf = receipts.receipt_pdf(result.value["number"])
    if pdf is None:
        raise Http404
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="receipt-{result.value["number"]}.pdf"'
    return response


def _staff(request: HttpRequest) -> Any:
    actor = actor_for_request(request)
    if getattr(request.user, "kind", "") != "staff" or not policies.can_see_dead_letters(actor):
        raise PermissionDenied
    return actor


@login_required
def campaigns(request: HttpRequest) -> HttpResponse:
    """Campaigns in scope, and the form to issue a 지방세 campaign."""
    actor = _staff(request)
    status = 200
    if request.method == "POST":
        if not policies.can_issue_campaign(actor):
            raise PermissionDenied
        try:
            hours = int(request.POST.get("paper_after_hours") or 168)
            result = execute(
                IssueTaxCampaign(
                    actor=actor, channel=Channel.ONLINE,
                    jurisdiction=request.POST.get("jurisdiction", ""),
                    item=request.POST.get("item", "vehicle"),
                    period=request.POST.get("period", ""), paper_after_hours=hours,
                )
            )  # fmt: skip
        except ValueError:
            messages.error(request, "우편 전환 시간은 숫자로 입력하세요. (paper_after_hours)")
            status = 400
        except DomainError as exc:
            _error(request, exc)
            status = exc.status if exc.status != 403 else 404
        else:
            v = result.value
            left = (
                f" 남은 {v['remaining']}건은 다시 발송하면 이어서 보냅니다."
                if v["remaining"]
                else ""
            )
            messages.success(
                request, f"{v['created']}건을 발송했습니다 (대상 {v['total']}건).{left}"
            )
            return redirect("notices-campaign", campaign_id=v["campaign_id"])
    rows = list(policies.visible_campaigns(actor).order_by("-created_at")[:100])
    from minwon.tax.models import TaxItem

    offices = policies.visible_offices(actor)
    return render(request, "notices/staff/campaigns.html",
                  {"campaigns": rows, "items": TaxItem.choices, "offices": offices,
                   "can_issue": policies.can_issue_campaign(actor),
                   "period": f"{clock.now().year} 2기", "form": request.POST}, status=status)  # fmt: skip


def _campaign(request: HttpRequest, campaign_id: int) -> tuple[Any, Campaign]:
    actor = _staff(request)
    campaign = policies.visible_campaigns(actor).filter(pk=campaign_id).first()
    if campaign is None:
        raise Http404
    return actor, campaign


@login_required
def campaign(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """One campaign's progress, its print batches and its first notices."""
    actor, found = _campaign(request, campaign_id)
    if request.method == "POST":
        try:
            result = execute(QueuePaperBatch(actor=actor, channel=Channel.ONLINE,
                                             jurisdiction=found.jurisdiction_id,
                                             campaign_id=found.pk))  # fmt: skip
        except DomainError as exc:
            _error(request, exc)
        else:
            size = result.value["size"]
            messages.success(request, f"우편 발송 묶음에 {size}건을 넣었습니다." if size
                             else "우편으로 보낼 고지가 아직 없습니다.")  # fmt: skip
        return redirect("notices-campaign", campaign_id=found.pk)
    context = {
        "campaign": found, "progress": queries.campaign_progress(found),
        "batches": found.print_batches.order_by("-pk"),
        "notices": found.notices.order_by("pk")[:50],
        "can_manage": policies.can_manage(actor, found),
    }  # fmt: skip
    return render(request, "notices/staff/campaign.html", context)


@login_required
def print_batch(request: HttpRequest, campaign_id: int, batch_id: int) -> HttpResponse:
    _actor, found = _campaign(request, campaign_id)
    batch = get_object_or_404(PrintBatch, pk=batch_id, campaign=found)
    response = HttpResponse(paper.letters_pdf(batch), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="print-batch-{batch.pk}.pdf"'
    return response


@login_required
def notice(request: HttpRequest, notice_id: int) -> HttpResponse:
    """The operator's view of one notice: the same timeline the citizen sees."""
    actor = _staff(request)
    found = policies.visible_notices(actor).filter(pk=notice_id).first()
    if found is None:
        raise Http404
    deliveries = found.deliveries.order_by("pk")
    return render(request, "notices/staff/notice.html",
                  {"notice": found, "steps": lifecycle.timeline(found), "deliveries": deliveries})  # fmt: skip


@login_required
def dead_letters(request: HttpRequest) -> HttpResponse:
    """Channels that gave up and outbox rows the worker parked, for the operator on duty."""
    actor = _staff(request)
    return render(request, "notices/staff/dead.html",
                  {"failed": queries.failed_deliveries(actor),
                   "dead": queries.dead_outbox_rows(policies.visible_outbox(actor))})  # fmt: skip


MAX_UPLOAD = 5 * 1024 * 1024


@require_http_methods(["GET", "POST"])
def verify_receipt(request: HttpRequest) -> HttpResponse:
    """송달 증명 진위확인: upload the PDF; genuine only if it is byte for byte the one issued
    (rate-limited like the certificates' verification)."""
    context: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        try:
            ratelimit.check(request)
            upload = request.FILES.get("file")
            if upload is None or upload.size is None or upload.size > MAX_UPLOAD:
                raise ValidationFailed(
                    "확인할 송달 증명서 PDF(5MB 이하)를 선택하세요.",
                    "Choose the receipt PDF to check (5 MB at most).",
                    field="file",
                )
            context["result"] = receipts.verify_receipt(upload.read())
        except DomainError as exc:
            _error(request, exc)
            status = exc.status
    return render(request, "notices/verify_receipt.html", context, status=status)
