"""``minwon ops_tick``: evaluate alerts and health colours (once, or every N seconds).

Run it beside ``minwon worker`` so alarms fire and e-mail even when nobody has the room
open. ``--replay-since`` rebuilds the command rollups from the command table first.
"""

from __future__ import annotations

import os
import signal
import time
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minwon.kernel import clock


class Command(BaseCommand):
    help = "Evaluate the situation room's alert rules and component health."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--loop", action="store_true", help="keep running every --every seconds"
        )
        parser.add_argument("--every", type=float, default=15.0)
        parser.add_argument("--seconds", type=float, default=None, help="stop after this long")
        parser.add_argument(
            "--replay-since", default=None, help="ISO time: rebuild rollups from commands"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        os.environ.setdefault("MINWON_PROCESS_ROLE", "tick")
        from minwon.ops import alerts, rollups

        if options["replay_since"]:
            try:
                since = clock.local(datetime.fromisoformat(options["replay_since"]))
            except ValueError as exc:
                raise CommandError(f"--replay-since: {exc}") from exc
            n = rollups.replay_commands(since, rollups.minute_of(clock.now()))
            self.stdout.write(f"replayed {n} commands into rollups")
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        started = time.monotonic()
        try:
            while True:
                result = alerts.tick(force=not options["loop"])
                if result is not None:
                    self.stdout.write(f"{clock.now():%H:%M:%S} {result}")
                if not options["loop"]:
                    return
                if (
                    options["seconds"] is not None
                    and time.monotonic() - started > options["seconds"]
                ):
                    return
                time.sleep(options["every"])
        except KeyboardInterrupt:
            rollups.flush()
