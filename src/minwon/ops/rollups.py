"""Per-minute rollups (분 단위 집계) that several app processes add up.

Each process counts in memory (``record``) and, at most every ``FLUSH_SECONDS``, adds its
counts into ``MetricMinute`` with one upsert per row::

    INSERT … ON CONFLICT (minute, metric, key, channel, jurisdiction, outcome)
    DO UPDATE SET n = n + excluded.n, total = total + excluded.total

so two app workers flushing the same minute sum, and neither overwrites the other.
Flushes run inline after a request or a command (no background thread: a thread would
need its own database connection, and an idle process has nothing to flush anyway). A
flush that fails puts its counts back to be retried. A process that exits loses at most
its last ``FLUSH_SECONDS`` of counts from the rollups (there is deliberately no exit hook:
at exit the database may no longer be the one counted into); the Prometheus counters keep
them, and ``replay_commands`` rebuilds command counts from the command table.

These writes are telemetry, not domain state, so they bypass ``execute()`` — see
``minwon.ops.models`` for why.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections import defaultdict
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import connection, transaction
from prometheus_client import Counter

from minwon.kernel import clock
from minwon.ops.categories import category_of
from minwon.ops.models import MetricMinute, ProcessHeartbeat

if TYPE_CHECKING:
    from minwon.kernel.types import Command

log = logging.getLogger(__name__)

FLUSH_SECONDS = float(os.environ.get("MINWON_OPS_FLUSH_SECONDS", "10"))
#: What this process is (``web``, ``worker``, ``tick``, ``demo`` …): ``minwon`` sets it per
#: subcommand; read at each heartbeat, so a command that sets it after import is believed.
ROLE_ENV = "MINWON_PROCESS_ROLE"
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, float("inf"))

ROOM_EVENTS = Counter(
    "minwon_room_events_total",
    "Successful commands by situation-room category (issuances, petitions …)",
    ["category", "channel", "jurisdiction"],
)

Key = tuple[datetime, str, str, str, str, str]

_lock = threading.Lock()
_pending: dict[Key, list[float]] = {}
_pid = os.getpid()
_started_at = clock.now()
_last_flush = time.monotonic()


def role() -> str:
    return os.environ.get(ROLE_ENV, "web")


def started_at() -> datetime:
    """When this process started counting (a forked child: when it was forked)."""
    with _lock:
        _fork_check()
        return _started_at


def minute_of(moment: datetime) -> datetime:
    """The minute ``moment`` falls in, in Seoul time.

    Every request counts into it, so the last answer is kept: the same minute comes back as
    the same object, whose hash (a zone look-up for an aware value) is then computed once
    per minute instead of on every slot look-up. ``astimezone`` into the zone a value
    already carries returns it unchanged (Python's datetime documentation), so the clock's
    own values skip the conversion."""
    global _last_minute
    if moment.tzinfo is not clock.SEOUL:
        moment = clock.local(moment)
    fields = (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.fold)
    last = _last_minute
    if last is not None and last[0] == fields:
        return last[1]
    minute = moment.replace(second=0, microsecond=0)
    _last_minute = (fields, minute)
    return minute


_last_minute: tuple[tuple[int, ...], datetime] | None = None


def process_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _fork_check() -> None:
    """A forked child must not flush its parent's counts a second time."""
    global _pid, _pending, _started_at
    if os.getpid() != _pid:
        _pid = os.getpid()
        _pending = {}
        _started_at = clock.now()


def record(
    metric: str,
    *,
    key: str = "",
    channel: str = "",
    jurisdiction: str = "",
    outcome: str = "",
    n: int = 1,
    total: float = 0.0,
    at: datetime | None = None,
) -> None:
    """Count ``n`` (and add ``total``) to this process's pending minute."""
    slot_key: Key = (
        minute_of(at or clock.now()),
        metric[:24],
        key[:80],
        channel[:12],
        jurisdiction[:10],
        outcome[:32],
    )
    with _lock:
        _fork_check()
        slot = _pending.get(slot_key)
        if slot is None:
            _pending[slot_key] = [n, total]
        else:
            slot[0] += n
            slot[1] += total


def pending() -> dict[Key, list[float]]:
    """A copy of what this process has not flushed yet (tests, the room's own process)."""
    with _lock:
        return {k: list(v) for k, v in _pending.items()}


def discard_pending() -> None:
    """Forget unflushed counts (tests start from a clean buffer)."""
    with _lock:
        _pending.clear()


def maybe_flush() -> None:
    """Flush when the interval has passed; never raise into the caller's request."""
    if time.monotonic() - _last_flush >= FLUSH_SECONDS:
        flush()


def flush() -> int:
    """Add this process's pending counts into the database; returns rows written."""
    global _pending, _last_flush
    with _lock:
        _fork_check()
        batch, _pending = _pending, {}
        _last_flush = time.monotonic()
    try:
        # A savepoint when called inside someone's transaction, so a failed flush never
        # poisons it; a transaction of its own otherwise.
        with transaction.atomic():
            _upsert(batch)
            _heartbeat()
    except Exception:
        log.warning("ops rollup flush failed; keeping %d rows for later", len(batch), exc_info=True)
        with _lock:
            for key, (n, total) in batch.items():
                slot = _pending.setdefault(key, [0, 0.0])
                slot[0] += n
                slot[1] += total
        return 0
    return len(batch)


def _upsert(batch: dict[Key, list[float]]) -> None:
    if not batch:
        return
    qn = connection.ops.quote_name
    table = qn(MetricMinute._meta.db_table)
    cols = ["minute", "metric", "key", "channel", "jurisdiction", "outcome", "n", "total"]
    conflict = ", ".join(qn(c) for c in cols[:6])
    sql = (
        f"INSERT INTO {table} ({', '.join(qn(c) for c in cols)}) "  # noqa: S608 - names are ours
        f"VALUES ({', '.join(['%s'] * len(cols))}) "
        f"ON CONFLICT ({conflict}) DO UPDATE SET "
        f"{qn('n')} = {table}.{qn('n')} + excluded.{qn('n')}, "
        f"{qn('total')} = {table}.{qn('total')} + excluded.{qn('total')}"
    )
    adapt = connection.ops.adapt_datetimefield_value
    rows = [
        (adapt(k[0]), k[1], k[2], k[3], k[4], k[5], int(v[0]), float(v[1]))
        for k, v in sorted(batch.items(), key=lambda item: item[0])
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _heartbeat() -> None:
    now = clock.now()
    ProcessHeartbeat.objects.bulk_create(
        [
            ProcessHeartbeat(
                process=process_name(),
                role=role()[:20],
                host=socket.gethostname()[:80],
                pid=os.getpid(),
                started_at=_started_at,
                seen_at=now,
            )
        ],
        update_conflicts=True,
        unique_fields=["process"],
        update_fields=["seen_at", "role", "started_at"],
    )


def on_command(command: Command, outcome: str, seconds: float) -> None:
    """``kernel.metrics.on_command`` listener: count every finished command, and its room
    category when it succeeded."""
    name = command.command_name()
    channel = command.channel.value
    jurisdiction = command.jurisdiction[:5] + "00000" if command.jurisdiction else ""
    record(
        "command",
        key=name,
        channel=channel,
        jurisdiction=jurisdiction,
        outcome=outcome,
        total=seconds,
    )
    if outcome == "ok":
        category = category_of(name)
        if category is not None:
            record("category", key=category, channel=channel, jurisdiction=jurisdiction)
            ROOM_EVENTS.labels(category, channel, jurisdiction).inc()
    maybe_flush()


_BUCKET_LABELS = tuple(
    (bound, "inf" if bound == float("inf") else f"{bound:g}") for bound in LATENCY_BUCKETS
)


def latency_bucket(seconds: float) -> str:
    for bound, label in _BUCKET_LABELS:
        if seconds <= bound:
            return label
    return "inf"


def replay_commands(start: datetime, end: datetime) -> int:
    """Rebuild the ``command`` and ``category`` rollups for ``[start, end)`` from the
    command table (replayed or imported history, or rollups lost with a process).

    It *replaces* those minutes, so run it over windows no live process is still adding
    to. Failed commands leave no command row, so only successes are rebuilt."""
    from minwon.kernel.models import CommandRecord

    counts: dict[Key, int] = defaultdict(int)
    seen = 0
    rows = CommandRecord.objects.filter(recorded_at__gte=start, recorded_at__lt=end).values_list(
        "name", "channel", "jurisdiction", "recorded_at"
    )
    for name, channel, jurisdiction, recorded_at in rows.iterator(chunk_size=2000):
        seen += 1
        code = jurisdiction[:5] + "00000" if jurisdiction else ""
        minute = minute_of(recorded_at)
        counts[(minute, "command", name, channel, code, "ok")] += 1
        category = category_of(name)
        if category is not None:
            counts[(minute, "category", category, channel, code, "")] += 1
    with transaction.atomic():
        MetricMinute.objects.filter(
            metric__in=["command", "category"], minute__gte=minute_of(start), minute__lt=end
        ).delete()
        MetricMinute.objects.bulk_create(
            [
                MetricMinute(
                    minute=k[0],
                    metric=k[1],
                    key=k[2],
                    channel=k[3],
                    jurisdiction=k[4],
                    outcome=k[5],
                    n=v,
                )
                for k, v in counts.items()
            ],
            batch_size=1000,
        )
    return seen


def prune(keep_days: int = 40) -> int:
    """Drop rollups older than ``keep_days`` (enough for week-on-week comparison)."""
    cutoff = clock.now() - timedelta(days=keep_days)
    deleted, _ = MetricMinute.objects.filter(minute__lt=cutoff).delete()
    return deleted
