"""``minwon campaigns_sweep``: reminders to the campaigns' non-submitters and escalations
after their deadlines. Run it from cron or a systemd timer (hourly is plenty), or ``--loop``."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from minwon.portal import campaign_sweep


class Command(BaseCommand):
    help = "Remind campaign recipients who have not answered; escalate after the deadline."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="sweep again every --every s")
        parser.add_argument("--every", type=float, default=3600.0)

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            for key, notified in campaign_sweep.run().items():
                self.stdout.write(f"campaign {key}: {notified} staff notified")
            if not options["loop"]:
                return
            time.sleep(max(1.0, options["every"]))
