"""Pages answer a value the database cannot hold (an id of 2**70 in a URL) with the 400
page instead of a server error; no dynamic answer is cached (``NoStoreMiddleware``)."""

from __future__ import annotations

from collections.abc import Callable

from django.db import DataError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers


class BadValueMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OverflowError | DataError):
            return render(request, "400.html", status=400)
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
