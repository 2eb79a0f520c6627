"""The WSGI handler ``minwon serve`` runs: Django's ``WSGIHandler`` with the duties of
Django's own request-signal receivers done directly when nobody else listens.

Django sends ``request_started`` before each request and ``request_finished`` when the server
closes the response; on their own, only Django's receivers listen: ``reset_queries`` and
``close_old_connections`` at the start, ``close_old_connections``, ``close_caches`` and
``reset_urlconf`` at the end. Sending costs the dispatcher's lock and receiver resolution,
and each receiver walks the initialised connections or caches through ``asgiref.Local``
look-ups (an exception or two each): together a sixth of ``/healthz``'s time in process
(docs/BENCHMARKS.md, "Eighth session: the stack floor").

When a signal's receivers are exactly Django's own, this handler does their work itself:
one pass over this thread's initialised connections (the query log cleared, a connection
closed when its autocommit was left changed, after an error when it no longer answers, or
past ``CONN_MAX_AGE``), the caches closed only when a configured backend has a ``close()``
that does something, the URL map reset. When anything else is connected to a signal (a
third party's receiver, a test that disconnected one of Django's, as ``assertNumQueries``
and the test client do) the signal is sent as Django sends it. The test client runs its own
``ClientHandler`` and never this one.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core import signals
from django.core.cache import caches, close_caches
from django.core.cache.backends.base import BaseCache
from django.core.handlers.base import reset_urlconf
from django.core.handlers.wsgi import WSGIHandler, get_script_name
from django.db import close_old_connections, connections, reset_queries
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpResponseBase
from django.urls import base as urls_base
from django.urls import set_script_prefix
from django.utils.module_loading import import_string

# A receiver's key in ``Signal.receivers``: (its id, its sender's id), None's for any sender
# (``django.dispatch.dispatcher._make_id`` of a plain function).
STARTED_KEYS = frozenset((id(r), id(None)) for r in (reset_queries, close_old_connections))
FINISHED_KEYS = frozenset(
    (id(r), id(None)) for r in (close_old_connections, close_caches, reset_urlconf)
)


def only_djangos(signal: Any, keys: frozenset[tuple[int, int]]) -> bool:
    """Whether the receivers connected to ``signal`` are exactly Django's own (``keys``)."""
    receivers = signal.receivers
    if len(receivers) != len(keys):
        return False
    return all(receiver[0] in keys for receiver in receivers)


def _thread_storage() -> Any:
    """The ``threading.local`` under ``connections`` (an ``asgiref`` thread-critical
    ``Local``), or None where that is not its make-up: then the public
    ``connections.all(initialized_only=True)`` is used."""
    local = getattr(connections, "_connections", None)
    storage = getattr(local, "_storage", None) if local is not None else None
    return storage if isinstance(storage, threading.local) else None


_STORAGE = _thread_storage()


def initialized_connections() -> Sequence[BaseDatabaseWrapper]:
    """``connections.all(initialized_only=True)``, read from this thread's storage without
    the two ``Local`` look-ups per alias (each an exception in a sync thread) when the
    thread runs no event loop (then ``Local`` reads the same thread-local storage)."""
    if _STORAGE is None or asyncio._get_running_loop() is not None:
        return connections.all(initialized_only=True)
    here = _STORAGE.__dict__
    if not here:
        return []
    return [here[alias] for alias in connections if alias in here]


_caches_close: list[Any] = [None, True]  # [the CACHES setting seen, whether close() acts]


def caches_need_closing() -> bool:
    """Whether a configured cache backend's ``close()`` does anything (``BaseCache.close`` is
    a no-op, and so is the local-memory cache's); decided again when ``CACHES`` changes."""
    configured = settings.CACHES
    if _caches_close[0] is not configured:
        acts = any(
            import_string(c["BACKEND"]).close is not BaseCache.close for c in configured.values()
        )
        _caches_close[:] = [configured, acts]
    return bool(_caches_close[1])


def _reset_urlconf() -> None:
    """``set_urlconf(None)``: ``get_response`` set it, so it is there to delete."""
    with contextlib.suppress(AttributeError):
        del urls_base._urlconfs.value  # type: ignore[attr-defined]


class ServingHandler(WSGIHandler):
    """``WSGIHandler`` whose request signals' stock duties are done without sending them
    when only Django's receivers are connected (module docstring)."""

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        # Django's WSGIHandler.__call__ (5.2), the signals aside; tests/web/test_handler.py
        # pins that source, so that a Django upgrade makes someone look again.
        set_script_prefix(get_script_name(environ))
        if only_djangos(signals.request_started, STARTED_KEYS):
            for conn in initialized_connections():
                conn.queries_log.clear()
                conn.close_if_unusable_or_obsolete()
        else:
            signals.request_started.send(sender=self.__class__, environ=environ)
        request = self.request_class(environ)
        response = self.get_response(request)

        response._handler_class = self.__class__  # type: ignore[attr-defined]
        if type(response).close is HttpResponseBase.close:
            response.close = _Closer(response)  # type: ignore[method-assign]

        status = f"{response.status_code} {response.reason_phrase}"
        response_headers = [
            *response.items(),
            *(("Set-Cookie", c.output(header="")) for c in response.cookies.values()),
        ]
        start_response(status, response_headers)
        if getattr(response, "file_to_stream", None) is not None and environ.get(
            "wsgi.file_wrapper"
        ):
            response.file_to_stream.close = response.close  # type: ignore[attr-defined]
            response = environ["wsgi.file_wrapper"](
                response.file_to_stream,  # type: ignore[attr-defined]
                response.block_size,  # type: ignore[attr-defined]
            )
        return response


class _Closer:
    """``HttpResponseBase.close`` for one response, with ``request_finished``'s stock duties
    done directly when only Django's receivers are connected at that moment."""

    __slots__ = ("response",)

    def __init__(self, response: HttpResponseBase) -> None:
        self.response = response

    def __call__(self) -> None:
        response = self.response
        if not only_djangos(signals.request_finished, FINISHED_KEYS):
            HttpResponseBase.close(response)
            return
        closers: Iterable[Callable[[], Any]] = response._resource_closers  # type: ignore[attr-defined]
        for closer in closers:
            with contextlib.suppress(Exception):  # as Django's close() does
                closer()
        response._resource_closers.clear()  # type: ignore[attr-defined]
        response.closed = True  # type: ignore[attr-defined]
        for conn in initialized_connections():
            conn.close_if_unusable_or_obsolete()
        if caches_need_closing():
            caches.close_all()
        _reset_urlconf()


def get_application() -> ServingHandler:
    """``django.core.wsgi.get_wsgi_application`` with this handler."""
    import django

    django.setup(set_prefix=False)
    return ServingHandler()
