"""``minwon serve``: the application on 127.0.0.1:$PORT under granian (WSGI), with the
outbox worker and the situation room's tick beside it (``minwon.web.serving``)."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from minwon.web import serving


def _max_connections() -> int | None:
    """The database's connection limit: MINWON_DB_MAX_CONNECTIONS, else PostgreSQL's own
    ``max_connections``; None for SQLite (no limit)."""
    if connection.vendor != "postgresql":
        return None
    if os.environ.get("MINWON_DB_MAX_CONNECTIONS"):
        return int(os.environ["MINWON_DB_MAX_CONNECTIONS"])
    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW max_connections")
            return int(cursor.fetchone()[0])
    except Exception:  # the database may still be starting; PostgreSQL's default then
        return 100
    finally:
        connection.close()


class Command(BaseCommand):
    help = "Serve minwon (granian, WSGI) with the outbox worker and the ops tick beside it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--server",
            choices=serving.SERVERS,
            default=os.environ.get("MINWON_WEB_SERVER", "granian"),
            help="granian (default); gunicorn is kept as the benchmarks' baseline",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("MINWON_WEB_WORKERS", "0")),
            help="worker processes (default: one per core)",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("MINWON_WEB_THREADS", "0")),
            help=f"blocking threads per worker (default {serving.DEFAULT_THREADS})",
        )
        parser.add_argument(
            "--no-worker", action="store_true", help="do not start the outbox worker and tick"
        )
        parser.add_argument(
            "--no-access-log", action="store_true", help="do not write the access log"
        )
        parser.add_argument(
            "--app",
            default=serving.APP,
            help="the WSGI application as module:attribute (default minwon's; the "
            "benchmarks serve a bare Django view through the same command for their floor)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        helpers = [] if options["no_worker"] else [["worker"], ["ops_tick", "--loop"]]
        try:
            sizing = serving.plan(
                cores=serving.cores(),
                workers=options["workers"],
                threads=options["threads"],
                helpers=len(helpers),
                max_connections=_max_connections(),
            )
        except serving.SizingError as exc:
            raise CommandError(str(exc)) from exc
        if not serving.port_free(host, port):
            raise CommandError(f"{host}:{port} is already in use")
        prom_dir = serving.multiproc_dir(settings.VAR_DIR, port)
        env = dict(os.environ)
        env["PROMETHEUS_MULTIPROC_DIR"] = str(prom_dir)
        env.setdefault("MINWON_DB_POOL_MAX", str(sizing.pool_max))
        env.setdefault("MINWON_DB_POOL_MIN", str(min(serving.POOL_MIN, sizing.pool_max)))
        env["MINWON_ACCESS_LOG"] = "0" if options["no_access_log"] else "1"
        self.stdout.write(
            f"minwon serve pid {os.getpid()}: {options['server']} on http://{host}:{port}/ — "
            f"{sizing.workers} workers × {sizing.threads} threads, database pool "
            f"{env['MINWON_DB_POOL_MAX']} per worker; metrics in {prom_dir}"
        )
        self.stdout.flush()
        code = serving.run(
            serving.server_argv(
                options["server"], host=host, port=port, sizing=sizing, app=options["app"]
            ),
            [[sys.executable, "-m", "minwon.cli", *cmd] for cmd in helpers],
            env=env,
            prom_dir=prom_dir,
        )
        if code not in (0, -15):
            raise CommandError(f"{options['server']} exited with {code}")
