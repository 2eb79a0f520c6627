"""수수료 환불 (``/staff/payments/``): the refund clerk's screen. The payments of the offices
where the clerk holds ``payments.refund``, newest first, found by 접수번호, 문서확인번호 or
승인번호; one payment with what it paid for and its refunds; and a refund of all or part
of what is still charged, with its reason, through ``RefundPayment``. A payment outside the
clerk's offices answers the 404 of one that does not exist."""

from __future__ import annotations

import re
import unicodedata
import uuid

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from minwon.accounts.actors import actor_for_request
from minwon.kernel import execute
from minwon.kernel.errors import DomainError, ValidationFailed
from minwon.kernel.types import Actor, Channel
from minwon.payments import policies
from minwon.payments.commands import MAX_AMOUNT, RefundPayment
from minwon.payments.models import Payment
from minwon.petitions import receipts

PAGE_SIZE = 100


def _clerk(request: HttpRequest) -> Actor:
    actor = actor_for_request(request)
    if not policies.may_open_refunds(actor):
        raise PermissionDenied
    return actor


def _payment(actor: Actor, payment_id: int) -> Payment:
    found = policies.refundable(actor).filter(pk=payment_id).first()
    if found is None:
        raise Http404
    return found


@login_required
def payments(request: HttpRequest) -> HttpResponse:
    actor = _clerk(request)
    query = unicodedata.normalize("NFKC", request.GET.get("q", "")).strip()[:40]
    rows = policies.refundable(actor).order_by("-approved_at", "-id")
    if query:
        # as typed on a receipt (lower case, spaces, O for 0) or a document number with dashes
        keys = {query, receipts.normalize(query), re.sub(r"[\s-]", "", query)}
        rows = rows.filter(Q(reference__in=keys) | Q(approval_number__in=keys))
    return render(request, "payments/list.html", {"payments": rows[:PAGE_SIZE], "query": query})


@login_required
def payment(request: HttpRequest, payment_id: int) -> HttpResponse:
    actor = _clerk(request)
    return _detail(request, _payment(actor, payment_id), None)


def _detail(request: HttpRequest, found: Payment, error: DomainError | None) -> HttpResponse:
    return render(
        request,
        "payments/detail.html",
        {
            "payment": found,
            "error": error,
            "form": request.POST if error else {},
            # the refund's command id, carried by the form: a double click refunds once
            "token": request.POST.get("token") if error else uuid.uuid4(),
        },
        status=error.status if error else 200,
    )


def _amount(text: str) -> int:
    """The 환불 금액 as typed: digits in any script, with 원 and thousands commas; empty
    for all that is still charged (0)."""
    cleaned = unicodedata.normalize("NFKC", text).replace(",", "").replace("원", "").strip()
    if not cleaned:
        return 0
    if not cleaned.isdecimal() or len(cleaned) > len(str(MAX_AMOUNT)):
        raise ValidationFailed(
            "환불 금액은 원 단위 숫자로 입력하세요. 비워 두면 남은 금액 전부를 환불합니다.",
            "Enter the refund amount in won, digits only; leave it empty to refund all.",
            field="amount",
        )
    return int(cleaned)


def _token(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        return uuid.uuid4()


@login_required
@require_POST
def refund(request: HttpRequest, payment_id: int) -> HttpResponse:
    actor = _clerk(request)
    found = _payment(actor, payment_id)
    try:
        execute(
            RefundPayment(
                actor=actor, channel=Channel.COUNTER, jurisdiction=found.jurisdiction_id,
                command_id=_token(request.POST.get("token", "")), order_key=found.order_key,
                amount=_amount(request.POST.get("amount", "")),
                reason=request.POST.get("reason", "")[:200],
            )
        )  # fmt: skip
    except DomainError as exc:
        return _detail(request, found, exc)
    return redirect("payments-detail", payment_id=found.pk)
