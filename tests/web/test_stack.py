"""The middleware stack's cheaper paths (docs/BENCHMARKS.md, "Serving") answer exactly what
the stock middleware they replace answer: the CSP built once, the never-cache headers
precomputed, the messages storage made on first use, the staff-session check skipped only
without a session cookie, ``/healthz``'s body made once per process."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from csp.decorators import csp_update
from csp.utils import build_policy
from django.contrib import messages
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.utils.cache import add_never_cache_headers
from django.utils.functional import empty

from minwon.web.middleware import CSPMiddleware, MessageMiddleware, NoStoreMiddleware

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
