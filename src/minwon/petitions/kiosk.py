"""무인민원발급기 (kiosk) petition pages: one task per screen — identity, choose a petition
type the catalog allows at a kiosk, fill its form, confirm, and the 접수증 on screen (receipt
number and PIN, large, with a print button).

The identity check is the certificate kiosk's: the deployment's identity verifier
(``minwon.accounts.identity``). What it yields lives in this kiosk session only, until the
person finishes, touches nothing for the idle time (``kiosk.js`` opens the reset URL) or
comes back after it (the server forgets a stale session too). Submission is
``SubmitApplication`` on the kiosk channel, filed for the verified person at the office of
the enrolled device that serves the page (``accounts.kiosks``), never one the request names.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from minwon.accounts import kiosks
from minwon.documents import kiosk as certificate_kiosk
from minwon.kernel import execute, offices
from minwon.kernel.errors import DomainError, ValidationFailed
from minwon.kernel.rrn import SealedRRN
from minwon.kernel.types import Channel
from minwon.payments import checkout as fees
from minwon.payments.queries import payment_of
from minwon.petitions import queries, receipts
from minwon.petitions.commands import ApplicationItem, SubmitApplication
from minwon.petitions.commands.intake import _check_documents, _check_form
from minwon.petitions.models import Application, PetitionType

SESSION = "minwon_kiosk_petitions"
KIOSK = "kiosk"


def _stale(state: dict[str, Any]) -> bool:
    """A session untouched for longer than the idle time belongs to someone who left."""
    return time.time() - float(state.get("seen", 0)) > certificate_kiosk.idle_seconds() + 30


def _state(request: HttpRequest) -> dict[str, Any]:
    state: dict[str, Any] = request.session.get(SESSION) or {}
    if state and _stale(state):
        request.session.pop(SESSION, None)
        return {}
    return state


def _save(request: HttpRequest, state: dict[str, Any]) -> None:
    state["seen"] = time.time()
    request.session[SESSION] = state
    request.session.modified = True


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    context.update(
        kiosk_reset_url=reverse("petitions-kiosk-reset"),
        kiosk_idle_seconds=certificate_kiosk.idle_seconds(),
        kiosk_heartbeat_url=reverse("kiosk-heartbeat"),
    )
    error = context.get("error")
    if isinstance(error, DomainError) and error.field:
        context["error_words"] = _error_words(error, context.get("t"))
    state = _state(request)
    if state.get("index"):
        _save(request, state)  # any screen shown counts as a touch
    return render(request, template, context, status=status)


def _error_words(error: DomainError, ptype: PetitionType | None) -> str:
    """The field an error names, in the words of the screen (``items[0].form.items`` →
    대형폐기물 배출 신고: 배출 품목 수; ``type_code`` → 신청할 민원), never the command's path."""
    from minwon.petitions.views import field_words

    field = error.field or ""
    if field == "type_code":
        field = "items[0].type_code"
    items = [ApplicationItem(type_code=ptype.code)] if ptype is not None else []
    types = {ptype.code: ptype} if ptype is not None else {}
    return field_words(field, items, types)


def _kiosk_types() -> list[PetitionType]:
    return list(queries.petition_types(channel=KIOSK))


def reset(request: HttpRequest) -> HttpResponse:
    """Forget the last person entirely (this flow's and the certificate kiosk's state)."""
    request.session.pop(SESSION, None)
    request.session.pop(certificate_kiosk.SESSION, None)
    request.session.pop(certificate_kiosk.PROOF, None)
    return redirect("kiosk-home")


@require_http_methods(["GET", "POST"])
def identity(request: HttpRequest) -> HttpResponse:
    """1. 본인 확인, through the same verifier as the certificate kiosk."""
    if request.method != "POST":
        request.session.pop(certificate_kiosk.PROOF, None)
        return _page(request, "kiosk/petitions/identity.html", {})
    who, context = certificate_kiosk.proof_step(request)
    if who is None:
        status = context.pop("status", 200)
        return _page(request, "kiosk/petitions/identity.html", context, status=status)
    _save(request, {
        "index": who.identity_index, "name": who.name[:60],
        "sealed": {"index": who.sealed_rrn.index, "ciphertext": who.sealed_rrn.ciphertext},
        "receipts": [],
    })  # fmt: skip
    return redirect("petitions-kiosk-choose")


def choose(request: HttpRequest) -> HttpResponse:
    """2. 민원 선택: only the types whose channels include the kiosk."""
    state = _state(request)
    if not state.get("index"):
        return redirect("petitions-kiosk-identity")
    return _page(request, "kiosk/petitions/choose.html",
                 {"types": _kiosk_types(), "name": state["name"]})  # fmt: skip


def _not_at_kiosk(ptype: PetitionType) -> ValidationFailed:
    return ValidationFailed(
        f"'{ptype.name}'은(는) 무인민원발급기에서 신청할 수 없습니다. "
        "온라인(누리집)이나 민원실 창구에서 신청하세요.",
        f"'{ptype.code}' cannot be filed at a kiosk; apply online or at a counter.",
        field="type_code",
        code="channel_not_allowed",
    )


def _field_name(error: DomainError) -> str:
    """The form control an error names (``items[0].form.parcel`` → ``parcel``)."""
    field = error.field or ""
    if ".form." in field:
        return field.rsplit(".form.", 1)[1]
    return "documents" if field.endswith(".documents") else field


@require_http_methods(["GET", "POST"])
def fill(request: HttpRequest, code: str) -> HttpResponse:
    """3. 신청 내용: the type's own fields, what the applicant hands in, a free text."""
    state = _state(request)
    if not state.get("index"):
        return redirect("petitions-kiosk-identity")
    ptype = PetitionType.objects.filter(code=code, active=True).first()
    if ptype is None:
        raise Http404
    if KIOSK not in ptype.channels:
        return _page(request, "kiosk/petitions/choose.html", {
            "types": _kiosk_types(), "name": state["name"], "error": _not_at_kiosk(ptype),
        }, status=400)  # fmt: skip
    context: dict[str, Any] = {"t": ptype, "fields": _fields(ptype, {}), "values": {}, "handed": []}
    if request.method == "POST":
        form = {s["name"]: request.POST.get(f"f:{s['name']}", "").strip() for s in ptype.fields}
        content = request.POST.get("content", "").strip()
        if content:
            form["content"] = content
        handed = request.POST.getlist("documents")
        try:
            _check_form(0, ptype, form)
            _check_documents(0, ptype, ApplicationItem(type_code=ptype.code, documents=handed))
        except DomainError as exc:
            context.update(error=exc, error_field=_field_name(exc), values=form, handed=handed,
                           fields=_fields(ptype, form))  # fmt: skip
            return _page(request, "kiosk/petitions/fill.html", context, status=exc.status)
        state["pending"] = {"type_code": ptype.code, "form": form, "documents": handed,
                            "command_id": str(uuid.uuid4())}  # fmt: skip
        _save(request, state)
        return redirect("petitions-kiosk-confirm")
    return _page(request, "kiosk/petitions/fill.html", context)


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest) -> HttpResponse:
    """4. 확인 and 접수: the one command that files the application; a type with a fee goes
    to the card step first (``pay``)."""
    state = _state(request)
    pending = state.get("pending")
    if not state.get("index") or not pending:
        return redirect("petitions-kiosk-identity")
    ptype = PetitionType.objects.filter(code=pending["type_code"]).first()
    if ptype is None:
        raise Http404
    context: dict[str, Any] = {"t": ptype, "pending": pending, "name": state["name"],
                               "answers": _answers(ptype, pending["form"])}  # fmt: skip
    if request.method == "POST":
        if ptype.fee > 0:
            return redirect("petitions-kiosk-pay")
        try:
            return _file(request, state, ptype)
        except DomainError as exc:
            context["error"] = exc
            return _page(request, "kiosk/petitions/confirm.html", context, status=exc.status)
    return _page(request, "kiosk/petitions/confirm.html", context)


def _file(request: HttpRequest, state: dict[str, Any], ptype: PetitionType,
          order: str = "") -> HttpResponse:  # fmt: skip
    """``SubmitApplication`` at the device's office for the verified person (with the paid
    order, when there is a fee), then the receipt screen."""
    pending = state["pending"]
    device = kiosks.device_of(request)
    taken = None
    try:
        taken = kiosks.take_issue(device, state["index"])
        result = execute(
            SubmitApplication(
                actor=kiosks.actor_of(device),
                channel=Channel.KIOSK, jurisdiction=device.office_id,
                command_id=uuid.UUID(pending["command_id"]),
                items=[ApplicationItem(type_code=ptype.code, form=pending["form"],
                                       documents=pending["documents"])],
                applicant_name=state["name"], sealed_rrn=SealedRRN(**state["sealed"]),
                payment_order=order,
            )
        )  # fmt: skip
    except DomainError:
        if taken is not None:
            taken.refund()  # refused: nothing was filed
        raise
    if result.replayed:
        taken.refund()  # a double tap: the first tap's filing, counted once
    number = result.value["receipt_number"]
    state["receipts"] = [*state.get("receipts", []), number]
    state.pop("pending", None)
    _save(request, state)
    return redirect("petitions-kiosk-done", receipt_number=number)


@require_http_methods(["GET", "POST"])
def pay(request: HttpRequest) -> HttpResponse:
    """5. 수수료 결제: the card (a reader, or its number typed on the screen) is charged
    through the same payment interface as online, then the application is filed; a charge
    whose application is refused goes back at once."""
    state = _state(request)
    pending = state.get("pending")
    if not state.get("index") or not pending:
        return redirect("petitions-kiosk-identity")
    ptype = PetitionType.objects.filter(code=pending["type_code"]).first()
    if ptype is None:
        raise Http404
    if ptype.fee == 0:
        return redirect("petitions-kiosk-confirm")
    pending["order"] = fees.order_for(pending.get("order", ""))
    _save(request, state)
    context: dict[str, Any] = {"t": ptype, "name": state["name"], "demo_card": fees.demo_card()}
    if request.method == "POST":
        device = kiosks.device_of(request)
        actor = kiosks.actor_of(device)
        try:
            fees.charge(request, actor=actor, office=device.office_id, amount=ptype.fee,
                        order=pending["order"], what=ptype.name, channel=Channel.KIOSK)  # fmt: skip
            return _file(request, state, ptype, order=pending["order"])
        except DomainError as exc:
            fees.void(actor=actor, office=device.office_id, order=pending["order"],
                      channel=Channel.KIOSK)  # fmt: skip
            context.update(error=exc, error_field=exc.field or "")
            return _page(request, "kiosk/petitions/pay.html", context, status=exc.status)
    return _page(request, "kiosk/petitions/pay.html", context)


def _fields(ptype: PetitionType, values: dict[str, Any]) -> list[dict[str, Any]]:
    return [{**spec, "value": values.get(spec["name"], "")} for spec in ptype.fields]


def _answers(ptype: PetitionType, form: dict[str, Any]) -> list[tuple[str, str]]:
    rows = [(s.get("label", s["name"]), str(form.get(s["name"], ""))) for s in ptype.fields]
    return [r for r in rows if r[1]]


def done(request: HttpRequest, receipt_number: str) -> HttpResponse:
    """5. 접수증 on screen: the receipt number and PIN for tracking, and a print button —
    only in the kiosk session that filed it."""
    if receipt_number not in _state(request).get("receipts", []):
        return redirect("petitions-kiosk-identity")
    application = Application.objects.filter(receipt_number=receipt_number).first()
    if application is None:
        raise Http404
    return _page(request, "kiosk/petitions/done.html", {
        "a": application, "items": application.items.select_related("type").order_by("seq"),
        "pin": receipts.pin_for(receipt_number),
        "office": offices.contact(application.jurisdiction_id),
        "payment": payment_of(receipt_number),
    })  # fmt: skip
