"""Sharing pages. Citizens: 열람 이력 (who read my data) and my consents (give, revoke).
Staff: consent at the counter, and the message-log search for operators and auditors.
Views parse, call a query or ``execute``, and render."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from minwon.accounts.actors import actor_for_request
from minwon.kernel import clock, execute, rrn
from minwon.kernel.errors import DomainError
from minwon.kernel.types import NATION, Channel

from . import catalog, policies, queries
from .commands import GiveConsent, LookUpPetitionDocument, RaiseObjection, RevokeConsent
from .forms import ConsentForm, CounterConsentForm, MessageSearchForm


def _citizen_index(request: HttpRequest) -> str:
    index = getattr(request.user, "identity_index", "")
    if not policies.is_citizen(actor_for_request(request)) or not index:
        raise PermissionDenied
    return str(index)


@login_required
def my_access(request: HttpRequest) -> HttpResponse:
    from minwon.registry.queries import person_by_index

    index = _citizen_index(request)
    person = person_by_index(index)
    entries = queries.data_access_of(
        subject_index=index, person_id=person.pk if person else None, on=clock.now().date()
    )
    done = queries.objected(index)
    rows = [(e, (e.source, e.reference) in done) for e in entries]
    return render(request, "sharing/my_access.html", {"rows": rows})


@login_required
def object_to_read(request: HttpRequest) -> HttpResponse:
    """이의 제기 from the 열람 이력: one read, a reason; the auditors get the case."""
    _citizen_index(request)
    if request.method != "POST":
        raise Http404
    try:
        execute(
            RaiseObjection(
                actor=actor_for_request(request), channel=Channel.ONLINE, jurisdiction=NATION,
                source=request.POST.get("source", ""), target=request.POST.get("target", ""),
                text=request.POST.get("text", ""),
            )
        )  # fmt: skip
    except DomainError as exc:
        messages.error(request, exc.message_ko)
    else:
        messages.success(request, _("이의 제기를 접수했습니다. 감사 담당자가 확인합니다."))
    return redirect("sharing-my-access")


@login_required
def objections(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    if not policies.can_read_log(actor):
        raise PermissionDenied
    rows = list(policies.visible_objections(actor).order_by("-raised_at")[:200])
    return render(request, "sharing/objections.html", {"rows": rows})


def _consent_rows(index: str) -> list[dict[str, Any]]:
    on = clock.now().date()
    rows = []
    for c in queries.consents_of(index):
        names = [catalog.items()[code].name for code in c.items if code in catalog.items()]
        purpose = catalog.items()[c.items[0]].purpose(c.purpose).name if c.items else c.purpose
        rows.append({"c": c, "items": ", ".join(names), "purpose": purpose,
                     "state": queries.consent_state(c, on)})  # fmt: skip
    return rows


def _give(request: HttpRequest, form: ConsentForm, channel: Channel, subject: Any = None) -> bool:
    item, purpose = form.item_and_purpose()
    try:
        execute(
            GiveConsent(
                actor=actor_for_request(request), channel=channel,
                jurisdiction=getattr(request.user, "office_id", None) or NATION,
                recipient_kind="agency", recipient_id=form.cleaned_data["recipient_id"],
                items=[item], purpose=purpose, valid_until=form.cleaned_data["valid_until"],
                subject_rrn=subject,
            )
        )  # fmt: skip
    except DomainError as exc:
        fields = {"subject_rrn": "rrn", "items": "scope", "purpose": "scope"}
        target = fields.get(exc.field or "", exc.field or "")
        form.add_error(target if target in form.fields else None, exc.message_ko)
        return False
    return True


@login_required
def my_consents(request: HttpRequest) -> HttpResponse:
    index = _citizen_index(request)
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _give(request, form, Channel.ONLINE):
        messages.success(request, _("동의를 등록했습니다."))
        return redirect("sharing-my-consents")
    return render(request, "sharing/my_consents.html", {"form": form, "rows": _consent_rows(index)})


@login_required
def revoke(request: HttpRequest, reference: uuid.UUID) -> HttpResponse:
    _citizen_index(request)
    if request.method != "POST":
        raise Http404
    try:
        execute(
            RevokeConsent(
                actor=actor_for_request(request), channel=Channel.ONLINE, jurisdiction=NATION,
                reference=reference,
            )
        )  # fmt: skip
    except DomainError as exc:
        messages.error(request, exc.message_ko)
    else:
        messages.success(request, _("동의를 철회했습니다."))
    return redirect("sharing-my-consents")


@login_required
def counter_consent(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    office = getattr(request.user, "office_id", None) or NATION
    if not policies.can_record_consent_at_counter(actor, office):
        raise PermissionDenied
    form = CounterConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            subject = rrn.SealedRRN.from_text(form.cleaned_data["rrn"], field="rrn")
        except DomainError as exc:
            form.add_error("rrn", exc.message_ko)
        else:
            if _give(request, form, Channel.COUNTER, subject):
                messages.success(request, _("정보주체의 동의를 등록했습니다."))
                return redirect("sharing-counter-consent")
    return render(request, "sharing/counter_consent.html", {"form": form})


@login_required
def message_log(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    if not policies.can_read_log(actor):
        raise PermissionDenied
    form = MessageSearchForm(request.GET or None)
    rows: list[Any] = []
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        rows = queries.search_messages(actor, queries.MessageFilter(**data))
    elif not form.is_bound:
        rows = queries.search_messages(actor, queries.MessageFilter())
    stats = queries.sharing_stats(actor, since=clock.now() - timedelta(hours=24))
    return render(request, "sharing/message_log.html", {"form": form, "rows": rows, "stats": stats})


@login_required
def petition_lookup(request: HttpRequest, receipt_number: str, seq: int) -> HttpResponse:
    """The officer's button on a petition: confirm one look-up document through sharing."""
    from minwon.petitions.models import Petition

    if request.method != "POST":
        raise Http404
    jurisdiction = (
        Petition.objects.filter(application__receipt_number=receipt_number, seq=seq)
        .values_list("jurisdiction_id", flat=True)
        .first()
    )
    if jurisdiction is None:
        raise Http404
    try:
        execute(
            LookUpPetitionDocument(
                actor=actor_for_request(request), channel=Channel.COUNTER,
                jurisdiction=jurisdiction, receipt_number=receipt_number, seq=seq,
                document=request.POST.get("document", ""),
            )
        )  # fmt: skip
    except DomainError as exc:
        messages.error(request, exc.message_ko)
    else:
        messages.success(request, _("행정정보 공동이용으로 확인했습니다."))
    return redirect("petitions-staff-detail", receipt_number=receipt_number, item=seq)
