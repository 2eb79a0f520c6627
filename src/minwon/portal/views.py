"""Portal pages: the landing page every officer sees after log-in (``/staff/``), the
integrated search (``/staff/search/``) and opening a hit. Views parse, call ``queries`` and
``policies``, and render.

The search form posts its terms: a resident number typed into it must not end up in a URL.
A plain ``?q=`` link works for anything that is not a resident number.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from minwon.accounts.actors import actor_for_request
from minwon.administration.policies import can_open_django_admin
from minwon.kernel import clock
from minwon.kernel.errors import DomainError

from . import landing, policies, queries
from .models import Kind


def _portal_actor(request: HttpRequest) -> Any:
    actor = actor_for_request(request)
    if not policies.can_use(actor):
        raise PermissionDenied
    return actor


@login_required
def home(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    if not policies.can_land(actor):
        raise PermissionDenied
    context = landing.overview(actor, request.user, now=clock.now())
    context["django_admin"] = can_open_django_admin(request.user)
    return render(request, "portal/home.html", context)


@login_required
def search(request: HttpRequest) -> HttpResponse:
    actor = _portal_actor(request)
    data = request.POST if request.method == "POST" else request.GET
    text = (data.get("q") or "").strip()
    kind = data.get("kind") or ""
    if kind not in Kind.values:
        kind = ""
    results = None
    error = ""
    status = 200
    if text:
        if request.method != "POST" and queries.looks_like_rrn(text):
            error = "주민등록번호는 검색창에 입력해 검색하세요 (주소에 넣지 않습니다)."
            status = 400
            text = ""
        else:
            try:
                results = queries.search(
                    actor,
                    text,
                    per_kind=50 if kind else queries.PER_KIND,
                    kinds=[kind] if kind else None,
                )
            except DomainError as exc:
                error = exc.message_ko
                status = 400
    # A resident number is searched, never echoed back into the page.
    shown = "" if queries.looks_like_rrn(text) else text
    return render(
        request,
        "portal/search.html",
        {"q": shown, "kind": kind, "results": results, "error": error, "cap": queries.CAP},
        status=status,
    )


@login_required
def open_hit(request: HttpRequest, kind: str, entity_id: str) -> HttpResponse:
    """Open one hit: the app's own page where there is one (a person's page writes the
    access log with the purpose 통합검색), else the hit's summary. Out of scope = 404."""
    actor = _portal_actor(request)
    document = queries.document_for(actor, kind, entity_id)
    if document is None:
        raise Http404
    target = queries.open_target(document, actor)
    if target["url"]:
        return redirect(target["url"])
    return render(request, "portal/hit.html", {"document": document})
