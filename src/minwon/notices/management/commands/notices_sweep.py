"""``minwon notices_sweep``: release SMS held overnight and make the due print batches.

Run it from cron or a systemd timer (every 15 minutes is plenty), or as ``--loop``; reruns
in the same hour replay instead of repeating."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from minwon.notices import sweep


class Command(BaseCommand):
    help = "Release SMS held for the night and put unopened notices into print batches."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="sweep again every --every s")
        parser.add_argument("--every", type=float, default=300.0)

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            report = sweep.run()
            self.stdout.write(f"released {report['released']} held messages")
            for campaign_id, size in report["paper"].items():
                self.stdout.write(f"campaign {campaign_id}: {size} notices to paper")
            if not options["loop"]:
                return
            time.sleep(max(1.0, options["every"]))
