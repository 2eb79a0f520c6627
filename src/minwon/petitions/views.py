"""Petition pages: citizens apply, follow their petitions and supplement them; anyone tracks
a petition with its receipt number and a second factor; clerks receive at the counter and
print the 접수증; officers work their queue by deadline; department heads see the load.

Views parse input, run one command through ``execute`` and render; a refusal is shown as a
message naming the field, and nothing is changed.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext, gettext_lazy
from django.views.decorators.http import require_POST

from minwon.accounts.actors import actor_for_request
from minwon.kernel import clock, execute, formats, offices, rrn
from minwon.kernel.errors import DomainError, ValidationFailed
from minwon.kernel.types import Channel
from minwon.payments import checkout as fees
from minwon.payments import queries as payment_queries
from minwon.petitions import attachments, deadlines, policies, queries, receipts, tracking
from minwon.petitions.api import client_ip
from minwon.petitions.commands import ApplicationItem, SubmitApplication
from minwon.petitions.commands.intake import MAX_ITEMS, _check_documents, _check_form
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


def field_words(field: str, items: list[ApplicationItem], types: dict[str, PetitionType]) -> str:
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
        "attachments": gettext("첨부 파일"),
    }.get(field.split("[")[0], gettext("입력 내용"))


def _type_rows(types: dict[str, PetitionType], post: Any) -> list[dict[str, Any]]:
    """The form's view of each type: chosen or not, its fields and documents with what the
    citizen entered (kept across the steps and a refusal), and its 초성 for search."""
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


# --- applying, one step per screen ----------------------------------------------------------


@dataclasses.dataclass
class Draft:
    """What the citizen has entered so far. It lives in the form (each screen posts every
    earlier answer back as hidden inputs), never in the URL or the session."""

    post: Any
    types: dict[str, PetitionType]
    items: list[ApplicationItem]

    @property
    def office(self) -> str:
        return str(self.post.get("jurisdiction", "")).strip() if self.post else ""

    @property
    def chosen(self) -> list[PetitionType]:
        return [self.types[i.type_code] for i in self.items if i.type_code in self.types]

    @property
    def fee(self) -> int:
        return sum(t.fee for t in self.chosen)


def _check_types(draft: Draft) -> None:
    if not draft.items:
        raise ValidationFailed("신청할 민원을 하나 이상 고르세요.",
                               "Choose at least one petition type.", field="items")  # fmt: skip
    for n, item in enumerate(draft.items):
        if item.type_code not in draft.types:
            raise ValidationFailed("이 민원은 온라인으로 신청할 수 없습니다.",
                                   "This type cannot be filed online.",
                                   field=f"items[{n}].type_code")  # fmt: skip
    if len(draft.items) > MAX_ITEMS:
        raise ValidationFailed(f"한 번에 {MAX_ITEMS}건까지 신청할 수 있습니다.",
                               f"At most {MAX_ITEMS} petitions at once.", field="items")  # fmt: skip
    if draft.office not in dict(OFFICES):
        raise ValidationFailed("접수 기관을 고르세요.", "Choose the receiving office.",
                               field="jurisdiction")  # fmt: skip


def _check_forms(draft: Draft) -> None:
    for n, item in enumerate(draft.items):
        _check_form(n, draft.types[item.type_code], item.form)
    email = str(draft.post.get("email", "")).strip()
    if email and ("@" not in email or len(email) > 254):
        raise ValidationFailed("전자우편 주소가 올바르지 않습니다. (예: hong@example.kr)",
                               "Invalid e-mail address.", field="email")  # fmt: skip


def _check_handed(draft: Draft) -> None:
    missing = attachments.missing_files(draft.types, draft.items)
    if missing:
        raise ValidationFailed(missing, missing, field="attachments")
    for n, item in enumerate(draft.items):
        _check_documents(n, draft.types[item.type_code], item)


@dataclasses.dataclass(frozen=True)
class Step:
    """One screen of applying: the ``step`` value that asks for it, its words in the step
    indicator, its template, the POST fields its screen shows itself (a name, or a prefix
    ending in ``:``; every other field rides along as a hidden input) and the check the
    draft must pass before the citizen may go past it."""

    name: str
    label: str | Promise
    template: str
    owns: tuple[str, ...]
    check: Callable[[Draft], None] | None = None


STEPS = (
    Step("type", gettext_lazy("민원 선택"), "petitions/apply.html", ("type", "jurisdiction"),
         _check_types),
    Step("form", gettext_lazy("신청 내용"), "petitions/apply_form.html", ("f:", "content", "email"),
         _check_forms),
    Step("documents", gettext_lazy("구비서류"), "petitions/apply_documents.html",
         ("doc:", "staged:", "later:"),
         _check_handed),
    Step("review", gettext_lazy("확인"), "petitions/apply_review.html", ()),
    Step("pay", gettext_lazy("수수료 결제"), "petitions/apply_pay.html", ("card_",)),
)  # fmt: skip
STEP_NAMES = [s.name for s in STEPS]
DONE_LABEL = gettext_lazy("접수 완료")
NO_FEE_LABEL = gettext_lazy("수수료 없음(결제 생략)")
#: Never carried from screen to screen: the card stays on the payment screen.
NOT_CARRIED = ("csrfmiddlewaretoken", "step", "card_number", "card_expiry")


def _indicator(current: str, fee: int | None) -> dict[str, Any]:
    """The KRDS step indicator, ``2/5 신청 내용``: the five screens before filing; with no
    fee (``fee`` 0 once types are chosen; ``None``: not known yet) the payment step shows
    as skipped. ``current`` ``done``: every step done (the receipt, 접수 완료)."""
    at = len(STEPS) if current == "done" else STEP_NAMES.index(current)
    steps = []
    for i, step in enumerate(STEPS):
        skipped = step.name == "pay" and fee == 0
        state = "done" if i < at else "active" if i == at else ""
        steps.append({"n": i + 1, "label": NO_FEE_LABEL if skipped else step.label,
                      "state": "skipped done" if skipped and state == "done" else state})  # fmt: skip
    label = DONE_LABEL if current == "done" else STEPS[at].label
    return {"steps": steps, "step_n": min(at + 1, len(STEPS)), "step_total": len(STEPS),
            "step_label": label, "step_done": current == "done"}  # fmt: skip


def _hidden(post: Any, owns: tuple[str, ...]) -> list[tuple[str, str]]:
    """Every answer of the other screens, as (name, value) pairs for hidden inputs."""
    if not post:
        return []

    def owned(key: str) -> bool:
        return any(key.startswith(o) if o.endswith(":") or o.endswith("_") else key == o
                   for o in owns)  # fmt: skip

    return [(k, v) for k, values in post.lists() for v in values
            if k not in NOT_CARRIED and not owned(k)]  # fmt: skip


def _step_of(field: str) -> str:
    """The screen where a refused field is entered."""
    if re.match(r"items\[\d+\]\.form\.", field) or field in ("email", "phone"):
        return "form"
    if field.endswith(".documents") or field == "attachments":
        return "documents"
    if field.startswith(("card", "payment", "approval", "amount", "order")):
        return "pay"
    if field in ("items", "jurisdiction", "channel") or field.endswith(".type_code"):
        return "type"
    return "review"


def _words(exc: DomainError, draft: Draft) -> str:
    english = (get_language() or "").startswith("en")
    where = field_words(exc.field, draft.items, draft.types) if exc.field else ""
    if exc.field and _step_of(exc.field) == "pay":
        where = ""  # the payment screen's messages name the card field themselves
    text = exc.message_en if english else exc.message_ko
    return text + (f" ({gettext('항목')}: {where})" if where else "")


def _mark_invalid(rows: list[dict[str, Any]], draft: Draft, error: DomainError | None) -> None:
    """The control a refusal names gets ``aria-invalid`` and points at the message."""
    match = re.fullmatch(r"items\[(\d+)\]\.form\.(\w+)", (error.field or "") if error else "")
    if match is None or int(match.group(1)) >= len(draft.items):
        return
    code = draft.items[int(match.group(1))].type_code
    for row in rows:
        for spec in row["fields"] if row["t"].code == code else []:
            spec["invalid"] = spec["name"] == match.group(2)


def _screen(request: HttpRequest, name: str, draft: Draft,
            error: DomainError | None = None) -> HttpResponse:  # fmt: skip
    step = STEPS[STEP_NAMES.index(name)]
    post = draft.post
    context: dict[str, Any] = {
        "step": name, **_indicator(name, draft.fee if draft.chosen else None), "hidden": _hidden(post, step.owns),
        "rows": _type_rows(draft.types, post), "offices": OFFICES,
        "error": _words(error, draft) if error else "",
        "error_field": error.field if error else "",
        "office": draft.office, "office_name": dict(OFFICES).get(draft.office, draft.office),
        "content": post.get("content", "") if post else "",
        "email": post.get("email", "") if post else getattr(request.user, "email", ""),
        "total_fee": draft.fee, "demo_card": fees.demo_card(),
    }  # fmt: skip
    context["chosen"] = [r for r in context["rows"] if r["selected"]]
    attachments.decorate(context["rows"], draft.items)
    if name != "documents":  # the files staged so far ride along as references
        context["hidden"] = [
            (k, v) for k, v in context["hidden"] if not k.startswith(("staged:", "later:"))
        ] + attachments.hidden_inputs(draft.items)
    _mark_invalid(context["rows"], draft, error)
    if name == "pay":
        context["order"] = fees.order_for(post.get("order", "") if post else "")
        context["hidden"] = [(k, v) for k, v in context["hidden"] if k != "order"]
    return render(request, step.template, context, status=error.status if error else 200)


def _file(request: HttpRequest, draft: Draft, *, paying: bool) -> HttpResponse:
    """접수 (and, with a fee, 결제 first): the card is charged, the application filed with
    the paid order, and a charge whose application is refused is given back at once."""
    order = str(request.POST.get("order", "")).strip()
    actor = actor_for_request(request)
    charged = False
    try:
        office = _office(request, OFFICES[0][0])
        if paying:
            what = ", ".join(t.name for t in draft.chosen)
            paid = fees.charge(request, actor=actor, office=office, amount=draft.fee,
                               order=order, what=what)  # fmt: skip
            charged = True
        result = execute(
            SubmitApplication(
                actor=actor, channel=Channel.ONLINE, jurisdiction=office, items=draft.items,
                email=request.POST.get("email", ""), phone=request.POST.get("phone", ""),
                payment_order=order if paying else "",
                command_id=fees.filing_id(order) if paying else uuid.uuid4(),
            )
        )  # fmt: skip
    except DomainError as exc:
        if charged:
            fees.void(actor=actor, office=draft.office, order=order)
        return _screen(request, _step_of(exc.field or ""), draft, exc)
    number = result.value["receipt_number"]
    request.session[JUST_FILED] = number
    messages.success(request, f"접수되었습니다. 접수번호 {number}")
    if paying:
        messages.success(request, f"수수료 {formats.money(paid.amount)}을 결제했습니다.")
    return redirect("petitions-mine-detail", receipt_number=number)


JUST_FILED = "minwon_just_filed"


@login_required
def apply(request: HttpRequest) -> HttpResponse:
    """Citizens apply one step per screen (``STEPS``): 민원 선택 → 신청 내용 → 구비서류 →
    확인 → 수수료 결제 (only with a fee) → 접수 완료. Each screen posts ``step`` (the
    screen wanted) with every answer so far; moving forward checks every earlier screen
    and a refusal shows the screen where the field is. ``step=submit`` files (and pays);
    a POST without ``step`` files at once, unpaid, as API-like clients do."""
    types = {t.code: t for t in queries.petition_types(channel="online")}
    if request.method != "POST":
        return _screen(request, "type", Draft(None, types, []))
    draft = Draft(request.POST, types, _items_from_post(request, types))
    wanted = request.POST.get("step")
    try:  # files uploaded on the documents screen are checked and staged at once
        draft.items = attachments.with_files(request, types, draft.items, upload=True)
    except DomainError as exc:
        return _screen(request, "documents", draft, exc)
    if wanted is None:
        return _file(request, draft, paying=False)
    wanted = {"edit": "type"}.get(wanted, wanted)
    if wanted != "submit" and wanted not in STEP_NAMES:
        wanted = "type"
    if wanted == "pay" and draft.fee == 0:
        wanted = "review"
    before = STEPS if wanted == "submit" else STEPS[: STEP_NAMES.index(wanted)]
    for step in before:
        try:
            if step.check is not None:
                step.check(draft)
        except DomainError as exc:
            return _screen(request, step.name, draft, exc)
    if wanted == "submit":
        return _file(request, draft, paying=draft.fee > 0)
    return _screen(request, wanted, draft)


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
    receipt_number = application.receipt_number
    files = {p.seq: attachments.listed(p) for p in application.items.order_by("seq")}
    just_filed = request.session.get(JUST_FILED) == receipt_number
    if just_filed:
        request.session.pop(JUST_FILED, None)
    payment = payment_queries.payment_of(receipt_number)
    return render(request, "petitions/mine_detail.html", {
        "view": view, "pin": receipts.pin_for(receipt_number), "application": application,
        "files": files, "limit": attachments.limit_words(),
        "office": offices.contact(application.jurisdiction_id), "payment": payment,
        **(_indicator("done", sum(p.type.fee for p in application.items.select_related("type")))
           if just_filed else {}),
    }, status=status)  # fmt: skip


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
        "payment": payment_queries.payment_of(receipt_number),
    })  # fmt: skip
