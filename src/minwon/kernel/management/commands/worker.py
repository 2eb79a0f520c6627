"""``minwon worker``: deliver outbox events to their receivers, at least once."""

from __future__ import annotations

import logging
import signal
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from minwon.kernel import outbox
from minwon.kernel.models import OutboxDelivery

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Deliver outbox events (retry with backoff; failures parked as dead)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="deliver what is due, then exit")
        parser.add_argument("--dead", action="store_true", help="list dead deliveries and exit")
        parser.add_argument("--seconds", type=float, default=None, help="stop after this long")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["dead"]:
            for d in OutboxDelivery.objects.filter(state="dead").select_related("event")[:200]:
                self.stdout.write(
                    f"{d.pk}\t{d.event.name}\t{d.receiver}\t{d.attempts}\t{d.last_error}"
                )
            return
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        try:
            total = outbox.run(once=options["once"], stop_after=options["seconds"])
        except KeyboardInterrupt:
            return
        self.stdout.write(f"delivered {total}")
