"""Certificate pages: public verification (/verify/), a citizen's online issuance, and the
counter clerk's issuing screen. Kiosk pages are in ``kiosk.py``. Each page parses input,
runs ``IssueCertificate`` through ``execute`` and renders; refusals are shown with the
field they concern and change nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from minwon.accounts.actors import actor_for_request
from minwon.documents import policies, queries, ratelimit
from minwon.documents.api import pdf_response
from minwon.documents.catalog import CATALOG, fee_for
from minwon.documents.commands import IssueCertificate
from minwon.kernel import execute, rrn
from minwon.kernel.errors import DomainError, ValidationFailed
from minwon.kernel.types import NATION, Channel

MAX_UPLOAD = 5 * 1024 * 1024


def _types(channel: Channel) -> list[dict[str, Any]]:
    return [
        {"code": spec.code.value, "title": spec.title, "fee": fee_for(spec.code, channel)}
        for spec in CATALOG.values()
        if fee_for(spec.code, channel) is not None
    ]


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def options_from(post: Any) -> dict[str, Any]:
    """The per-type options a form posts (shared by citizen, counter and kiosk pages)."""
    return {
        "subject": (post.get("subject") or "self").strip(),
        "show_rrn_back": post.get("show_rrn_back") == "on",
        "include_relationship": post.get("include_relationship", "on") == "on",
        "include_history": post.get("include_history") == "on",
        "history_from": _date(post.get("history_from", "")),
        "history_to": _date(post.get("history_to", "")),
        "purpose": post.get("purpose", "").strip(),
    }


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """진위확인: by number + printed code, or by uploading the PDF."""
    context: dict[str, Any] = {"number": request.GET.get("n", "")}
    status = 200
    if request.method == "POST":
        try:
            ratelimit.check(request)
            if request.POST.get("action") == "file":
                upload = request.FILES.get("file")
                if upload is None or upload.size is None or upload.size > MAX_UPLOAD:
                    raise DomainError(
                        "확인할 PDF 파일(5MB 이하)을 선택하세요.",
                        "Choose the PDF file to check (5 MB at most).",
                        field="file",
                    )
                result = queries.verify_file(upload.read())
            else:
                context["number"] = request.POST.get("number", "")
                result = queries.verify_by_number(
                    request.POST.get("number", ""), request.POST.get("code", "")
                )
            context["result"] = result.as_dict()
        except DomainError as exc:
            context["error"] = exc
            status = exc.status
    return render(request, "documents/verify.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def citizen_certificates(request: HttpRequest) -> HttpResponse:
    """A citizen's online issuance (free where the law makes it free) and their history."""
    actor = actor_for_request(request)
    policies.require_citizen_page(actor)
    subjects = policies.requestable_subjects(actor)
    context: dict[str, Any] = {"types": _types(Channel.ONLINE), "subjects": subjects}
    status = 200
    if request.method == "POST":
        cert_type = request.POST.get("cert_type", "")
        options = options_from(request.POST)
        context["chosen"] = {"cert_type": cert_type, "subject": options["subject"]}
        try:
            if not policies.needs_person(cert_type):
                options["subject"] = request.POST.get("subject_ref", "").strip()
            elif subjects and not policies.can_request(actor, cert_type, options["subject"]):
                raise ValidationFailed(
                    "이 증명서를 받을 수 있는 사람을 '발급 대상' 목록에서 고르세요. 세대원의 "
                    "증명서는 주민등록표 등본·초본만 발급됩니다.",
                    "Choose who the certificate is about from the list. For other household "
                    "members only resident register copies and abstracts are issued.",
                    field="subject",
                )
            result = execute(
                IssueCertificate(
                    actor=actor, channel=Channel.ONLINE, jurisdiction=NATION,
                    cert_type=cert_type, **options,
                )
            )  # fmt: skip
            context["issued"] = result.value
        except DomainError as exc:
            context["error"] = exc
            status = exc.status
    context["history"] = queries.issuances_for(actor)[:20]
    return render(request, "documents/citizen.html", context, status=status)


@login_required
def download(request: HttpRequest, number: str) -> HttpResponse:
    """The signed PDF for the person who obtained it or staff in scope (404 otherwise)."""
    try:
        data = queries.pdf_for(actor_for_request(request), number)
    except DomainError:
        raise Http404 from None
    return pdf_response(data, number)


def _counter_mode() -> str:
    """Continuity mode on an office edge node cut off from central (minwon.continuity)."""
    from minwon.continuity.agent import in_continuity

    return "continuity" if in_continuity() else "normal"


def _at_counter(command: IssueCertificate) -> Any:
    """On an office edge node central issues while it answers, the edge only in continuity
    mode (``minwon.continuity.gateway.at_counter``); elsewhere this is ``execute``."""
    from minwon.continuity.gateway import at_counter

    return at_counter(command)


@login_required
@require_http_methods(["GET", "POST"])
def counter(request: HttpRequest) -> HttpResponse:
    """창구 발급: the clerk checks the applicant's ID (and 위임장), takes the fee, issues
    and prints."""
    actor = actor_for_request(request)
    policies.require_staff_page(actor)
    context: dict[str, Any] = {"types": _types(Channel.COUNTER)}
    status = 200
    if request.method == "POST":
        try:
            applicant = request.POST.get("applicant_rrn", "").strip()
            index = (
                rrn.blind_index(rrn.parse(applicant, field="applicant_rrn")) if applicant else ""
            )
            result = _at_counter(
                IssueCertificate(
                    actor=actor, channel=Channel.COUNTER,
                    jurisdiction=getattr(request.user, "office_id", None) or NATION,
                    cert_type=request.POST.get("cert_type", ""), applicant_index=index,
                    delegate_name=request.POST.get("delegate_name", ""),
                    power_of_attorney=request.POST.get("power_of_attorney", ""),
                    payment_method=request.POST.get("payment_method", ""),
                    mode=_counter_mode(), **options_from(request.POST),
                )
            )  # fmt: skip
            context["issued"] = result.value
        except DomainError as exc:
            context["error"] = exc
            status = exc.status
    return render(request, "documents/counter.html", context, status=status)
