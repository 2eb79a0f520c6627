"""``web.handler.ServingHandler`` (the server's WSGI application) does what Django's request
signals' receivers do — connections closed or kept per ``CONN_MAX_AGE``, the query log reset,
the caches closed, the URL map reset — and sends the signals as Django does as soon as
anyone else listens. Each request runs in a thread of its own, as a server's threads do, so
that the connection it opens is not the test's."""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import io
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.core import signals
from django.core.cache.backends.locmem import LocMemCache
from django.core.handlers.wsgi import WSGIHandler
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import get_urlconf

from minwon.config.wsgi import application
from minwon.web import handler

pytestmark = pytest.mark.django_db(transaction=True)


def environ(path: str) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1",
        "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""),
    }  # fmt: skip


def request(app: Any, path: str) -> tuple[str, list[tuple[str, str]], bytes]:
    """One request as a server makes it: call, read the body, close."""
    seen: list[Any] = []
    answer = app(
        environ(path), lambda status, headers, exc_info=None: seen.extend([status, headers])
    )
    body = b"".join(answer)
    answer.close()
    return seen[0], seen[1], body


def in_thread(work: Callable[[], Any]) -> Any:
    """``work()`` in a new thread (its own connections), then that thread's connections closed."""
    out: list[Any] = []

    def run() -> None:
        try:
            out.append(work())
        except BaseException as exc:  # re-raised in the test's thread
            out.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if isinstance(out[0], BaseException):
        raise out[0]
    return out[0]


def test_the_application_is_the_serving_handler() -> None:
    assert isinstance(application, handler.ServingHandler)
    assert handler._STORAGE is not None  # the fast read of the connections is in use


def test_with_conn_max_age_0_the_connection_a_request_opened_is_closed_after_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)

    def work() -> list[bool]:
        conn = connections[DEFAULT_DB_ALIAS]
        states = []
        for _ in range(2):
            answer = application(environ("/readyz"), lambda *a: None)
            assert b'"ok"' in b"".join(answer)
            states.append(conn.connection is not None)  # open while the response is served
            answer.close()
            states.append(conn.connection is not None)
        return states

    assert in_thread(work) == [True, False, True, False]


def test_with_conn_max_age_above_0_the_connection_is_kept_until_its_age(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)

    def work() -> tuple[bool, bool, bool]:
        conn = connections[DEFAULT_DB_ALIAS]
        request(application, "/readyz")
        first = conn.connection
        request(application, "/readyz")
        kept = conn.connection is first and first is not None
        conn.close_at = time.monotonic() - 1  # past its age: closed when the next request starts
        answer = application(environ("/healthz"), lambda *a: None)
        closed_at_start = conn.connection is None
        answer.close()
        request(application, "/readyz")
        return kept, closed_at_start, conn.connection is not None and conn.connection is not first

    assert in_thread(work) == (True, True, True)


def test_a_connection_left_out_of_autocommit_is_dropped_at_the_next_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)

    def work() -> bool:
        conn = connections[DEFAULT_DB_ALIAS]
        request(application, "/readyz")
        conn.set_autocommit(False)
        request(application, "/healthz")
        return conn.connection is None

    assert in_thread(work)


def test_third_party_request_listeners_still_fire_and_the_duties_are_still_done(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
    heard: list[tuple[str, Any]] = []

    def started(sender: Any, **kwargs: Any) -> None:
        heard.append(("started", sender))

    def finished(sender: Any, **kwargs: Any) -> None:
        heard.append(("finished", sender))

    signals.request_started.connect(started)
    signals.request_finished.connect(finished)
    try:

        def work() -> bool:
            request(application, "/readyz")
            return connections[DEFAULT_DB_ALIAS].connection is None

        assert in_thread(work)
    finally:
        signals.request_started.disconnect(started)
        signals.request_finished.disconnect(finished)
    assert heard == [("started", handler.ServingHandler), ("finished", handler.ServingHandler)]
    heard.clear()
    request(application, "/healthz")  # disconnected: not called any more
    assert heard == []


def test_a_disconnected_django_receiver_is_not_run_by_the_handler() -> None:
    """``assertNumQueries`` disconnects ``reset_queries``: the query log survives a request."""
    with CaptureQueriesContext(connection):
        connection.queries_log.append({"sql": "SELECT 'kept'", "time": "0"})
        request(application, "/healthz")
        assert connection.queries_log[-1]["sql"] == "SELECT 'kept'"
    request(application, "/healthz")
    assert not connection.queries_log


class ClosingCache(LocMemCache):
    """A backend whose ``close()`` acts (as memcached's and Redis's do)."""

    closed = 0

    def close(self, **kwargs: Any) -> None:
        type(self).closed += 1


def test_caches_are_closed_when_a_backend_has_a_close_that_acts() -> None:
    assert not handler.caches_need_closing()  # minwon's local-memory cache: nothing to close
    backend = f"{__name__}.ClosingCache"
    with override_settings(CACHES={"default": {"BACKEND": backend}}):
        from django.core.cache import cache

        cache.get("x")  # initialised in this thread
        request(application, "/healthz")
        assert ClosingCache.closed == 1
    assert not handler.caches_need_closing()


def test_the_url_map_is_set_for_the_request_and_reset_after_it() -> None:
    answer = application(environ("/healthz"), lambda *a: None)
    assert get_urlconf() is not None
    answer.close()
    assert get_urlconf() is None


def test_the_answers_are_djangos_handlers() -> None:
    stock = WSGIHandler()
    for path in ("/healthz", "/accounts/login/", "/no-such-page", "/staff"):
        ours, theirs = request(application, path), request(stock, path)
        assert ours[0] == theirs[0], path
        assert sorted(n for n, _ in ours[1]) == sorted(n for n, _ in theirs[1]), path


def test_the_fast_read_of_initialised_connections_is_djangos() -> None:
    def work() -> list[Any]:
        seen = [list(handler.initialized_connections()), connections.all(initialized_only=True)]
        connections[DEFAULT_DB_ALIAS]
        seen += [list(handler.initialized_connections()), connections.all(initialized_only=True)]

        async def in_a_loop() -> list[Any]:
            return list(handler.initialized_connections())

        seen.append(asyncio.run(in_a_loop()))  # a running loop: asgiref's path
        return seen

    empty, djangos_empty, one, djangos_one, in_loop = in_thread(work)
    assert empty == djangos_empty == []
    assert one == djangos_one and len(one) == 1
    assert in_loop == []  # the loop's context has no connection yet, as asgiref says


# The Django source the handler stands in for. A Django upgrade that changes any of it
# fails here: read the new code, carry the change into web/handler.py, update the digests.
PINNED = {
    "WSGIHandler": "646eb77740359973",
    "HttpResponseBase.close": "84589f5b23acbb23",
    "reset_queries": "9989bcde56b2f76a",
    "close_old_connections": "c352dd45e8333c97",
    "close_caches": "abe7badf0640b146",
    "reset_urlconf": "7ad5ce3f320f5c51",
    "set_urlconf": "a800ca3136841f64",
}


def test_the_django_code_the_handler_stands_in_for_is_the_one_it_was_written_for() -> None:
    from django.core.cache import close_caches
    from django.core.handlers.base import reset_urlconf
    from django.db import close_old_connections, reset_queries
    from django.http import HttpResponseBase
    from django.urls import set_urlconf

    code: dict[str, Any] = {
        "WSGIHandler": WSGIHandler,  # the class: the URL guard wraps its __call__
        "HttpResponseBase.close": HttpResponseBase.close,
        "reset_queries": reset_queries,
        "close_old_connections": close_old_connections,
        "close_caches": close_caches,
        "reset_urlconf": reset_urlconf,
        "set_urlconf": set_urlconf,
    }
    digests = {
        name: hashlib.sha256(inspect.getsource(f).encode()).hexdigest()[:16]
        for name, f in code.items()
    }
    assert digests == PINNED
