"""Delivery of outbox events to out-of-process receivers (``minwon worker``).

At least once: a delivery is marked done only after its receiver returned. Failures are
retried with exponential backoff and jitter; after ``MAX_ATTEMPTS`` the delivery is parked
as ``dead``, visible to operators, who can send it back to the queue. A receiver that may
not deliver yet (a channel's rate limit) raises ``Deferred``: the delivery waits until the
time it names, and the wait is not an attempt.
"""

from __future__ import annotations

import dataclasses
import logging
import random
import time
import uuid
from datetime import datetime, timedelta

from django.db import connection, transaction

from minwon.kernel import clock, registry
from minwon.kernel.models import OutboxDelivery

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BASE_DELAY = 2.0
MAX_DELAY = 600.0


@dataclasses.dataclass(frozen=True)
class Meta:
    """Delivery facts a receiver gets beside the event: ``event_id`` is its idempotency key."""

    event_id: int
    command_id: uuid.UUID
    jurisdiction: str
    occurred_at: datetime
    recorded_at: datetime
    attempt: int


class Deferred(Exception):
    """Raised by a receiver that must not deliver before ``until`` (a rate limit): the
    delivery is tried again then, without counting an attempt or an error."""

    def __init__(self, until: datetime, reason: str) -> None:
        super().__init__(reason)
        self.until = until
        self.reason = reason


def backoff(attempts: int) -> timedelta:
    delay = min(MAX_DELAY, BASE_DELAY * (2 ** max(0, attempts - 1)))
    return timedelta(seconds=delay * (0.5 + random.random() / 2))


def deliver_batch(limit: int = 100) -> tuple[int, int]:
    """Deliver up to ``limit`` due deliveries, oldest event first. Returns (done, failed);
    deliveries a receiver deferred count in neither."""
    now = clock.now()
    done = failed = 0
    with transaction.atomic():
        due = OutboxDelivery.objects.filter(
            state=OutboxDelivery.State.PENDING, next_attempt_at__lte=now
        ).order_by("event_id", "id")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        batch = list(due.select_related("event")[:limit])
        for delivery in batch:
            outcome = _deliver_one(delivery, now)
            if outcome is True:
                done += 1
            elif outcome is False:
                failed += 1
    return done, failed


def _deliver_one(delivery: OutboxDelivery, now: datetime) -> bool | None:
    """True: delivered; False: failed (retried later or parked); None: deferred."""
    spec = registry.receivers_by_name.get(delivery.receiver)
    event_row = delivery.event
    delivery.attempts += 1
    try:
        if spec is None:
            raise LookupError(f"no receiver named {delivery.receiver}")
        event = spec.event_type.from_json(event_row.payload)
        meta = Meta(
            event_id=event_row.id,
            command_id=event_row.command_id,
            jurisdiction=event_row.jurisdiction,
            occurred_at=event_row.occurred_at,
            recorded_at=event_row.recorded_at,
            attempt=delivery.attempts,
        )
        with transaction.atomic():
            spec.fn(event, meta=meta)
    except Deferred as later:
        delivery.attempts -= 1
        delivery.next_attempt_at = max(later.until, now)
        delivery.last_error = later.reason[:2000]
        delivery.save(update_fields=["attempts", "next_attempt_at", "last_error"])
        return None
    except Exception as exc:
        delivery.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.state = OutboxDelivery.State.DEAD
            log.error("outbox delivery %s to %s is dead: %s", delivery.id, delivery.receiver, exc)
        else:
            delivery.next_attempt_at = now + backoff(delivery.attempts)
            log.warning("outbox delivery %s to %s failed: %s", delivery.id, delivery.receiver, exc)
        delivery.save(update_fields=["attempts", "state", "next_attempt_at", "last_error"])
        return False
    delivery.state = OutboxDelivery.State.DELIVERED
    delivery.delivered_at = clock.now()
    delivery.last_error = ""
    delivery.save(update_fields=["attempts", "state", "delivered_at", "last_error"])
    return True


def run(*, once: bool = False, idle_sleep: float = 0.5, stop_after: float | None = None) -> int:
    """The worker loop. Returns the number delivered."""
    total = 0
    started = time.monotonic()
    while True:
        done, failed = deliver_batch()
        total += done
        if once and done == 0 and failed == 0:
            return total
        if stop_after is not None and time.monotonic() - started > stop_after:
            return total
        if done == 0:
            if once:
                return total
            time.sleep(idle_sleep)


def backlog() -> dict[str, int]:
    """Pending and dead deliveries, for health and metrics."""
    pending = OutboxDelivery.objects.filter(state=OutboxDelivery.State.PENDING).count()
    dead = OutboxDelivery.objects.filter(state=OutboxDelivery.State.DEAD).count()
    return {"pending": pending, "dead": dead}
