"""``minwon notices_sweep``: release SMS held overnight and make the due print batches.

Run it from cron or a systemd timer (every 15 minutes is plenty); reruns in the same hour
replay instead of repeating."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from minwon.notices import sweep


class Command(BaseCommand):
    help = "Release SMS held for the night and put unopened notices into print batches."

    def handle(self, *args: Any, **options: Any) -> None:
        report = sweep.run()
        self.stdout.write(f"released {report['released']} held messages")
        for campaign_id, size in report["paper"].items():
            self.stdout.write(f"campaign {campaign_id}: {size} notices to paper")
