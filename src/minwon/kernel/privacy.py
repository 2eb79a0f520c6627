"""The personal-data access log (개인정보 열람 기록, DESIGN §3.4): every read of a person's
record by staff or an agency writes who, when, whose, what and why. Kept two years.

It is an append-only log the kernel writes directly, like the audit chain: a read is not
a command, but it must leave a trace.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from minwon.kernel import clock, sql
from minwon.kernel.models import AccessLog
from minwon.kernel.types import Actor, ActorKind, Channel

RETENTION = timedelta(days=2 * 366)


def log_access(
    *,
    actor: Actor,
    channel: Channel | str,
    subject_type: str,
    subject_id: str,
    what: str,
    purpose: str,
    jurisdiction: str = "",
) -> None:
    """Write one access-log row. Citizens reading their own data are logged too; the
    citizen can see every row about them."""
    log_reads(
        actor=actor,
        channel=channel,
        purpose=purpose,
        reads=[(subject_id, what)],
        subject_type=subject_type,
        jurisdiction=jurisdiction,
    )


def log_reads(
    *,
    actor: Actor,
    channel: Channel | str,
    purpose: str,
    reads: Iterable[tuple[str, str]],
    subject_type: str = "person",
    jurisdiction: str = "",
) -> int:
    """Write one access-log row per ``(subject_id, what)`` shown, in one statement: a list
    page showing fifty people logs fifty rows without fifty round trips."""
    at = clock.now()
    who = str(actor)
    via = str(getattr(channel, "value", channel))
    why = (purpose or "")[:200]
    rows = [
        (at, who, via, subject_type, str(subject_id), what[:120], why, jurisdiction)
        for subject_id, what in reads
    ]
    _insert_rows.many(rows)
    return len(rows)


_insert_rows = sql.Insert(
    AccessLog,
    ("at", "actor", "channel", "subject_type", "subject_id", "what", "purpose", "jurisdiction"),
)


def accesses_of(subject_type: str, subject_id: str) -> list[AccessLog]:
    return list(
        AccessLog.objects.filter(subject_type=subject_type, subject_id=str(subject_id)).order_by(
            "-at"
        )
    )


def is_staff_or_agency(actor: Actor) -> bool:
    return actor.kind in (ActorKind.STAFF, ActorKind.AGENCY)
