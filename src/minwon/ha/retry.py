"""Retrying a command across a database failover (issue 6, "the application side").

When the primary dies, the connection a command was using breaks; for a few seconds no
server accepts writes; then libpq's ``target_session_attrs=read-write`` finds the promoted
standby. A command that met a lost connection is therefore run again with the *same*
``command_id``: ``execute`` deduplicates by that id, so if the first attempt did commit
(and only the acknowledgement was lost) the retry returns the stored result, and if it did
not, the retry performs it — exactly once either way. Past a bounded time the caller gets
:class:`DatabaseUnavailable` (HTTP 503 with ``Retry-After``), and a client that retries
with its ``Idempotency-Key`` is still safe.

Only errors that mean "this server cannot take the write now" are retried; a constraint
violation or a bug is raised at once.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from django.db import connection
from django.db import utils as db_utils

from minwon.kernel.errors import DomainError

if TYPE_CHECKING:
    from minwon.kernel.bus import Execution, Result

log = logging.getLogger(__name__)
T = TypeVar("T")

#: SQLSTATEs of a server that is going away or cannot take writes: connection exceptions
#: (class 08), administrator/crash shutdown and "cannot connect now" (57P01-57P03), and a
#: read-only transaction (25006: the server we reached was demoted to a standby).
RETRYABLE_SQLSTATES = {"57P01", "57P02", "57P03", "25006"}


class DatabaseUnavailable(DomainError):
    """The database could not take the write within the retry budget (HTTP 503)."""

    status = 503
    code = "database_unavailable"

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            "데이터베이스 전환 중입니다. 잠시 뒤 같은 요청 번호(Idempotency-Key)로 다시 시도하세요.",
            "The database is failing over; retry shortly with the same Idempotency-Key.",
            details={"retry_after": retry_after},
        )
        self.retry_after = retry_after


def retry_seconds() -> float:
    """The retry budget: long enough to ride out a failover (median ~3 s after a crash,
    ~20 s when a whole node vanishes and its lock must expire), short enough that a client
    is told to come back rather than left hanging."""
    return float(os.environ.get("MINWON_DB_RETRY_SECONDS", "30"))


def is_connection_lost(exc: BaseException) -> bool:
    """Whether ``exc`` means the database connection was lost or the server cannot take a
    write right now (as opposed to an error in the statement itself)."""
    if not isinstance(
        exc, db_utils.OperationalError | db_utils.InterfaceError | db_utils.InternalError
    ):
        return False
    if connection.vendor != "postgresql":
        return False
    cause = exc.__cause__
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate is None:
        # No server answer at all (refused, reset, closed, pool timeout): lost connection,
        # unless it is an InternalError, which always carries a server SQLSTATE.
        return not isinstance(exc, db_utils.InternalError)
    return str(sqlstate).startswith("08") or sqlstate in RETRYABLE_SQLSTATES


def _drop_connection() -> None:
    """Forget the broken connection so the next query opens a new one (libpq then looks
    for the read-write server among the hosts of the URL)."""
    with contextlib.suppress(Exception):
        connection.close()
    connection.connection = None
    connection.closed_in_transaction = False
    connection.needs_rollback = False


def with_retry(fn: Callable[[], T], *, budget: float | None = None) -> T:
    """Call ``fn`` until it succeeds or ``budget`` seconds have passed, retrying only on a
    lost connection; then raise :class:`DatabaseUnavailable`. Inside an enclosing
    transaction nothing can be retried safely, so the error propagates unchanged."""
    limit = retry_seconds() if budget is None else budget
    deadline = time.monotonic() + limit
    delay = 0.1
    attempt = 0
    while True:
        try:
            return fn()
        except (db_utils.OperationalError, db_utils.InterfaceError, db_utils.InternalError) as exc:
            if connection.in_atomic_block or not is_connection_lost(exc):
                raise
            attempt += 1
            _drop_connection()
            if time.monotonic() + delay > deadline:
                log.warning("database still unavailable after %d attempts: %s", attempt, exc)
                raise DatabaseUnavailable(retry_after=max(1, round(limit / 6))) from exc
            log.info("database connection lost (attempt %d), retrying: %s", attempt, exc)
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 1.0)


def retry_stage(ex: Execution, proceed: Callable[[], Result]) -> Result:
    """The kernel pipeline's outermost stage (settings ``MINWON_PIPELINE``): the rest of
    the pipeline again, with the same command id, until it is done or the budget is
    spent."""
    return with_retry(proceed)
