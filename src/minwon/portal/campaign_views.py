"""자동취합 pages (``/staff/campaigns/``): the list and the form that makes a campaign, the
status board with a new form version and the downloads, and a recipient's answer form.
Views parse, call the commands and ``collect``/``policies``, and render; a campaign or a
recipient out of the officer's scope is a 404, like one that does not exist."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from minwon.accounts.actors import actor_for_request
from minwon.accounts.permissions import scopes_for
from minwon.kernel import clock, execute
from minwon.kernel.errors import DomainError, ValidationFailed
from minwon.kernel.models import Jurisdiction
from minwon.kernel.types import Actor, ActorKind, Channel

from . import collect, export, forms_def, policies
from .commands import CorrectAnswer, CreateCampaign, PublishFormVersion, RecipientSpec, SubmitAnswer
from .models import Answer, Campaign, Recipient

EXAMPLE = {
    "fields": [
        {"key": "population", "label": "주민등록 인구", "type": "number", "unit": "명",
         "register": "population"},
        {"key": "shelters", "label": "민방위 대피시설", "type": "number", "unit": "곳",
         "required": True},
        {"key": "checked_on", "label": "점검일", "type": "date"},
        {"key": "status", "label": "점검 결과", "type": "choice", "choices": ["양호", "보수 필요"]},
        {"key": "facilities", "label": "시설 목록", "type": "table", "columns": [
            {"key": "name", "label": "시설명", "type": "text", "required": True},
            {"key": "capacity", "label": "수용 인원", "type": "number", "unit": "명"},
        ]},
    ]
}  # fmt: skip
BLANK_ROWS = 3


def _staff(request: HttpRequest) -> Actor:
    actor = actor_for_request(request)
    if actor.kind != ActorKind.STAFF or not policies.can_use(actor):
        raise PermissionDenied
    return actor


def _offices(actor: Actor) -> list[Jurisdiction]:
    codes = scopes_for(actor, policies.MANAGE)
    return list(Jurisdiction.objects.filter(code__in=codes).order_by("code"))


def _when(text: str, field: str, label: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValidationFailed(
            f"{label}을(를) 날짜와 시각으로 입력하세요 (예: 2026-03-09 09:00).",
            f"Enter {field} as a date and time.",
            field=field,
        ) from None
    return moment.replace(tzinfo=clock.SEOUL) if moment.tzinfo is None else moment


def _recipients(data: Any) -> list[RecipientSpec]:
    """The offices (``recipients``: codes) and departments (``departments``: "code:부서")
    ticked in the form; the command checks that each lies in the sending office."""
    specs = [RecipientSpec(jurisdiction=c) for c in data.getlist("recipients")]
    for value in data.getlist("departments"):
        code, _, department = str(value).partition(":")
        if not code.isdigit() or not department.strip():
            raise ValidationFailed(
                "받을 부서를 목록에서 고르세요.", "Choose departments from the list.",
                field="recipients",
            )  # fmt: skip
        specs.append(RecipientSpec(jurisdiction=code, department=department.strip()))
    return specs


def _create(actor: Actor, data: Any) -> int:
    office = data.get("office") or ""
    if office not in {o.code for o in _offices(actor)}:
        raise ValidationFailed("주관 기관을 고르세요.", "Choose the office.", field="office")
    try:
        definition = json.loads(data.get("definition") or "")
    except ValueError:
        raise ValidationFailed(
            "양식(JSON)의 문법이 올바르지 않습니다. 예시를 참고하세요.",
            "The form definition is not valid JSON.",
            field="definition",
        ) from None
    try:
        grace = int(data.get("grace_hours") or 0)
    except ValueError:
        raise ValidationFailed(
            "유예 시간은 숫자(시간)로 입력하세요.",
            "Grace hours must be a number.",
            field="grace_hours",
        ) from None
    previous = data.get("previous") or ""
    command = CreateCampaign(
        actor=actor, channel=Channel.ONLINE, jurisdiction=office,
        title=data.get("title") or "", round_label=data.get("round_label") or "",
        department=data.get("department") or "", definition=definition,
        recipients=_recipients(data),
        opens_at=_when(data.get("opens_at") or "", "opens_at", "시작 일시"),
        deadline_at=_when(data.get("deadline_at") or "", "deadline_at", "마감 일시"),
        grace_hours=grace, previous_campaign_id=int(previous) if previous.isdigit() else None,
    )  # fmt: skip
    return int(execute(command).value["campaign_id"])


@login_required
def campaigns(request: HttpRequest) -> HttpResponse:
    actor = _staff(request)
    offices = _offices(actor)
    error: DomainError | None = None
    if request.method == "POST":
        if not offices:
            raise PermissionDenied
        try:
            campaign_id = _create(actor, request.POST)
        except DomainError as exc:
            error = exc
        else:
            return redirect("portal-campaign", campaign_id=campaign_id)
    managed = policies.managed_campaigns(actor).select_related("jurisdiction").order_by("-opens_at")
    now = clock.now()
    targets = Jurisdiction.objects.filter(parent__in=offices).order_by("code") if offices else []
    departments = collect.departments_of([o.code for o in offices])
    return render(
        request,
        "portal/campaigns.html",
        {
            "managed": managed[:100], "mine": collect.open_for(actor, now=now), "offices": offices,
            "targets": targets, "error": error, "form": request.POST if error else {},
            "example": json.dumps(EXAMPLE, ensure_ascii=False, indent=2),
            "chosen": request.POST.getlist("recipients") if error else [],
            "departments": [
                {"value": f"{code}:{dept}", "label": dept if len(offices) == 1 else f"{name} {dept}"}
                for code, name, dept in departments
            ],
            "chosen_departments": request.POST.getlist("departments") if error else [],
        },
        status=error.status if error else 200,
    )  # fmt: skip


def _managed(request: HttpRequest, campaign_id: int) -> tuple[Actor, Campaign]:
    actor = _staff(request)
    campaign = Campaign.objects.select_related("jurisdiction").filter(pk=campaign_id).first()
    if campaign is None or not policies.can_manage(actor, campaign):
        raise Http404
    return actor, campaign


@login_required
def campaign(request: HttpRequest, campaign_id: int) -> HttpResponse:
    _, found = _managed(request, campaign_id)
    return _board(request, found, None)


def _board(request: HttpRequest, found: Campaign, error: DomainError | None) -> HttpResponse:
    version = collect.latest_version(found)
    return render(
        request,
        "portal/campaign.html",
        {
            "campaign": found, "board": collect.board(found, now=clock.now()),
            "version": version, "closes_at": collect.closes_at(found),
            "definition": json.dumps(version.definition, ensure_ascii=False, indent=2),
            "error": error,
        },
        status=error.status if error else 200,
    )  # fmt: skip


@login_required
@require_POST
def publish_version(request: HttpRequest, campaign_id: int) -> HttpResponse:
    actor, found = _managed(request, campaign_id)
    try:
        definition = json.loads(request.POST.get("definition") or "")
        execute(
            PublishFormVersion(
                actor=actor, channel=Channel.ONLINE, jurisdiction=found.jurisdiction_id,
                campaign_id=found.pk, definition=definition,
            )
        )  # fmt: skip
    except ValueError:
        error: DomainError = ValidationFailed(
            "양식(JSON)의 문법이 올바르지 않습니다.", "Not valid JSON.", field="definition"
        )
        return _board(request, found, error)
    except DomainError as exc:
        return _board(request, found, exc)
    return redirect("portal-campaign", campaign_id=found.pk)


@login_required
def download_xlsx(request: HttpRequest, campaign_id: int) -> FileResponse:
    _, found = _managed(request, campaign_id)
    return FileResponse(
        export.xlsx_file(found),
        as_attachment=True,
        filename=f"campaign-{found.pk}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@login_required
def download_csv(request: HttpRequest, campaign_id: int) -> StreamingHttpResponse:
    _, found = _managed(request, campaign_id)
    response = StreamingHttpResponse(
        export.csv_lines(found), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="campaign-{found.pk}.csv"'
    return response


# --- the recipient's answer form -----------------------------------------------------------


def _posted(fields: tuple[forms_def.Field, ...], data: Any) -> dict[str, Any]:
    """The form's inputs as an answer: ``f-<key>`` and ``t-<key>-<row>-<column>``."""
    out: dict[str, Any] = {}
    for f in fields:
        if f.type != "table":
            out[f.key] = data.get(f"f-{f.key}", "")
            continue
        rows = []
        for n in range(forms_def.MAX_ROWS):
            names = [f"t-{f.key}-{n}-{c.key}" for c in f.columns]
            if not any(name in data for name in names):
                break
            rows.append(
                {c.key: data.get(name, "") for c, name in zip(f.columns, names, strict=True)}
            )
        out[f.key] = rows
    return out


def _rows(fields: tuple[forms_def.Field, ...], values: dict[str, Any]) -> list[dict[str, Any]]:
    """What the template draws: each field with its value (tables with blank rows to add)."""
    shown = []
    for f in fields:
        value = values.get(f.key)
        if f.type == "table":
            lines = [
                line
                for line in (value or [])
                if isinstance(line, dict)
                and any(str(v).strip() for v in line.values() if v is not None)
            ]
            lines += [{}] * BLANK_ROWS
            value = [
                [(c, "" if line.get(c.key) is None else line.get(c.key)) for c in f.columns]
                for line in lines
            ]
        shown.append({"field": f, "value": "" if value is None else value})
    return shown


@login_required
def answer(request: HttpRequest, campaign_id: int, recipient_id: int) -> HttpResponse:
    actor = _staff(request)
    recipient = (
        Recipient.objects.select_related("campaign", "jurisdiction")
        .filter(pk=recipient_id, campaign_id=campaign_id)
        .first()
    )
    if recipient is None or not policies.can_answer(actor, recipient):
        raise Http404
    found = recipient.campaign
    fields = forms_def.parse(collect.latest_version(found).definition)
    current = Answer.objects.filter(recipient=recipient, current=True).first()
    error: DomainError | None = None
    values: dict[str, Any] = current.data if current else collect.prefill(recipient, fields)
    if request.method == "POST":
        values = _posted(fields, request.POST)
        common: dict[str, Any] = {
            "actor": actor, "channel": Channel.ONLINE, "jurisdiction": recipient.jurisdiction_id,
            "campaign_id": found.pk, "recipient_id": recipient.pk, "data": values,
        }  # fmt: skip
        try:
            if current is None:
                execute(SubmitAnswer(**common))
            else:
                execute(CorrectAnswer(**common, reason=request.POST.get("reason") or ""))
        except DomainError as exc:
            error = exc
        else:
            return redirect(
                "portal-campaign-answer", campaign_id=found.pk, recipient_id=recipient.pk
            )
    history = list(recipient.answers.select_related("form_version").order_by("-number"))
    return render(
        request,
        "portal/answer.html",
        {
            "campaign": found, "recipient": recipient, "label": collect.label(recipient),
            "rows": _rows(fields, values), "current": current, "history": history,
            "error": error, "open": collect.is_open(found, clock.now()),
            "closes_at": collect.closes_at(found),
            "reason": request.POST.get("reason", "") if error else "",
        },
        status=error.status if error else 200,
    )  # fmt: skip
