"""``minwon serve``: gunicorn on 127.0.0.1:$PORT, with a worker process for the outbox."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve minwon with gunicorn, with the outbox worker and the ops tick beside it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("MINWON_WEB_WORKERS", "0"))
        )
        parser.add_argument(
            "--threads", type=int, default=int(os.environ.get("MINWON_WEB_THREADS", "4"))
        )
        parser.add_argument(
            "--no-worker", action="store_true", help="do not start the outbox worker"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        workers = options["workers"] or (os.cpu_count() or 1) + 1
        helpers: list[subprocess.Popen[bytes]] = []
        if not options["no_worker"]:
            # The outbox worker, and the situation room's tick (rollups, alert rules), so
            # alarms fire and e-mail even when nobody has the room open.
            for command in (["worker"], ["ops_tick", "--loop"]):
                helpers.append(subprocess.Popen([sys.executable, "-m", "minwon.cli", *command]))
        argv = [
            sys.executable, "-m", "gunicorn", "minwon.config.wsgi:application",
            "--bind", f"{options['host']}:{options['port']}",
            "--workers", str(workers), "--threads", str(options["threads"]),
            "--worker-class", "gthread", "--access-logfile", "-", "--graceful-timeout", "10",
        ]  # fmt: skip
        try:
            subprocess.call(argv)
        except KeyboardInterrupt:
            pass
        finally:
            for proc in helpers:
                proc.terminate()
            for proc in helpers:
                proc.wait(timeout=10)
