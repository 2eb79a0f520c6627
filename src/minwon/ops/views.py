"""The room's pages (/ops/): the live wall screen and its htmx fragments, incidents, service
plans and alert rules; and the public status fragment citizen pages load.

Pages parse input, execute a command and render; the live fragments are polled by htmx
(every few seconds), and the charts fetch ``series.json``. Opening the room also keeps the
evaluation tick going (lease-guarded, so many open screens run it once).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from minwon.accounts.actors import actor_for_request
from minwon.kernel import clock, execute, formats
from minwon.kernel.errors import DomainError
from minwon.kernel.types import NATION, Channel, Command
from minwon.ops import alerts, health, plans, policies, queries, rollups
from minwon.ops import commands as c
from minwon.ops.models import AlertRule, Incident, ServicePlan

View = Callable[..., HttpResponse]
log = logging.getLogger(__name__)

#: How far back the room's charts go (hours, per minute).
CHART_HOURS = 6


def room_required(view: View) -> View:
    """Logged-in operators and sysadmins (``ops.room``); everyone else gets 403."""

    @login_required
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        policies.require_room(actor_for_request(request))
        return view(request, *args, **kwargs)

    return wrapped


def _run(request: HttpRequest, cls: type[Command], **fields: Any) -> Any:
    return execute(
        cls(actor=actor_for_request(request), channel=Channel.ONLINE, jurisdiction=NATION, **fields)
    ).value


def _lines(value: str) -> list[str]:
    return [p.strip() for p in value.replace(",", "\n").splitlines() if p.strip()]


@room_required
def room(request: HttpRequest) -> HttpResponse:
    _tick()
    return render(request, "ops/room.html", {
        **_summary_context(), **_health_context(request), **_alerts_context(),
        "chart_range": _chart_range(),
        # The wall clock follows the server's, not the browser's (which may be wrong).
        "server_now_ms": int(clock.now().timestamp() * 1000),
    })  # fmt: skip


def _chart_range() -> str:
    """The charts' span in words, Korean time (the script keeps it current)."""
    now = clock.now()
    end = rollups.minute_of(now)
    text = formats.instant_range(end - timedelta(hours=CHART_HOURS), end)
    return f"{text} ({gettext('한국 시간')})"


def _tick() -> None:
    """Keep the evaluation going while the room is open; a failing check must not take
    the wall screen down with it (the failure is logged, the next poll retries)."""
    try:
        alerts.tick()
    except Exception:
        log.exception("ops tick failed")


def _summary_context() -> dict[str, Any]:
    rollups.flush()  # this process's own counts first; others flush every few seconds
    return {
        "today": queries.today_vs_last_week(),
        "channels": queries.per_channel(),
        "regions": queries.per_region(),
        "requests": queries.request_stats(),
        "api_clients": queries.api_clients()[:8],
        "staff_sessions": queries.staff_sessions(),
        "sharing": queries.sharing_today(),
        "notice_campaigns": queries.notice_campaigns(),
    }


def _health_context(request: HttpRequest) -> dict[str, Any]:
    board = health.board()
    return {
        "board": board, "overall": health.worst(board), "violations": plans.violations(board),
        "kiosks": policies.kiosk_devices(actor_for_request(request)),
    }  # fmt: skip


def _alerts_context() -> dict[str, Any]:
    return {"open_alerts": queries.open_alerts(), "incidents": queries.active_incidents()}


@room_required
def live_summary(request: HttpRequest) -> HttpResponse:
    return render(request, "ops/_summary.html", _summary_context())


@room_required
def live_health(request: HttpRequest) -> HttpResponse:
    return render(request, "ops/_health.html", _health_context(request))


@room_required
def live_alerts(request: HttpRequest) -> HttpResponse:
    _tick()
    return render(request, "ops/_alerts.html", _alerts_context())


@room_required
def live_series(request: HttpRequest) -> JsonResponse:
    rollups.flush()
    return JsonResponse(queries.series(hours=CHART_HOURS))


@require_POST
@room_required
def acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    error = None
    try:
        _run(
            request,
            c.AcknowledgeAlert,
            alert_id=alert_id,
            name=request.POST.get("name", ""),
            note=request.POST.get("note", ""),
        )
    except DomainError as exc:
        error = {"alert_id": alert_id, "field": exc.field, "message": exc.message_ko}
    if request.headers.get("HX-Request"):
        return render(
            request,
            "ops/_alerts.html",
            {**_alerts_context(), "ack_error": error},
            status=400 if error else 200,
        )
    return redirect("ops-room")


class IncidentForm(forms.Form):
    title = forms.CharField(label="제목", max_length=120)
    level = forms.ChoiceField(label="공개 수준", choices=Incident.Level.choices, initial="degraded")
    affected_services = forms.CharField(label="영향 서비스 (쉼표로 구분)", required=False)
    affected_offices = forms.CharField(label="영향 기관 행정구역코드 (쉼표로 구분)", required=False)
    continuity_offices = forms.CharField(label="연속성 모드 기관 행정구역코드", required=False)
    public_status = forms.CharField(
        label="대체 창구 안내 (시민에게 공개)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    note = forms.CharField(
        label="첫 경과 메모", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    alert_id = forms.IntegerField(label="관련 경보 번호", required=False, min_value=1)


def _add_error(form: forms.Form, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message_ko)


@room_required
def incident_list(request: HttpRequest) -> HttpResponse:
    form = IncidentForm(
        request.POST or None, initial={"alert_id": request.GET.get("alert") or None}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            value = _run(
                request, c.OpenIncident, title=data["title"], level=data["level"],
                affected_services=_lines(data["affected_services"]), affected_offices=_lines(data["affected_offices"]),
                continuity_offices=_lines(data["continuity_offices"]), public_status=data["public_status"],
                note=data["note"], alert_id=data["alert_id"],
            )  # fmt: skip
        except DomainError as exc:
            _add_error(form, exc)
        else:
            return redirect("ops-incident", incident_id=value["incident_id"])
    incidents = Incident.objects.order_by("-opened_at")[:100]
    return render(
        request,
        "ops/incidents.html",
        {"form": form, "incidents": incidents},
        status=400 if form.errors else 200,
    )


class UpdateForm(forms.Form):
    state = forms.ChoiceField(
        label="상태", choices=[("open", "대응 중"), ("monitoring", "복구 확인 중")]
    )
    level = forms.ChoiceField(label="공개 수준", choices=Incident.Level.choices)
    public_status = forms.CharField(
        label="대체 창구 안내 (시민에게 공개)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    affected_services = forms.CharField(label="영향 서비스 (쉼표로 구분)", required=False)
    affected_offices = forms.CharField(label="영향 기관 행정구역코드", required=False)
    continuity_offices = forms.CharField(label="연속성 모드 기관 행정구역코드", required=False)


class NoteForm(forms.Form):
    text = forms.CharField(
        label="경과 메모", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class ResolveForm(forms.Form):
    summary = forms.CharField(
        label="결과 요약 (원인, 조치, 재발 방지)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )


@room_required
def incident_detail(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = get_object_or_404(Incident, pk=incident_id)
    action = request.POST.get("action") if request.method == "POST" else None
    initial = {
        "state": incident.state if incident.state != "resolved" else "open",
        "level": incident.level,
        "public_status": incident.public_status,
        "affected_services": ", ".join(incident.affected_services),
        "affected_offices": ", ".join(incident.affected_offices),
        "continuity_offices": ", ".join(incident.continuity_offices),
    }
    update = UpdateForm(request.POST if action == "update" else None, initial=initial, prefix="u")
    note = NoteForm(request.POST if action == "note" else None, prefix="n")
    resolve = ResolveForm(request.POST if action == "resolve" else None, prefix="r")
    bound = {"update": update, "note": note, "resolve": resolve}.get(action or "")
    if bound is not None and bound.is_valid():
        data = bound.cleaned_data
        try:
            if action == "note":
                _run(request, c.AddIncidentNote, incident_id=incident.pk, text=data["text"])
            elif action == "resolve":
                _run(request, c.ResolveIncident, incident_id=incident.pk, summary=data["summary"])
            else:
                _run(
                    request, c.UpdateIncident, incident_id=incident.pk, state=data["state"], level=data["level"],
                    public_status=data["public_status"], affected_services=_lines(data["affected_services"]),
                    affected_offices=_lines(data["affected_offices"]), continuity_offices=_lines(data["continuity_offices"]),
                )  # fmt: skip
        except DomainError as exc:
            _add_error(bound, exc)
        else:
            return redirect("ops-incident", incident_id=incident.pk)
    context = {
        "incident": incident,
        "entries": incident.entries.all(),
        "update_form": update,
        "note_form": note,
        "resolve_form": resolve,
    }
    return render(
        request,
        "ops/incident.html",
        context,
        status=400 if bound is not None and bound.errors else 200,
    )


class DrillForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput)
    drilled_at = forms.DateTimeField(
        label="훈련 일시", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    note = forms.CharField(label="훈련 내용", max_length=300)


@room_required
def services(request: HttpRequest) -> HttpResponse:
    form = DrillForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _run(
                request,
                c.RecordDrill,
                key=form.cleaned_data["key"],
                drilled_at=form.cleaned_data["drilled_at"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            _add_error(form, exc)
        else:
            return redirect("ops-services")
    found: dict[str, list[plans.Violation]] = {}
    for v in plans.violations():
        found.setdefault(v.service, []).append(v)
    rows = [(p, found.get(p.key, [])) for p in ServicePlan.objects.all()]
    context = {"rows": rows, "grades": plans.GRADES, "form": form}
    return render(request, "ops/services.html", context, status=400 if form.errors else 200)


class RuleForm(forms.Form):
    threshold = forms.FloatField(label="임계값", min_value=0)
    window_minutes = forms.IntegerField(label="구간(분)", min_value=1, max_value=1440)
    min_volume = forms.IntegerField(label="최소 건수", min_value=0)
    severity = forms.ChoiceField(
        label="심각도",
        choices=[(s, formats.LABELS["severity"][s]) for s in ("critical", "major", "minor")],
    )
    enabled = forms.BooleanField(label="사용", required=False)
    email_to = forms.CharField(label="알림 메일 (쉼표로 구분)", required=False, max_length=300)


@room_required
def rules(request: HttpRequest) -> HttpResponse:
    alerts.ensure_rules()
    may_edit = policies.can_edit_alert_rules(actor_for_request(request))
    errors: dict[str, RuleForm] = {}
    if request.method == "POST":
        key = request.POST.get("key", "")
        rule = get_object_or_404(AlertRule, pk=key)
        form = RuleForm(request.POST, prefix=rule.key)
        if form.is_valid():
            try:
                _run(request, c.SetAlertRule, key=rule.key, **form.cleaned_data)
            except DomainError as exc:
                _add_error(form, exc)
            else:
                return redirect("ops-rules")
        errors[rule.key] = form
    rows = []
    for rule in AlertRule.objects.all():
        form = errors.get(rule.key) or RuleForm(
            prefix=rule.key,
            initial={
                f: getattr(rule, f)
                for f in (
                    "threshold",
                    "window_minutes",
                    "min_volume",
                    "severity",
                    "enabled",
                    "email_to",
                )
            },
        )
        rows.append((rule, alerts.KINDS.get(rule.kind, rule.kind), form))
    return render(
        request,
        "ops/rules.html",
        {"rows": rows, "may_edit": may_edit},
        status=400 if errors else 200,
    )


def public_status_fragment(request: HttpRequest) -> HttpResponse:
    """The 대체 창구 안내 banner for citizen pages (empty when all is well)."""
    response = render(request, "ops/public_status.html", {"status": queries.public_status()})
    response["Cache-Control"] = "max-age=15, public"
    return response
