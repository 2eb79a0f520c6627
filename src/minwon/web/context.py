"""Template context: the menus for the area a page belongs to."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from minwon.accounts.actors import actor_for_request
from minwon.accounts.policies import holds_anywhere
from minwon.web import nav


def _menu(request: HttpRequest, area: str) -> list[dict[str, Any]]:
    actor = actor_for_request(request)
    out: list[dict[str, Any]] = []
    for item in nav.items(area):
        if item.permission and not holds_anywhere(actor, item.permission):
            continue
        url = nav.resolve(item)
        if url is None:
            continue
        count = item.badge(actor) if item.badge is not None else 0
        out.append({"url": url, "label": _(item.label), "active": False, "count": count})
    # One item is the current page: the longest menu URL the path lies under (결재함 at
    # /staff/petitions/approvals/ is not also 민원 처리함 at /staff/petitions/).
    under = [e for e in out if e["url"] != "/" and request.path.startswith(e["url"])]
    if under:
        max(under, key=lambda e: len(e["url"]))["active"] = True
    return out


def navigation(request: HttpRequest) -> dict[str, Any]:
    path = request.path
    user = getattr(request, "user", None)
    context: dict[str, Any] = {}
    if path.startswith("/staff/") and user is not None and user.is_authenticated:
        context["staff_nav"] = _menu(request, "staff")
    elif not path.startswith(("/kiosk/", "/ops/", "/api/", "/admin/")):
        context["citizen_nav"] = _menu(request, "citizen")
    return context
