"""``minwon worker``: deliver outbox events to their receivers, at least once, and write a
signed checkpoint of the audit chain heads every ``MINWON_AUDIT_CHECKPOINT_SECONDS``."""

from __future__ import annotations

import logging
import signal
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from minwon.kernel import audit, outbox
from minwon.kernel.models import OutboxDelivery

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Deliver outbox events (retry with backoff; failures parked as dead) and checkpoint "
        "the audit chain periodically."
    )

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
            total = run(once=options["once"], stop_after=options["seconds"])
        except KeyboardInterrupt:
            return
        self.stdout.write(f"delivered {total}")


def run(*, once: bool, stop_after: float | None) -> int:
    """Deliver in slices of the checkpoint interval, checkpointing between slices."""
    interval = float(settings.MINWON_AUDIT_CHECKPOINT_SECONDS)
    started = time.monotonic()
    total = 0
    while True:
        if interval > 0:
            checkpoint()
        if once:
            return total + outbox.run(once=True)
        left = None if stop_after is None else stop_after - (time.monotonic() - started)
        if left is not None and left <= 0:
            return total
        if interval > 0:
            left = interval if left is None else min(left, interval)
        total += outbox.run(stop_after=left)


def checkpoint() -> None:
    """One checkpoint; a failure is logged loudly but never stops the deliveries."""
    try:
        written = audit.checkpoint()
    except audit.ChainBroken as exc:
        for problem in exc.problems:
            log.error("audit chain: %s", problem)
        log.error("audit checkpoint refused: %s", exc)
    except Exception:
        log.exception("audit checkpoint failed")
    else:
        log.info("audit checkpoint %s (%d chains)", written.path.name, len(written.heads))
