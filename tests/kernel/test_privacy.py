"""The access log's bulk write: one row per person shown, values as written, any count."""

from __future__ import annotations

import pytest

from minwon.kernel import clock, privacy
from minwon.kernel.models import AccessLog
from minwon.kernel.types import Actor, ActorKind, Channel

CLERK = Actor(ActorKind.STAFF, 7, "wonju-clerk")


@pytest.mark.django_db
def test_log_reads_writes_one_row_per_read_in_chunks() -> None:
    reads = [(str(n), "등본" if n % 2 else "초본") for n in range(1203)]  # three statements
    with clock.frozen_at(clock.now()):
        at = clock.now()
        written = privacy.log_reads(
            actor=CLERK, channel=Channel.COUNTER, purpose="x" * 250, reads=reads,
            jurisdiction="5113000000",
        )  # fmt: skip
    assert written == 1203
    rows = AccessLog.objects.order_by("id")
    assert rows.count() == 1203
    first, last = rows.first(), rows.last()
    assert first is not None and last is not None
    assert (first.subject_id, first.what, last.subject_id, last.what) == (
        "0",
        "초본",
        "1202",
        "초본",
    )
    assert first.actor == str(CLERK) and first.channel == "counter"
    assert first.purpose == "x" * 200 and first.jurisdiction == "5113000000"
    assert first.at == at and first.subject_type == "person"
    assert privacy.accesses_of("person", "1201")[0].what == "등본"


@pytest.mark.django_db
def test_log_reads_of_nothing_writes_nothing() -> None:
    assert privacy.log_reads(actor=CLERK, channel="api", purpose="p", reads=[]) == 0
    assert AccessLog.objects.count() == 0
