"""``minwon petitions_sweep``: progress notices, reminders and escalations, per jurisdiction.

Run it from cron or a systemd timer (every 15 minutes is plenty). Each jurisdiction is swept
on its own and each petition through its own command with a deterministic id, so a rerun
repeats nothing and one office's failure does not stop the others.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from minwon.petitions import sweep

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Send 30-day progress notices, deadline reminders and escalations (per jurisdiction)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--jurisdiction", action="append", default=None,
                            help="only these 시·군·구 codes (repeatable)")  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        report = sweep.run(only=options["jurisdiction"])
        for code, outcome in sorted(report.items()):
            self.stdout.write(f"{code}\t{outcome}")
        failed = [c for c, o in report.items() if str(o).startswith("error")]
        if failed:
            self.stderr.write(f"{len(failed)} jurisdiction(s) failed: {', '.join(sorted(failed))}")
