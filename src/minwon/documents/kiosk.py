"""무인민원발급기 (kiosk) pages: one task per screen — identity, choose a certificate, its
options, pay, print. The verified identity lives in the kiosk's session only until the
document is printed or 60 s pass without a touch (``kiosk.js`` then opens the reset URL).

Every page is served only to an enrolled device (``accounts.kiosks``, the gate in front of
these views): the office that issues and the kiosk id in the ledger are the device's.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from minwon.accounts import identity, kiosks
from minwon.documents import queries
from minwon.documents.api import pdf_response
from minwon.documents.catalog import CATALOG, CertType, PaymentMethod, fee_for
from minwon.documents.commands import IssueCertificate
from minwon.documents.views import options_from
from minwon.kernel import execute, throttle
from minwon.kernel.errors import DomainError
from minwon.kernel.types import Actor, Channel
from minwon.payments import checkout as fees
from minwon.payments.queries import payment_of

SESSION = "minwon_kiosk"


def idle_seconds() -> int:
    """Inactivity before the kiosk forgets the person (60 s; shorter only for tests)."""
    return int(os.environ.get("MINWON_KIOSK_IDLE_SECONDS", "60"))


def _state(request: HttpRequest) -> dict[str, Any]:
    state: dict[str, Any] = request.session.get(SESSION) or {}
    return state


def _save(request: HttpRequest, state: dict[str, Any]) -> None:
    request.session[SESSION] = state
    request.session.modified = True


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    context.update(
        kiosk_reset_url=reverse("kiosk-reset"),
        kiosk_idle_seconds=idle_seconds(),
        kiosk_heartbeat_url=reverse("kiosk-heartbeat"),
        step_name=context.get("step_name", ""),
    )
    return render(request, template, context, status=status)


def home(request: HttpRequest) -> HttpResponse:
    return _page(request, "kiosk/documents/home.html", {})


def reset(request: HttpRequest) -> HttpResponse:
    """Forget everything about the last person (inactivity or 처음으로)."""
    request.session.pop(SESSION, None)
    request.session.pop(PROOF, None)
    return redirect("kiosk-home")


PROOF = "minwon_kiosk_proof"


def proof_step(request: HttpRequest) -> tuple[identity.VerifiedIdentity | None, dict[str, Any]]:
    """The two steps of 본인 확인 at a kiosk, shared by its certificate and petition pages:
    a name and number start the proofing (the verifier sends a code to the registered
    contact, or a production kiosk reads a fingerprint), the code completes it. Returns the
    verified identity once complete, else the context for the screen to show, with the
    error (status) of a refused step. Both steps are throttled per address, per device
    and per identity (``kiosks.start_proof``, ``kiosks.complete_proof``)."""
    address = throttle.client_address(request)
    device = kiosks.device_of(request)
    context: dict[str, Any] = {"demo_mail": identity.demo_mode()}
    try:
        if "code" in request.POST and request.session.get(PROOF):
            challenge = identity.Challenge.from_dict(request.session[PROOF])
            context["challenge"] = True
            who = kiosks.complete_proof(device, address, challenge, code=request.POST["code"])
            request.session.pop(PROOF, None)
            return who, context
        context["name"] = request.POST.get("name", "")[:60]
        started = kiosks.start_proof(
            device, address, name=request.POST.get("name", ""), rrn=request.POST.get("rrn", "")
        )
        request.session[PROOF] = started.as_dict()
        context["challenge"] = True
    except DomainError as exc:
        context.update(error=exc, status=exc.status)
    return None, context


@require_http_methods(["GET", "POST"])
def identity_page(request: HttpRequest) -> HttpResponse:
    """본인 확인 through the deployment's identity verifier (``proof_step``)."""
    if request.method == "POST":
        who, context = proof_step(request)
        if who is not None:
            _save(request, {"index": who.identity_index, "name": who.name, "issued": [],
                            "assurance": who.assurance.value})  # fmt: skip
            return redirect("kiosk-choose")
        status = context.pop("status", 200)
        return _page(request, "kiosk/documents/identity.html", context, status=status)
    request.session.pop(PROOF, None)
    return _page(request, "kiosk/documents/identity.html", {})


def choose(request: HttpRequest) -> HttpResponse:
    state = _state(request)
    if not state.get("index"):
        return redirect("kiosk-identity")
    types = [
        {"code": s.code.value, "title": s.title, "fee": fee_for(s.code, Channel.KIOSK)}
        for s in CATALOG.values()
        if fee_for(s.code, Channel.KIOSK) is not None
    ]
    return _page(request, "kiosk/documents/choose.html", {"types": types, "name": state["name"]})


def _kiosk_type(code: str) -> CertType:
    try:
        cert_type = CertType(code)
    except ValueError:
        raise Http404 from None
    if fee_for(cert_type, Channel.KIOSK) is None:
        raise Http404
    return cert_type


@require_http_methods(["GET", "POST"])
def options(request: HttpRequest, code: str) -> HttpResponse:
    state = _state(request)
    if not state.get("index"):
        return redirect("kiosk-identity")
    cert_type = _kiosk_type(code)
    if request.method == "POST":
        chosen = options_from(request.POST)
        chosen["history_from"] = chosen["history_from"] and chosen["history_from"].isoformat()
        chosen["history_to"] = chosen["history_to"] and chosen["history_to"].isoformat()
        state["pending"] = {"cert_type": cert_type.value, "options": chosen}
        _save(request, state)
        return redirect("kiosk-pay")
    spec = CATALOG[cert_type]
    return _page(request, "kiosk/documents/options.html", {"spec": spec, "code": cert_type.value})


@require_http_methods(["GET", "POST"])
def pay(request: HttpRequest) -> HttpResponse:
    """수수료 결제, then issue. A card (a reader, or its number typed on the screen) is
    charged through the payment interface (``payments.checkout``) under the order key kept
    in this session, and the certificate is issued with that paid order under a command id
    derived from it, so a repeated tap charges and issues once; a charge whose issuance is
    refused goes back at once. Cash is the kiosk's cash unit, recorded in the ledger."""
    from datetime import date

    state = _state(request)
    pending = state.get("pending")
    if not state.get("index") or not pending:
        return redirect("kiosk-home")
    cert_type = CertType(pending["cert_type"])
    fee = fee_for(cert_type, Channel.KIOSK) or 0
    if fee:
        pending["order"] = fees.order_for(pending.get("order", ""))
        _save(request, state)
    context: dict[str, Any] = {"spec": CATALOG[cert_type], "fee": fee,
                               "demo_card": fees.demo_card() if fee else None}  # fmt: skip
    if request.method == "POST":
        chosen = dict(pending["options"])
        for key in ("history_from", "history_to"):
            chosen[key] = date.fromisoformat(chosen[key]) if chosen.get(key) else None
        method = request.POST.get("payment_method", "") if fee else ""
        order = pending["order"] if fee and method == PaymentMethod.CARD else ""
        device = kiosks.device_of(request)
        actor = kiosks.actor_of(device)
        taken = None
        try:
            taken = kiosks.take_issue(device, state["index"])
            if order:
                fees.charge(request, actor=actor, office=device.office_id, amount=fee,
                            order=order, what=CATALOG[cert_type].title, channel=Channel.KIOSK)  # fmt: skip
            result = execute(
                IssueCertificate(
                    actor=actor, channel=Channel.KIOSK,
                    jurisdiction=device.office_id, cert_type=cert_type.value,
                    applicant_index=state["index"], kiosk_id=device.device_id,
                    assurance=state.get("assurance", ""),
                    payment_method=method, payment_order=order,
                    command_id=fees.filing_id(order) if order else uuid.uuid4(),
                    **chosen,
                )
            )  # fmt: skip
        except DomainError as exc:
            if taken is not None:
                taken.refund()  # refused: nothing was issued
            if order:
                fees.void(actor=actor, office=device.office_id, order=order,
                          channel=Channel.KIOSK)  # fmt: skip
            context.update(error=exc, error_field=exc.field or "")
            return _page(request, "kiosk/documents/pay.html", context, status=exc.status)
        if result.replayed:
            taken.refund()  # a double tap: the first tap's issuance, counted once
        state["issued"] = [*state.get("issued", []), result.value["document_number"]]
        state.pop("pending", None)
        _save(request, state)
        return redirect("kiosk-done", number=result.value["document_number"])
    return _page(request, "kiosk/documents/pay.html", context)


def done(request: HttpRequest, number: str) -> HttpResponse:
    """발급 완료: the number to print, and what the card paid (amount, approval number,
    the card's last four digits) when the fee was charged to one."""
    if number not in _state(request).get("issued", []):
        return redirect("kiosk-home")
    return _page(request, "kiosk/documents/done.html",
                 {"number": number, "payment": payment_of(number)})  # fmt: skip


def print_pdf(request: HttpRequest, number: str) -> HttpResponse:
    """The document for the kiosk's print dialog — only in the session that issued it."""
    issued = frozenset(_state(request).get("issued", []))
    try:
        data = queries.pdf_for(Actor.anonymous(), number, kiosk_numbers=issued)
    except DomainError:
        raise Http404 from None
    return pdf_response(data, number, inline=True)
