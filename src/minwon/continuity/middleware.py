"""Edge-only middleware: the continuity banner on every counter page and the page policy.

Installed by ``minwon edge`` (not in central's settings). The banner is injected right
after the page header of every HTML page, so the other apps' counter pages show it without
knowing about continuity. In continuity mode, staff pages outside ``ALLOWED_PREFIXES``
answer with the refusal page naming the alternative channel (대체 창구 안내).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from . import agent, gateway

ALLOWED_PREFIXES = (
    "/staff/continuity",
    "/staff/petitions/intake",
    "/staff/petitions/receipt",
    "/staff/registry",
    "/staff/certificates",
    "/staff/login",
    "/staff/logout",
    "/accounts/",
)


def _allowed(path: str) -> bool:
    return path == "/staff/" or path.startswith(ALLOWED_PREFIXES)


class EdgeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        edge = agent.current
        if edge is None:
            return self.get_response(request)
        degraded = edge.mode != agent.NORMAL
        if degraded and request.path.startswith("/staff/") and not _allowed(request.path):
            html = render_to_string(
                "continuity/refused.html",
                {"alternative": gateway.alternative(edge), "edge": edge},
                request=request,
            )
            return HttpResponse(html, status=503)
        response = self.get_response(request)
        ctype = response.get("Content-Type", "")
        if not ctype.startswith("text/html") or getattr(response, "streaming", False):
            return response
        banner = render_to_string(
            "continuity/banner.html",
            {"edge": edge, "degraded": degraded, "alternative": gateway.alternative(edge)},
            request=request,
        )
        content = response.content.decode(response.charset or "utf-8")
        if "</header>" in content:
            content = content.replace("</header>", "</header>" + banner, 1)
            response.content = content.encode(response.charset or "utf-8")
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return response
