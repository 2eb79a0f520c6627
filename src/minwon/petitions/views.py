"""Petition pages: citizens apply, follow their petitions and supplement them; anyone tracks
a petition with its receipt number and a second factor; clerks receive at the counter and
print the 접수증; officers work their queue by deadline; department heads see the load.

Views parse input, run one command through ``execute`` and render; a refusal is shown as a
message naming the field, and nothing is changed.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_POST

from minwon.accounts.actors import actor_for_request
from minwon.kernel import clock, execute, formats, offices, rrn
from minwon.kernel.errors import DomainError, ValidationFailed
from minwon.kernel.types import Channel
from minwon.petitions import attachments, deadlines, policies, queries, receipts, tracking
from minwon.petitions.api import client_ip
from minwon.petitions.commands import ApplicationItem, SubmitApplication
from minwon.petitions.commands.workflow import ACTIONS, SubmitSupplement
from minwon.petitions.models import OPEN_STATES, PetitionType
from minwon.sharing.queries import petition_documents


def _error(request: HttpRequest, exc: DomainError) -> None:
    """The message, with the field named in words (``연장 기간: …``), never its code."""
    name = formats.korean("field", exc.field) if exc.field else ""
    known = name and name != exc.field and name not in exc.message_ko
    messages.error(request, f"{name}: {exc.message_ko}" if known else exc.message_ko)


def _items_from_post(request: HttpRequest, types: dict[str, PetitionType]) -> list[ApplicationItem]:
    items = []
    content = request.POST.get("content", "").strip()
    for code in request.POST.getlist("type"):
        ptype = types.get(code)
        form: dict[str, Any] = {"content": content} if content else {}
        if ptype is not None:
            for spec in ptype.fields:
                value = request.POST.get(f"f:{code}:{spec['name']}", "").strip()
                if value:
                    form[spec["name"]] = value
        items.append(
            ApplicationItem(
                type_code=code, form=form, documents=request.POST.getlist(f"doc:{code}")
            )
        )
    return items


def _office(request: HttpRequest, default: str) -> str:
    code = request.POST.get("jurisdiction", "").strip() or default
    if not (len(code) == 10 and code.isdigit()):
        raise ValidationFailed(
            "관할 기관을 고르세요.", "Choose the receiving office.", field="jurisdiction"
        )
    return code


OFFICES = [("5113000000", "강원특별자치도 원주시"), ("5211000000", "전북특별자치도 전주시"),
           ("4415000000", "충청남도 공주시")]  # fmt: skip


def _field_words(field: str, items: list[ApplicationItem], types: dict[str, PetitionType]) -> str:
    """An error's field in the words of the form (``items[0].form.items`` → 대형폐기물 배출
    신고: 배출 품목 수), never the command's path."""
    match = re.fullmatch(r"items\[(\d+)\]\.(form\.(\w+)|documents|type_code)", field)
    if match and int(match.group(1)) < len(items):
        ptype = types.get(items[int(match.group(1))].type_code)
        if ptype is not None:
            if match.group(3):
                spec = next((f for f in ptype.fields if f["name"] == match.group(3)), None)
                what = spec.get("label", match.group(3)) if spec else match.group(3)
            elif match.group(2) == "documents":
                what = gettext("제출 서류")
            else:
                what = gettext("신청할 민원")
            return f"{ptype.name}: {what}"
    return {
        "items": gettext("신청할 민원"),
        "jurisdiction": gettext("접수 기관"),
        "email": gettext("알림 받을 전자우편"),
        "phone": gettext("알림 받을 전화번호"),
    }.get(field.split("[")[0], gettext("입력 내용"))


def _type_rows(types: dict[str, PetitionType], post: Any) -> list[dict[str, Any]]:
    """The form's view of each type: chosen or not, its fields and documents with what the
    citizen entered (kept across the review step and a refusal), and its 초성 for search."""
    chosen = set(post.getlist("type")) if post else set()
    rows = []
    for t in types.values():
        handed = set(post.getlist(f"doc:{t.code}")) if post else set()
        rows.append({
            "t": t, "selected": t.code in chosen,
            "search": f"{t.name} {t.category} {t.legal_basis}",
            "choseong": formats.choseong(t.name),
            "documents": [{**d, "checked": d["name"] in handed} for d in t.documents],
            "fields": [{**f, "value": post.get(f"f:{t.code}:{f['name']}", "") if post else ""}
                       for f in t.fields],
        })  # fmt: skip
    return rows


@login_required
def apply(request: HttpRequest) -> HttpResponse:
    """Citizens: one form for one or more petition types, grouped by category with search,
    then a review of what will be filed (``step=review``), then filing (``step=submit``;
    a POST without ``step`` files at once, as API-like clients do)."""
    types = {t.code: t for t in queries.petition_types(channel="online")}
    post = request.POST if request.method == "POST" else None
    step = (post.get("step") or "submit") if post is not None else "form"
    error = ""
    items: list[ApplicationItem] = []
    if post is not None:
        items = _items_from_post(request, types)
        try:
            items = attachments.with_files(request, types, items, upload=step == "review")
        except DomainError as exc:  # a file refused: named with its type and document
            error = exc.message_en if (get_language() or "").startswith("en") else exc.message_ko
            step = "form"
        if step == "submit":
            try:
                result = execute(
                    SubmitApplication(
                        actor=actor_for_request(request), channel=Channel.ONLINE,
                        jurisdiction=_office(request, OFFICES[0][0]), items=items,
                        email=post.get("email", ""), phone=post.get("phone", ""),
                    )
                )  # fmt: skip
            except DomainError as exc:
                english = (get_language() or "").startswith("en")
                where = _field_words(exc.field, items, types) if exc.field else ""
                error = f"{exc.message_en if english else exc.message_ko}" + (
                    f" ({gettext('항목')}: {where})" if where else ""
                )
                step = "form"
            else:
                messages.success(
                    request, f"접수되었습니다. 접수번호 {result.value['receipt_number']}"
                )
                return redirect(
                    "petitions-mine-detail", receipt_number=result.value["receipt_number"]
                )
        elif step == "review" and not items:
            error = gettext("신청할 민원을 하나 이상 고르세요.")
            step = "form"
        elif step == "review" and (missing := attachments.missing_files(types, items)):
            error = missing
            step = "form"
        elif step != "review":
            step = "form"
    rows = _type_rows(types, post)
    attachments.decorate(rows, items)
    context: dict[str, Any] = {
        "rows": rows, "offices": OFFICES, "error": error,
        "office": post.get("jurisdiction", "") if post else "",
        "content": post.get("content", "") if post else "",
        "email": post.get("email", "") if post else getattr(request.user, "email", ""),
    }  # fmt: skip
    if step == "review":
        context["chosen"] = [r for r in rows if r["selected"]]
        context["office_name"] = dict(OFFICES).get(context["office"], context["office"])
        context["total_fee"] = sum(r["t"].fee for r in context["chosen"])
        context["hidden"] = [
            (k, v) for k, values in post.lists() for v in values  # type: ignore[union-attr]
            if k not in ("csrfmiddlewaretoken", "step") and not k.startswith(("staged:", "later:"))
        ] + attachments.hidden_inputs(items)  # fmt: skip
        return render(request, "petitions/apply_review.html", context)
    return render(request, "petitions/apply.html", context, status=400 if error else 200)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    applications = queries.applications_of_citizen(int(request.user.pk or 0))[:100]
    return render(request, "petitions/mine.html", {"applications": applications})


@login_required
def mine_detail(request: HttpRequest, receipt_number: str) -> HttpResponse:
    """The applicant's own application: the same policy as ``GET /api/petitions/<no>``."""
    application = policies.own_application(actor_for_request(request), receipt_number)
    return _mine_page(request, application)


def _mine_page(request: HttpRequest, application: Any, *, status: int = 200) -> HttpResponse:
    view = tracking.public_view(application)
    files = {p.seq: attachments.listed(p) for p in application.items.order_by("seq")}
    return render(request, "petitions/mine_detail.html",
                  {"view": view, "pin": receipts.pin_for(application.receipt_number),
                   "application": application, "files": files,
                   "limit": attachments.limit_words(),
                   "office": offices.contact(application.jurisdiction_id)}, status=status)  # fmt: skip


@login_required
@require_POST
def supplement(request: HttpRequest, receipt_number: str, item: int) -> HttpResponse:
    actor = actor_for_request(request)
    application = policies.own_application(actor, receipt_number)
    try:
        refs = attachments.supplement_files(request)
        execute(
            SubmitSupplement(
                actor=actor, channel=Channel.ONLINE,
                jurisdiction=application.jurisdiction_id, receipt_number=receipt_number,
                item=item, note=request.POST.get("note", ""),
                documents=[d for d in request.POST.get("documents", "").split(",") if d.strip()],
                attachments=refs,
            )
        )  # fmt: skip
        messages.success(request, "보완 내용을 제출했습니다.")
    except ValidationFailed as exc:
        if not exc.code.startswith("attachment"):
            _error(request, exc)
            return redirect("petitions-mine-detail", receipt_number=receipt_number)
        _error(request, exc)
        return _mine_page(request, application, status=400)
    except DomainError as exc:
        _error(request, exc)
    return redirect("petitions-mine-detail", receipt_number=receipt_number)


def track(request: HttpRequest) -> HttpResponse:
    """민원처리 인터넷공개: anyone with the receipt number and a second factor. The form
    posts and this answers with the result: the PIN, the name and the birth date never
    travel in a URL. A ``GET`` shows the form (``?receipt_number=`` fills in the number)."""
    view = None
    if request.method != "POST":
        query = {"receipt_number": request.GET.get("receipt_number", "").strip()[:40]}
        return render(request, "petitions/track.html", {"view": None, "query": query})
    number = request.POST.get("receipt_number", "").strip()
    query = {"receipt_number": number[:40], "name": request.POST.get("name", "")[:60]}
    status = 200
    if number:
        birth = None
        try:
            raw = request.POST.get("birth_date", "").strip()
            birth = date.fromisoformat(raw) if raw else None
            view = tracking.track(
                number,
                tracking.SecondFactor(name=request.POST.get("name", "")[:60], birth_date=birth,
                                      pin=request.POST.get("pin", "")[:12]),
                ip=client_ip(request),
            )  # fmt: skip
        except ValueError:
            messages.error(request, "생년월일은 YYYY-MM-DD 형식으로 입력하세요. (birth_date)")
            status = 400
        except DomainError as exc:
            _error(request, exc)
            status = exc.status
    return render(request, "petitions/track.html", {"view": view, "query": query}, status=status)


# --- staff --------------------------------------------------------------------------------


def _staff(request: HttpRequest, permission: str) -> None:
    policies.require_staff_page(actor_for_request(request), permission)


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """The officer's work queue: open petitions in scope, soonest deadline first."""
    _staff(request, policies.PROCESS)
    mine_only = request.GET.get("mine") == "1"
    rows = queries.work_queue(actor_for_request(request), now=clock.now(), mine_only=mine_only)
    return render(request, "petitions/queue.html", {"rows": rows, "mine_only": mine_only})


@login_required
def load(request: HttpRequest) -> HttpResponse:
    """The department head's view: load and overdue petitions per department."""
    _staff(request, policies.OVERSEE)
    actor = actor_for_request(request)
    now = clock.now()
    overdue = (
        [r for r in queries.work_queue(actor, now=now) if r["overdue"]]
        if policies.processes_anywhere(actor)
        else []
    )
    return render(request, "petitions/load.html",
                  {"departments": queries.department_load(actor, now=now), "overdue": overdue})  # fmt: skip


@login_required
def detail(request: HttpRequest, receipt_number: str, item: int) -> HttpResponse:
    """One petition in scope (404 for anyone else), with the actions the viewer may take
    on it now (derived from the workflow by ``policies.actions_for``)."""
    actor = actor_for_request(request)
    petition = policies.petition(actor, receipt_number, item)
    actions = [a for a in policies.actions_for(actor, petition) if a in ACTION_FIELDS]
    return render(request, "petitions/detail.html", {
        "p": petition, "steps": petition.steps.order_by("at", "id"), "actions": actions,
        "hours_left": deadlines.working_hours_left(petition.deadline_at, clock.now()),
        "is_open": petition.state in OPEN_STATES, "today": clock.now().date(),
        "documents": petition_documents(petition, can_fetch=policies.can_process(actor, petition)),
        "attachments": attachments.listed(petition),
    })  # fmt: skip


ACTION_FIELDS = {
    "assign": ("department", "reason"),
    "request-supplement": ("items_needed", "due_date", "reason"),
    "return": ("reason",),
    "extend": ("period", "reason", "applicant_consent"),
    "decide": ("outcome", "reason"),
    "deliver": ("method",),
    "transfer": ("to", "reason"),
    "close": (),
    "start-review": (),
}


@login_required
@require_POST
def action(request: HttpRequest, receipt_number: str, item: int, name: str) -> HttpResponse:
    petition = policies.petition(actor_for_request(request), receipt_number, item, shown=False)
    if name not in ACTION_FIELDS:
        raise Http404
    fields: dict[str, Any] = {}
    try:
        for key in ACTION_FIELDS[name]:
            raw = request.POST.get(key, "").strip()
            if key == "items_needed":
                fields[key] = [s for s in raw.splitlines() if s.strip()]
            elif key == "due_date":
                try:
                    fields[key] = date.fromisoformat(raw)
                except ValueError:
                    raise ValidationFailed("보완 기한을 YYYY-MM-DD로 입력하세요.", "Bad due date.",
                                           field="due_date") from None  # fmt: skip
            elif key == "applicant_consent":
                fields[key] = raw == "on"
            else:
                fields[key] = raw
        if name == "assign":
            fields["officer_id"] = request.user.pk
        execute(
            ACTIONS[name](actor=actor_for_request(request), channel=Channel.COUNTER,
                          jurisdiction=petition.jurisdiction_id, receipt_number=receipt_number,
                          item=item, **fields)
        )  # fmt: skip
        messages.success(request, "처리했습니다.")
    except DomainError as exc:
        _error(request, exc)
    return redirect("petitions-staff-detail", receipt_number=receipt_number, item=item)


@login_required
def intake(request: HttpRequest) -> HttpResponse:
    """Counter and mail intake by a clerk, on behalf of the applicant."""
    _staff(request, policies.INTAKE)
    types = {t.code: t for t in queries.petition_types()}
    office = getattr(request.user, "office_id", None) or OFFICES[0][0]
    if request.method == "POST":
        try:
            channel = Channel.MAIL if request.POST.get("channel") == "mail" else Channel.COUNTER
            number = request.POST.get("rrn", "").strip()
            birth = request.POST.get("applicant_birth", "").strip()
            try:
                birth_date = date.fromisoformat(birth) if birth else None
            except ValueError:
                raise ValidationFailed("생년월일은 YYYY-MM-DD 형식입니다.", "Bad birth date.",
                                       field="applicant_birth") from None  # fmt: skip
            occurred = clock.now()
            arrived = request.POST.get("arrived_at", "").strip()
            if channel == Channel.MAIL and arrived:
                from datetime import datetime

                try:
                    occurred = clock.local(datetime.fromisoformat(arrived))
                except ValueError:
                    raise ValidationFailed("도착 일시 형식이 올바르지 않습니다.", "Bad arrival time.",
                                           field="arrived_at") from None  # fmt: skip
            result = execute(
                SubmitApplication(
                    actor=actor_for_request(request), channel=channel, jurisdiction=office,
                    occurred_at=occurred, items=_items_from_post(request, types),
                    applicant_name=request.POST.get("applicant_name", ""), applicant_birth=birth_date,
                    sealed_rrn=rrn.SealedRRN.from_text(number) if number else None,
                    email=request.POST.get("email", ""), phone=request.POST.get("phone", ""),
                )
            )  # fmt: skip
        except DomainError as exc:
            _error(request, exc)
        else:
            return redirect("petitions-receipt", receipt_number=result.value["receipt_number"])
    return render(
        request,
        "petitions/intake.html",
        {"types": types.values(), "selected": request.POST.getlist("type")},
    )


@login_required
def receipt(request: HttpRequest, receipt_number: str) -> HttpResponse:
    """접수증: printable, with the PIN for public tracking."""
    actor = actor_for_request(request)
    policies.require_staff(actor)
    application = policies.application(actor, receipt_number)
    return render(request, "petitions/receipt.html", {
        "a": application, "items": application.items.select_related("type").order_by("seq"),
        "pin": receipts.pin_for(receipt_number),
        "office": offices.contact(application.jurisdiction_id),
    })  # fmt: skip
