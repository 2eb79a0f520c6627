"""Refusals on pages, mapped once for every page as the API maps them for every endpoint
(``web.api``): a domain error a view lets through becomes its status page, and a value the
database cannot hold (an id of 2**70 in a URL) the 400 page, never a server error.

``NotFound`` is the plain 404 page, the same body whatever was asked for: a record out of
the caller's scope and one that does not exist cannot be told apart (DESIGN §3.6).

No dynamic answer is cached (``NoStoreMiddleware``): pages and answers carry personal data.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from csp.middleware import CSPMiddleware as _CSPMiddleware
from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.contrib.messages.middleware import MessageMiddleware as _MessageMiddleware
from django.contrib.messages.storage import default_storage
from django.core.signals import setting_changed
from django.db import DataError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.locale import LocaleMiddleware as _LocaleMiddleware
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.functional import SimpleLazyObject, empty
from django.utils.http import http_date

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


def _never_cache_value() -> str:
    """The ``Cache-Control`` Django's ``add_never_cache_headers`` writes on a response that
    has none: always the same string, so it is computed once."""
    probe = HttpResponse()
    add_never_cache_headers(probe)
    return probe["Cache-Control"]


_NEVER_CACHE = _never_cache_value()
_expires = threading.local()


def _expires_now() -> str:
    """``http_date(now)``, formatted once a second (per thread)."""
    second = int(time.time())
    if getattr(_expires, "second", None) != second:
        _expires.second, _expires.value = second, http_date(second)
    value: str = _expires.value
    return value


class NoStoreMiddleware:
    """Nothing minwon renders is kept by a browser or a proxy cache (DESIGN §3.4): pages and
    API answers show resident numbers, addresses, petitions and tax bills, and a shared
    kiosk, a counter PC or an office proxy must not keep them after the session. Every
    dynamic response gets ``Cache-Control: no-store`` unless its view set a policy of its
    own; static files (served by WhiteNoise, above this middleware) keep theirs.

    The headers are those of Django's ``add_never_cache_headers`` (``Expires`` now,
    ``Cache-Control: max-age=0, no-cache, no-store, must-revalidate, private``), written
    as two precomputed strings instead of parsing and rebuilding the header each time."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        headers = response.headers
        if "Cache-Control" not in headers:
            if "Expires" not in headers:
                headers["Expires"] = _expires_now()
            headers["Cache-Control"] = _NEVER_CACHE
        return response


class CSPMiddleware(_CSPMiddleware):  # type: ignore[misc]
    """django-csp's middleware with the policy built once: django-csp rebuilds the header
    from some thirty settings on every response. A response with a policy of its own
    (``@csp_update`` and the like) or a request that used its nonce gets it built as before;
    any other gets the header string built once (again when a ``CSP_*`` setting changes,
    as in tests)."""

    _cached: str | None = None

    def build_policy(self, request: HttpRequest, response: HttpResponse) -> str:
        if (
            getattr(request, "_csp_nonce", None)
            or getattr(response, "_csp_config", None)
            or getattr(response, "_csp_update", None)
            or getattr(response, "_csp_replace", None)
        ):
            policy: str = super().build_policy(request, response)
            return policy
        cached = CSPMiddleware._cached
        if cached is None:
            cached = CSPMiddleware._cached = super().build_policy(request, response)
        return cached


@receiver(setting_changed)
def _csp_setting_changed(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith("CSP_"):
        CSPMiddleware._cached = None


class MessageMiddleware(_MessageMiddleware):
    """Django's messages with the storage made when a view or a template first touches it:
    Django builds the cookie and session storages (and a cookie signer) for every request,
    also for the many that never show or add a message. A storage never touched has
    nothing to save, so the response skips ``update`` exactly when Django's would do
    nothing."""

    def process_request(self, request: HttpRequest) -> None:
        request._messages = SimpleLazyObject(lambda: default_storage(request))  # type: ignore[attr-defined]

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        messages = getattr(request, "_messages", None)
        if isinstance(messages, SimpleLazyObject) and messages._wrapped is empty:
            return response
        result: HttpResponse = super().process_response(request, response)
        return result


#: Longer cookie or header values are negotiated each time, not kept (as Django's own
#: ``parse_accept_lang_header`` keeps no longer header).
_NEGOTIATION_KEY_MAX = 500


@functools.lru_cache(maxsize=1000)
def _negotiated(cookie: str | None, accept: str) -> str:
    return _negotiate(cookie, accept)


def _negotiate(cookie: str | None, accept: str) -> str:
    """Django's ``get_language_from_request`` (without a path) for a request that carries
    this language cookie and this ``Accept-Language``: the only two things it reads."""
    cookies = {} if cookie is None else {settings.LANGUAGE_COOKIE_NAME: cookie}
    probe = SimpleNamespace(COOKIES=cookies, META={"HTTP_ACCEPT_LANGUAGE": accept}, path_info="")
    language: str = translation.get_language_from_request(probe, check_path=False)  # type: ignore[arg-type]
    return language


@receiver(setting_changed)
def _language_setting_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in {"LANGUAGES", "LANGUAGE_CODE", "LANGUAGE_COOKIE_NAME", "LOCALE_PATHS"}:
        _negotiated.cache_clear()


class LocaleMiddleware(_LocaleMiddleware):
    """Django's language negotiation, without the work its answer does not depend on here.

    With no ``i18n_patterns`` in the URL map (minwon has none: the language is the cookie's
    or the browser's, never the path's), Django's middleware still looks for a language in
    the path twice per request, and a path such as ``/healthz`` or ``/staff/`` looks like
    one to its pattern, so each look-up ends in a ``LookupError``; what it finds is then
    ignored. Here the path is not looked at in that case, the choice from the language
    cookie and ``Accept-Language`` is kept per pair of values (Django's own result, cleared
    when a language setting changes), and ``Vary`` is written directly when the response
    has none yet. A URL map with ``i18n_patterns`` gets Django's middleware unchanged."""

    def process_request(self, request: HttpRequest) -> None:
        urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
        if is_language_prefix_patterns_used(urlconf)[0]:
            super().process_request(request)
            return
        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        accept = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
        if len(accept) <= _NEGOTIATION_KEY_MAX and (
            cookie is None or len(cookie) <= _NEGOTIATION_KEY_MAX
        ):
            language = _negotiated(cookie, accept)
        else:
            language = _negotiate(cookie, accept)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
        if is_language_prefix_patterns_used(urlconf)[0]:
            return super().process_response(request, response)
        headers = response.headers
        if "Vary" in headers:
            patch_vary_headers(response, ("Accept-Language",))
        else:
            headers["Vary"] = "Accept-Language"
        if "Content-Language" not in headers:
            headers["Content-Language"] = translation.get_language()
        return response
