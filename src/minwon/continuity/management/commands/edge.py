"""``minwon edge --office <code> --central <url>``: run this office's edge node.

The same codebase on the edge's own SQLite (``MINWON_DATABASE_URL``/``MINWON_VAR_DIR``):
migrate, load the administrative divisions, move id sequences into the local range, pull
the working set, then serve the counter pages (threaded WSGI server) with the edge agent
(probes, breaker, journal push, feed pull) beside it. The edge's key comes from
``--key`` or ``MINWON_EDGE_KEY`` (an agency key of central with ``continuity.replay``).
"""

from __future__ import annotations

import os
import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections


class _PooledServer(WSGIServer):
    """Requests on a fixed pool of threads that keep their database connection.

    A thread per request (``ThreadingMixIn``) opened a new SQLite connection — file open
    and four PRAGMAs — for every counter command, about a tenth of its cost. The pool's
    threads live as long as the server, and with ``CONN_MAX_AGE=None`` each keeps one
    connection. SQLite serialises writers anyway, so a few threads are enough.
    """

    allow_reuse_address = True
    request_queue_size = 64
    pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="edge-http")

    def process_request(self, request: Any, client_address: Any) -> None:
        self.pool.submit(self._handle, request, client_address)

    def _handle(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return None


class Command(BaseCommand):
    help = "Run an office edge node that keeps serving the counter through central outages."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--office", required=True, help="the office's jurisdiction code")
        parser.add_argument("--central", required=True, help="central's base URL")
        parser.add_argument("--edge-id", default="", help="default: edge-<office>")
        parser.add_argument("--key", default=os.environ.get("MINWON_EDGE_KEY", ""))
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8100)

    def handle(self, *args: Any, **options: Any) -> None:
        from minwon.continuity import agent, feed, journal
        from minwon.kernel import jurisdictions

        office = options["office"]
        if not (office.isdigit() and len(office) == 10):
            raise CommandError("--office must be a 10-digit jurisdiction code")
        if not options["key"]:
            raise CommandError("an edge key is required (--key or MINWON_EDGE_KEY)")
        os.environ[journal.EDGE_ENV] = office
        # Persistent connections on the server's thread pool (see _PooledServer).
        settings.DATABASES["default"]["CONN_MAX_AGE"] = None
        connections.close_all()  # reconnect with synchronous=FULL
        call_command("migrate", interactive=False, verbosity=0)
        from minwon.kernel.management.commands.load_jurisdictions import load

        load()
        jurisdictions.clear_cache()
        feed.reserve_local_ids()
        config = agent.EdgeConfig(
            office=office,
            edge_id=options["edge_id"] or f"edge-{office}",
            central=options["central"],
            key=options["key"],
        )
        node = agent.Agent(config)
        agent.current = node
        node.state()
        try:
            node.pull(full=True)
        except agent.CentralUnavailable as exc:
            node.trip(f"start: {exc}")
        settings.MIDDLEWARE = [*settings.MIDDLEWARE, "minwon.continuity.middleware.EdgeMiddleware"]
        from minwon.continuity.stages import at_edge
        from minwon.kernel import bus

        bus.configure([at_edge, *bus.stages()])
        from django.core.wsgi import get_wsgi_application

        app = get_wsgi_application()
        server = make_server(
            options["host"], options["port"], app,
            server_class=_PooledServer, handler_class=_QuietHandler,
        )  # fmt: skip
        node.start()
        signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
        self.stdout.write(f"edge {config.edge_id} serving on {options['host']}:{options['port']}")
        self.stdout.flush()
        try:
            server.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            pass
        finally:
            node.stop()
