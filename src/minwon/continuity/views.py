"""Staff pages: the reconciliation queue (central), the edge's state and switch (edge), and
the status of an open petition from the edge's replica (edge, any mode)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from minwon.accounts.actors import actor_for_request
from minwon.kernel import execute, registry
from minwon.kernel.errors import DomainError
from minwon.kernel.types import Channel

from . import agent, journal, policies
from .commands import ResolveReconciliation, SwitchContinuityMode
from .models import ReconciliationItem


def _scoped_items(request: HttpRequest):  # type: ignore[no-untyped-def]
    actor = actor_for_request(request)
    scopes = policies.reconcile_scopes(actor)
    from minwon.kernel import jurisdictions

    items = ReconciliationItem.objects.all()
    if "0000000000" in scopes:
        return items, scopes
    keep = [
        i.pk
        for i in items.only("pk", "office")
        if any(jurisdictions.contains(s, i.office) for s in scopes)
    ]
    return items.filter(pk__in=keep), scopes


@login_required
@require_http_methods(["GET", "POST"])
def queue(request: HttpRequest) -> HttpResponse:
    """소급 적용 대기열: every edge command central refused, with both sides."""
    items, _scopes = _scoped_items(request)
    if request.method == "POST":
        try:
            item_id = int(request.POST.get("item_id", ""))
        except ValueError:
            messages.error(request, "항목 번호가 올바르지 않습니다.")
            return redirect("continuity-queue")
        item = items.filter(pk=item_id).first()
        try:
            if item is None:
                raise DomainError("항목을 찾을 수 없습니다.", "Not found.", field="item_id")
            retry = request.POST.get("action") == "retry"
            if retry:
                cls = registry.commands_by_name[item.name]
                payload = dict(item.payload)
                payload["command_id"] = str(item.command_id)
                payload["occurred_at"] = item.occurred_at.isoformat()
                execute(cls.from_json(payload))
            execute(
                ResolveReconciliation(
                    actor=actor_for_request(request),
                    channel=Channel.COUNTER,
                    jurisdiction=item.office,
                    item_id=item.pk,
                    retry=retry,
                    note=request.POST.get("note", ""),
                )
            )
            messages.success(request, "처리했습니다.")
        except DomainError as exc:
            messages.error(request, f"{exc.message_ko} ({exc.field or ''})")
        return redirect("continuity-queue")
    state = request.GET.get("state", "open")
    shown = items.filter(state=state) if state in ReconciliationItem.State.values else items
    return render(
        request,
        "continuity/queue.html",
        {"items": shown[:200], "state": state, "open_count": items.filter(state="open").count()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def edge(request: HttpRequest) -> HttpResponse:
    """The edge's mode, journal and the operator's switch (edge nodes only)."""
    node = agent.current
    actor = actor_for_request(request)
    if node is None:
        return render(request, "continuity/edge.html", {"node": None}, status=404)
    if request.method == "POST":
        try:
            execute(
                SwitchContinuityMode(
                    actor=actor,
                    channel=Channel.COUNTER,
                    jurisdiction=node.config.office,
                    edge_id=node.config.edge_id,
                    force=request.POST.get("force") == "1",
                )
            )
            if request.POST.get("force") == "1":
                node.set_mode(agent.CONTINUITY, "operator")
        except DomainError as exc:
            messages.error(request, exc.message_ko)
        return redirect("continuity-edge")
    state = node.state()
    return render(
        request,
        "continuity/edge.html",
        {"node": node, "state": state, "pending": journal.length(state.pushed_rowid)},
    )


@login_required
@require_http_methods(["GET"])
def petition_status(request: HttpRequest) -> HttpResponse:
    """민원 진행 조회: where an open petition stands, by receipt number, from this server's
    data. On an edge it is the replica of the office's open petitions (fresh as of the
    last sync), so the counter can answer a citizen while central is away. It shows what
    the public tracking page shows (types, state, department, deadline, public steps),
    no personal data."""
    from minwon.petitions import policies as petition_policies
    from minwon.petitions import receipts, tracking
    from minwon.petitions.models import Application

    actor = actor_for_request(request)
    policies.require_staff(actor)
    node = agent.current
    context: dict[str, Any] = {
        "number": request.GET.get("receipt", "").strip()[:40],
        "synced": node.state().last_sync_at if node is not None else None,
        "edge": node,
    }
    status = 200
    if context["number"]:
        number = receipts.normalize(context["number"])
        application = None
        if not receipts.is_well_formed(number):
            context["error"] = DomainError(
                "접수번호 형식이 올바르지 않습니다 (예: 51130-260309-7K3QX9MZ-4).",
                "Malformed receipt number.",
                field="receipt",
            )
            status = 400
        else:
            application = Application.objects.filter(receipt_number=number).first()
            if application is None or not petition_policies.can_read_application(
                actor, application
            ):
                context["error"] = DomainError(
                    "이 서버의 자료에 없는 접수번호입니다. 종결된 민원과 다른 기관의 민원은 "
                    "중앙 시스템(민원처리 인터넷공개)에서 확인하세요.",
                    "No open petition of this office has that receipt number here.",
                    field="receipt",
                )
                status = 404
            else:
                context["view"] = tracking.public_view(application)
    return render(request, "continuity/petitions.html", context, status=status)
