"""The middleware stack's cheaper paths (docs/BENCHMARKS.md, "Serving") answer exactly what
the stock middleware they replace answer: the CSP built once, the never-cache headers
precomputed, the messages storage made on first use, the staff-session check skipped only
without a session cookie, ``/healthz``'s body made once per process, the language
negotiated without looking at the path when no URL is language-prefixed."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from csp.decorators import csp_update
from csp.utils import build_policy
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import messages
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware as StockLocaleMiddleware
from django.test import Client, RequestFactory, override_settings
from django.urls import path
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.functional import empty

from minwon.web.middleware import (
    CSPMiddleware,
    LocaleMiddleware,
    MessageMiddleware,
    NoStoreMiddleware,
)

pytestmark = pytest.mark.django_db


def test_csp_header_is_django_csps_policy_on_pages_and_answers() -> None:
    client = Client()
    for url in ("/", "/healthz", "/accounts/login/"):
        assert client.get(url)["Content-Security-Policy"] == build_policy(), url


def test_csp_header_follows_a_changed_setting() -> None:
    client = Client()
    before = client.get("/healthz")["Content-Security-Policy"]
    with override_settings(CSP_IMG_SRC=("'self'", "https://tiles.example.kr")):
        changed = client.get("/healthz")["Content-Security-Policy"]
        assert "img-src 'self' https://tiles.example.kr" in changed
    assert client.get("/healthz")["Content-Security-Policy"] == before


def test_csp_of_a_view_with_its_own_policy_or_a_nonce_is_built_for_it() -> None:
    @csp_update(IMG_SRC="https://tiles.example.kr")
    def own(request: HttpRequest) -> HttpResponse:
        return HttpResponse("x")

    def noncing(request: HttpRequest) -> HttpResponse:
        return HttpResponse(str(request.csp_nonce))  # type: ignore[attr-defined]

    factory = RequestFactory()
    assert (
        "https://tiles.example.kr"
        in CSPMiddleware(own)(factory.get("/x"))["Content-Security-Policy"]
    )
    answer = CSPMiddleware(noncing)(factory.get("/x"))
    assert f"'nonce-{answer.content.decode()}'" in answer["Content-Security-Policy"]
    # ... and the next plain response still gets the shared policy, without that nonce.
    plain = CSPMiddleware(lambda r: HttpResponse("x"))(factory.get("/x"))
    assert plain["Content-Security-Policy"] == build_policy()


def test_no_store_headers_are_djangos_never_cache_headers() -> None:
    expected = HttpResponse()
    add_never_cache_headers(expected)
    answer = Client().get("/healthz")
    assert answer["Cache-Control"] == expected["Cache-Control"]
    assert "no-store" in answer["Cache-Control"] and answer["Expires"]
    # A view's own policy stays.
    own = NoStoreMiddleware(lambda r: _with_header("Cache-Control", "max-age=60"))
    assert own(RequestFactory().get("/x"))["Cache-Control"] == "max-age=60"


def _with_header(name: str, value: str) -> HttpResponse:
    response = HttpResponse("x")
    response[name] = value
    return response


def _through_messages(view: Any, cookies: dict[str, str] | None = None) -> Any:
    request = RequestFactory().get("/x")
    request.COOKIES.update(cookies or {})
    SessionMiddleware(lambda r: HttpResponse()).process_request(request)
    middleware = MessageMiddleware(view)
    middleware.process_request(request)
    response = middleware.process_response(request, view(request))
    return request, response


def test_messages_storage_is_made_only_when_used_and_messages_still_carry_over() -> None:
    untouched, response = _through_messages(lambda r: HttpResponse("x"))
    assert untouched._messages._wrapped is empty
    assert "messages" not in response.cookies

    def adds(request: HttpRequest) -> HttpResponse:
        messages.info(request, "저장했습니다.")
        return HttpResponse("x")

    _, response = _through_messages(adds)
    cookie = response.cookies["messages"].value
    shown: list[str] = []

    def shows(request: HttpRequest) -> HttpResponse:
        shown.extend(str(m) for m in messages.get_messages(request))
        return HttpResponse("x")

    _, after = _through_messages(shows, {"messages": cookie})
    assert shown == ["저장했습니다."]
    assert after.cookies["messages"].value == ""  # read once, then cleared


def test_healthz_answers_json_with_this_process_id() -> None:
    answer = Client().get("/healthz")
    assert answer["Content-Type"] == "application/json"
    assert json.loads(answer.content) == {"status": "ok", "pid": os.getpid()}


def _plain(request: HttpRequest) -> HttpResponse:
    return HttpResponse("x")


#: A URL map with language-prefixed URLs, for the stock middleware's own path (the test
#: sets it as a request's ``urlconf``).
urlpatterns = i18n_patterns(path("x/", _plain))

COOKIES = [None, "en", "ko", "fr", "en-us", "", "x" * 600]
ACCEPTS = ["", "en", "en-US,en;q=0.9,ko;q=0.8", "ko-KR", "fr, de;q=0.5", "*", "zz-ZZ, en;q=0.1"]
ACCEPTS += ["fr," * 300 + "en"]
PATHS = ["/healthz", "/", "/en/", "/ko/x/", "/staff/", "/fr/"]


def _answer(middleware: Any, path: str, cookie: str | None, accept: str, urlconf: str | None,
            vary: str | None, status: int) -> tuple[Any, ...]:  # fmt: skip
    request = RequestFactory().get(path, HTTP_ACCEPT_LANGUAGE=accept)
    if cookie is not None:
        request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = cookie
    if urlconf is not None:
        request.urlconf = urlconf  # type: ignore[attr-defined]

    def view(r: HttpRequest) -> HttpResponse:
        response = HttpResponse("x", status=status)
        if vary is not None:
            response["Vary"] = vary
        return response

    with translation.override(None):
        response = middleware(view)(request)
        active = translation.get_language()
    location = response.get("Location")
    return (request.LANGUAGE_CODE, active, response.status_code, location,  # type: ignore[attr-defined]
            response.get("Vary"), response.get("Content-Language"))  # fmt: skip


@pytest.mark.parametrize("urlconf", [None, __name__])
def test_locale_is_djangos_negotiation_for_every_cookie_header_and_path(
    urlconf: str | None,
) -> None:
    for cookie in COOKIES:
        for accept in ACCEPTS:
            for url in PATHS:
                for vary, status in ((None, 200), ("Cookie", 200), (None, 404)):
                    args = (url, cookie, accept, urlconf, vary, status)
                    ours = _answer(LocaleMiddleware, *args)
                    assert ours == _answer(StockLocaleMiddleware, *args), args


def test_locale_follows_the_cookie_and_the_browser_through_the_stack() -> None:
    assert Client().get("/healthz")["Content-Language"] == "ko"
    english = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").get("/accounts/login/")
    assert english["Content-Language"] == "en" and "Accept-Language" in english["Vary"]
    assert b'lang="en"' in english.content
    cookie = Client()
    cookie.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert cookie.get("/healthz", HTTP_ACCEPT_LANGUAGE="ko")["Content-Language"] == "en"


def test_locale_choice_follows_a_changed_language_setting() -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.get("/healthz")["Content-Language"] == "en"
    with override_settings(LANGUAGES=[("ko", "한국어")]):
        assert client.get("/healthz")["Content-Language"] == "ko"
    assert client.get("/healthz")["Content-Language"] == "en"


@pytest.mark.django_db(transaction=True)
def test_request_signals_still_do_their_duties_through_the_wsgi_application(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Django's request_started / request_finished receivers (the server's path, not the
    test client's, which keeps connections open): the query log reset, an obsolete database
    connection closed, the URL map reset (the caches, which minwon's local-memory backend has
    nothing to close for, in tests/web/test_handler.py)."""
    import io
    import time

    from django.db import connection
    from django.urls import get_urlconf

    from minwon.config.wsgi import application

    closed: list[str] = []
    connection.ensure_connection()
    connection.queries_log.append({"sql": "SELECT 'left over'", "time": "0"})
    connection.close_at = time.monotonic() - 1  # past its age: close it at the next request
    monkeypatch.setattr(connection, "close", lambda: closed.append("database"))
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": "/healthz", "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1",
        "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""),
    }  # fmt: skip
    answer = application(environ, lambda status, headers, exc_info=None: None)
    assert json.loads(b"".join(answer))["status"] == "ok"
    assert not connection.queries_log  # request_started
    assert get_urlconf() == settings.ROOT_URLCONF  # set for the request ...
    answer.close()  # type: ignore[attr-defined]
    assert get_urlconf() is None  # ... and reset by request_finished
    assert "database" in closed
