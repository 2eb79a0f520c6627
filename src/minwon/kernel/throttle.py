"""Rate limits, one mechanism for every throttle of the public edges: verification (진위확인),
public tracking and Open311, sign-up and its one-time codes, the kiosk's identity step.

A ``Rule`` says how many attempts of one kind a key may make in a window. The count lives
in the database (``kernel.Throttle``), so every worker process and every app server behind
the load balancer shares it, and it is taken in **one statement** for all the keys of a
window length, ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` (SQLite ≥ 3.35 and PostgreSQL
alike), and handed back in one (``refund``): the attempt is counted before
anything is evaluated, so twelve concurrent wrong PINs get the counts 1…12 and only those
within the limit are evaluated — there is no check-then-record gap to slip through. A rule
that counts only failures (a second factor) hands the attempt back with ``refund`` when it
succeeds, so a correct factor costs nothing and still works after failures. A refused
attempt is handed back too: it was never evaluated, so it is neither a failure nor a use.
For a plain rate limit that changes nothing (the window is fixed, the count stays at the
limit until it ends); for a failures-only rule it means that many look-ups in flight at
once from one address (a 구청 behind one NAT) can be refused for a moment, but their
refusals never pile up into a lock once they have succeeded.

Keys are what the caller is, plus what it probes: the client address (taken from the
configured trusted proxy header, ``client_address``) alone against enumeration, and the
address with the receipt number or identity it probes against guessing one secret. The lock
is on the prober, not on the probed: five wrong PINs from one address do not lock the real
applicant out from theirs.

The counters are plumbing written outside ``kernel.execute()``, like the access log and
django-axes' attempt table: a refused or counted attempt is not a change of business state,
must be written even when the request is refused (so it cannot be inside a transaction that
the refusal rolls back), and replaying it would make no sense. Keys are stored as digests.

Lock order. A call's keys are one statement's rows, so on PostgreSQL one statement locks
several rows, and two statements locking the same rows in different orders deadlock (a
tracking look-up's address row is shared by every look-up from that address): the upsert's
rows go in (scope, key) order, the refund locks its rows with ``SELECT … ORDER BY scope,
key FOR UPDATE`` (byte order, ``COLLATE "C"``, the order Python sorts them in) before it
updates them, and the housekeeping prune skips rows someone holds (``SKIP LOCKED``), so no
statement of this module waits for a row while holding one that a later row's holder waits
for. SQLite has one writer at a time and takes the plain statements.

The window starts at a key's first attempt and ends ``window`` seconds later (then the next
attempt starts a new one), so a burst cannot straddle a fixed boundary to get twice the
limit, and a test does not depend on when it runs.
"""

from __future__ import annotations

import dataclasses
import hashlib
import ipaddress
import os
import random
from collections.abc import Iterable
from typing import Any

from django.db import connection

from minwon.kernel import clock
from minwon.kernel.errors import DomainError
from minwon.kernel.models import Throttle


class TooManyRequests(DomainError):
    """429: this address (or this address probing this identity) used up its attempts."""

    status = 429
    code = "rate_limited"


@dataclasses.dataclass(frozen=True)
class Rule:
    """``default`` = (attempts, seconds) per key, with the message a person reads when
    refused. An operator changes the numbers with ``MINWON_RATE_<SCOPE>`` as
    ``limit/seconds`` (e.g. ``MINWON_RATE_VERIFY=30/60``), read at each use."""

    scope: str
    default: tuple[int, int]
    message_ko: str
    message_en: str
    field: str | None = None

    def numbers(self) -> tuple[int, int]:
        text = os.environ.get(f"MINWON_RATE_{self.scope.upper()}", "").strip()
        if not text:
            return self.default
        left, _, right = text.partition("/")
        return int(left), int(right or self.default[1])

    @property
    def limit(self) -> int:
        return self.numbers()[0]

    @property
    def window(self) -> int:
        return self.numbers()[1]


@dataclasses.dataclass(frozen=True)
class Taken:
    """Attempts counted by ``take``: hand them back with ``refund`` when they succeed."""

    entries: tuple[tuple[str, str], ...]

    def refund(self) -> None:
        """Hand the attempts back, in one statement that locks its rows in key order."""
        if not self.entries:
            return
        pairs = ", ".join(["(%s, %s)"] * len(self.entries))
        statement = _REFUND_PG if connection.vendor == "postgresql" else _REFUND
        with connection.cursor() as cursor:
            cursor.execute(
                statement.format(pairs=pairs), [v for entry in self.entries for v in entry]
            )


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


_TABLE = Throttle._meta.db_table


def _take(rows: int) -> str:
    """Count one attempt for each of ``rows`` (scope, key, now) values; the two trailing
    parameters are the window's cutoff (a window older than it starts again at 1)."""
    return _TAKE.format(values=", ".join(["(%s, %s, 1, %s)"] * rows))


_TAKE = (
    f'INSERT INTO "{_TABLE}" ("scope", "key", "hits", "started") VALUES {{values}}'  # noqa: S608
    ' ON CONFLICT ("scope", "key") DO UPDATE SET'
    f' "hits" = CASE WHEN "{_TABLE}"."started" <= %s THEN 1 ELSE "{_TABLE}"."hits" + 1 END,'
    f' "started" = CASE WHEN "{_TABLE}"."started" <= %s THEN excluded."started"'
    f' ELSE "{_TABLE}"."started" END'
    ' RETURNING "scope", "key", "hits", "started"'
)
_REFUND = (
    f'UPDATE "{_TABLE}" SET "hits" = "hits" - 1'  # noqa: S608
    ' WHERE ("scope", "key") IN ({pairs}) AND "hits" > 0'
)
# An UPDATE … WHERE … IN (…) locks rows in the order its scan meets them (the heap's, an
# index's), not the upsert's: lock them first, in the upsert's order (module docstring).
_REFUND_PG = (
    f'WITH "held" AS MATERIALIZED (SELECT "scope", "key" FROM "{_TABLE}"'  # noqa: S608
    ' WHERE ("scope", "key") IN ({pairs}) AND "hits" > 0'
    ' ORDER BY "scope" COLLATE "C", "key" COLLATE "C" FOR UPDATE)'
    f' UPDATE "{_TABLE}" SET "hits" = "{_TABLE}"."hits" - 1 FROM "held"'
    f' WHERE "{_TABLE}"."scope" = "held"."scope" AND "{_TABLE}"."key" = "held"."key"'
    f' AND "{_TABLE}"."hits" > 0'
)
_PRUNE = f'DELETE FROM "{_TABLE}" WHERE "started" < %s'  # noqa: S608
_PRUNE_PG = (
    f'DELETE FROM "{_TABLE}" WHERE ("scope", "key") IN (SELECT "scope", "key"'  # noqa: S608
    f' FROM "{_TABLE}" WHERE "started" < %s FOR UPDATE SKIP LOCKED)'
)


def _now() -> float:
    return clock.now().timestamp()


def take(*pairs: tuple[Rule, str]) -> Taken:
    """Count one attempt for each (rule, key); refuse with 429 when any key is past its
    limit. A refused call hands back everything it counted, the refusing key's attempt
    included: only evaluated attempts stay counted.

    The keys of one window length are counted in one statement, their rows in key order
    (module docstring, "Lock order"): a tracking look-up's two keys (the address, the
    address with the receipt) cost one round trip, not two."""
    now = _now()
    wanted: list[tuple[Rule, tuple[str, str], int, int]] = []
    by_window: dict[int, set[tuple[str, str]]] = {}
    for rule, key in pairs:
        limit, window = rule.numbers()
        entry = (rule.scope, _digest(key))
        wanted.append((rule, entry, limit, window))
        by_window.setdefault(window, set()).add(entry)
    counted: dict[tuple[str, str], tuple[int, float]] = {}
    with connection.cursor() as cursor:
        for window, entries in sorted(by_window.items()):
            rows = sorted(entries)
            cutoff = now - window
            cursor.execute(
                _take(len(rows)), [*(v for e in rows for v in (*e, now)), cutoff, cutoff]
            )
            for scope, key, hits, started in cursor.fetchall():
                counted[(scope, key)] = (hits, started)
        for rule, entry, limit, window in wanted:
            hits, started = counted[entry]
            if hits > limit:
                Taken(tuple(sorted(counted))).refund()
                raise TooManyRequests(
                    rule.message_ko,
                    rule.message_en,
                    field=rule.field,
                    details={"retry_after_seconds": max(1, int(started + window - now))},
                )
        if random.random() < 0.01:  # housekeeping, not security
            prune = _PRUNE_PG if connection.vendor == "postgresql" else _PRUNE
            cursor.execute(prune, [now - 86400 * 2])
    return Taken(tuple(sorted(counted)))


def attempts(rule: Rule, key: str) -> int:
    """How many attempts ``key`` has made in its current window (for tests and the room)."""
    row = Throttle.objects.filter(scope=rule.scope, key=_digest(key)).first()
    if row is None or row.started <= _now() - rule.window:
        return 0
    return row.hits


# --- the client address -----------------------------------------------------------------


def _networks(text: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [
        ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip()
    ]


def _parse(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip().strip('"')
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]  # IPv4 with a port
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def client_address(request: Any) -> str:
    """The address of the client behind the request.

    ``REMOTE_ADDR`` unless it is one of ``MINWON_TRUSTED_PROXIES`` (addresses or networks,
    comma-separated) and ``MINWON_TRUSTED_PROXY_HEADER`` names the header those proxies set
    (``X-Forwarded-For``, ``X-Real-IP``): then the header is read from the right, skipping
    our own proxies, and the first address they did not add is the client's. A header from
    anyone else is ignored, so a client cannot choose its own bucket."""
    remote = str(request.META.get("REMOTE_ADDR") or "unknown")
    header = os.environ.get("MINWON_TRUSTED_PROXY_HEADER", "").strip()
    proxies = _networks(os.environ.get("MINWON_TRUSTED_PROXIES", ""))
    if not header or not proxies:
        return remote

    def trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address | None) -> bool:
        return address is not None and any(address in net for net in proxies)

    if not trusted(_parse(remote)):
        return remote
    meta_key = "HTTP_" + header.upper().replace("-", "_")
    hops: Iterable[str] = reversed(str(request.META.get(meta_key, "")).split(","))
    for hop in hops:
        address = _parse(hop)
        if address is None:
            break
        if not trusted(address):
            return str(address)
    return remote
