"""결재함: the department head's page of draft decisions awaiting their 결재, soonest legal
deadline first, each with the officer's draft, its reasons and two actions (결재, 반려)
that run the approval commands (``commands/approval.py``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from minwon.accounts.actors import actor_for_request, staff_display_name
from minwon.kernel import clock, execute
from minwon.kernel.errors import DomainError, NotFound
from minwon.kernel.types import Actor, Channel
from minwon.petitions import policies
from minwon.petitions.commands.approval import ApproveDecision, ReturnDraft
from minwon.petitions.models import Petition


def awaiting_approval(actor: Actor) -> list[Petition]:
    """Drafts the actor may sign, soonest deadline first (the deadline keeps running)."""
    return list(policies.approvable(actor))


@login_required
def approvals(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    if not policies.approves_anywhere(actor):
        raise PermissionDenied
    if request.method == "POST":
        _act(request, actor)
        return redirect("petitions-approvals")
    now = clock.now()
    rows: list[dict[str, Any]] = [
        {"petition": p, "outcome": Petition.Outcome(p.outcome).label if p.outcome else "",
         "overdue": p.deadline_at < now, "drafter": staff_display_name(p.drafted_by_id)}
        for p in awaiting_approval(actor)
    ]  # fmt: skip
    return render(request, "petitions/approvals.html", {"rows": rows})


def _act(request: HttpRequest, actor: Actor) -> None:
    post = request.POST
    kind = ReturnDraft if post.get("action") == "return" else ApproveDecision
    try:
        item = int(post.get("item", "1"))
        execute(
            kind(
                actor=actor, channel=Channel.ONLINE, jurisdiction=_jurisdiction(actor, post),
                receipt_number=post.get("receipt_number", "")[:32], item=item,
                reason=post.get("reason", "")[:2000],
            )
        )  # fmt: skip
    except (ValueError, OverflowError):
        messages.error(request, "결재할 민원을 찾을 수 없습니다.")
        return
    except DomainError as exc:
        messages.error(request, exc.message_ko)
        return
    messages.success(request, "반려했습니다." if kind is ReturnDraft else "결재했습니다.")


def _jurisdiction(actor: Actor, post: Any) -> str:
    """The draft's own jurisdiction when the actor may approve it (404 otherwise, like an
    absent one); the handler checks again."""
    try:
        item = int(post.get("item", "1"))
    except (ValueError, OverflowError):
        raise Http404 from None
    try:
        found = policies.draft_for_approval(actor, post.get("receipt_number", "")[:32], item)
    except NotFound:
        raise Http404 from None
    return str(found.jurisdiction_id)
