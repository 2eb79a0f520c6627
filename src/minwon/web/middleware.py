"""Refusals on pages, mapped once for every page as the API maps them for every endpoint
(``web.api``): a domain error a view lets through becomes its status page, and a value the
database cannot hold (an id of 2**70 in a URL) the 400 page, never a server error.

``NotFound`` is the plain 404 page, the same body whatever was asked for: a record out of
the caller's scope and one that does not exist cannot be told apart (DESIGN §3.6).

No dynamic answer is cached (``NoStoreMiddleware``): pages and answers carry personal data.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import DataError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from minwon.kernel.errors import DomainError, Forbidden, IdempotencyConflict, NotFound


class ErrorPageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OverflowError | DataError):
            return render(request, "400.html", status=400)
        if isinstance(exception, NotFound):
            return render(request, "404.html", status=404)
        if isinstance(exception, Forbidden):
            return render(request, "403.html", {"error": exception}, status=403)
        if isinstance(exception, DomainError):
            status = 409 if isinstance(exception, IdempotencyConflict) else exception.status
            return render(request, "400.html", {"error": exception}, status=status)
        return None


class NoStoreMiddleware:
    """Nothing minwon renders is kept by a browser or a proxy cache (DESIGN §3.4): pages and
    API answers show resident numbers, addresses, petitions and tax bills, and a shared
    kiosk, a counter PC or an office proxy must not keep them after the session. Every
    dynamic response gets ``Cache-Control: no-store`` unless its view set a policy of its
    own; static files (served by WhiteNoise, above this middleware) keep theirs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response
