"""The throttle's multi-row statements under concurrency (``kernel.throttle``, "Lock order").

A call's keys are counted in one upsert and handed back in one refund. On PostgreSQL a
refund written as ``UPDATE … WHERE (scope, key) IN (…)`` locked its rows in scan order, not
the upsert's key order, and deadlocked against concurrent upserts of the same rows (commit
1ff5e2e, reverted in 41f2272). Here threads, each with its own connection, hammer
overlapping key sets — one address row every call shares, receipt rows shared by some —
with refunds after success and refusals handing back what they counted. On SQLite (one
writer) the same calls queue."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minwon.kernel import throttle

THREADS = 6
CALLS = 150

SHARED = throttle.Rule("lockorder_address", (10**9, 600), "많습니다", "Too many")
#: Low enough that some calls are refused (a refusal hands back every key it counted).
PROBE = throttle.Rule("lockorder_probe", (THREADS, 600), "많습니다", "Too many", field="pin")


@pytest.mark.django_db(transaction=True)
def test_overlapping_takes_and_refunds_neither_deadlock_nor_lose_a_count() -> None:
    # Rows made in the reverse of key order, so a scan in heap order meets them the other
    # way round from the upsert.
    receipts = sorted((f"r{n}" for n in range(3)), key=lambda r: throttle._digest(f"ip|{r}"))
    for receipt in reversed(receipts):
        throttle.take((PROBE, f"ip|{receipt}")).refund()
    throttle.take((SHARED, "ip")).refund()
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []
    refused = [0]

    def hammer(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            for i in range(CALLS):
                receipt = receipts[(n + i) % len(receipts)]
                try:
                    taken = throttle.take((SHARED, "ip"), (PROBE, f"ip|{receipt}"))
                except throttle.TooManyRequests:
                    refused[0] += 1
                    continue
                taken.refund()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=hammer, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    # Every counted attempt was handed back: by its caller after success, by take() when
    # refused.
    assert throttle.attempts(SHARED, "ip") == 0
    assert [throttle.attempts(PROBE, f"ip|{r}") for r in receipts] == [0, 0, 0]


@pytest.mark.django_db
def test_a_calls_keys_are_counted_in_one_statement_and_handed_back_in_one() -> None:
    """A tracking look-up's two keys cost one statement to count and one to hand back; keys
    of another window length one more; a refusal by any key hands back every key."""
    table = throttle.Throttle._meta.db_table
    wide = throttle.Rule("probe_wide", (3, 60), "많습니다", "Too many")
    narrow = throttle.Rule("probe_narrow", (1, 60), "많습니다", "Too many", field="pin")
    other = throttle.Rule("probe_other", (9, 3600), "많습니다", "Too many")

    def sent(q: Any) -> list[str]:
        return [
            s["sql"] for s in q.captured_queries if table in s["sql"] and "DELETE" not in s["sql"]
        ]

    with CaptureQueriesContext(connection) as q:
        taken = throttle.take((wide, "a"), (narrow, "a|r"))
        taken.refund()
    assert [s.split()[0] for s in sent(q)] == ["INSERT", "WITH" if connection.vendor ==
        "postgresql" else "UPDATE"]  # fmt: skip
    assert (throttle.attempts(wide, "a"), throttle.attempts(narrow, "a|r")) == (0, 0)
    with CaptureQueriesContext(connection) as q:
        throttle.take((wide, "b"), (narrow, "b|r"), (other, "b"))
    assert len(sent(q)) == 2
    with pytest.raises(throttle.TooManyRequests) as refusal:
        throttle.take((wide, "b"), (narrow, "b|r"))  # "b|r" is at its limit
    assert refusal.value.field == "pin"
    assert (throttle.attempts(wide, "b"), throttle.attempts(narrow, "b|r")) == (1, 1)
