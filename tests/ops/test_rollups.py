"""Per-minute rollups: what the room counts, per minute, channel and 시·군·구; flushes that
add up; replay from the command table."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.db.models import Sum

from minwon.kernel import clock
from minwon.kernel.errors import ValidationFailed
from minwon.kernel.types import Channel
from minwon.ops import queries, rollups
from minwon.ops.categories import category_of
from minwon.ops.models import MetricMinute
from tests.conftest import JEONJU, WANSAN, WONJU
from tests.ops.conftest import issue, submit

T0 = datetime(2026, 3, 9, 10, 15, 20, tzinfo=clock.SEOUL)  # a Monday


def rows(metric: str, **filters: str) -> dict[tuple[str, str, str, str], int]:
    qs = MetricMinute.objects.filter(metric=metric, **filters).values(
        "minute", "key", "channel", "jurisdiction"
    )
    out: dict[tuple[str, str, str, str], int] = {}
    for r in qs.annotate(v=Sum("n")):
        out[
            (clock.local(r["minute"]).strftime("%H:%M"), r["key"], r["channel"], r["jurisdiction"])
        ] = r["v"]
    return out


@pytest.mark.parametrize(
    ("name", "category"),
    [
        ("IssueCertificate", "issuances"),
        ("EnterContinuityIssuance", "issuances"),
        ("SubmitApplication", "petitions_received"),  # 민원 접수: intake, whatever its name
        ("DecidePetition", "petitions_decided"),
        ("RecordSignIn", "logins"),
        ("ReportMoveIn", "moves_in"),
        ("GrantRole", None),
        ("NoSuchCommand", None),
    ],
)
def test_each_command_type_declares_its_category(name: str, category: str | None) -> None:
    assert category_of(name) == category


def test_every_declared_category_is_a_room_category() -> None:
    from minwon.kernel import registry
    from minwon.kernel.types import RoomCategory

    for name, cls in registry.commands_by_name.items():
        assert cls.room_category is None or isinstance(cls.room_category, RoomCategory), name


@pytest.mark.django_db
def test_rollups_count_per_minute_channel_and_district(jurisdictions_loaded: None) -> None:
    issue(at=T0)
    issue(at=T0 + timedelta(seconds=30), channel=Channel.KIOSK)
    issue(at=T0 + timedelta(minutes=1), jurisdiction=WANSAN)
    submit(at=T0)
    with pytest.raises(ValidationFailed):
        issue(at=T0, fail=True)
    rollups.flush()

    assert rows("category") == {
        ("10:15", "issuances", "online", WONJU): 1,
        ("10:15", "issuances", "kiosk", WONJU): 1,
        ("10:16", "issuances", "online", WANSAN): 1,
        ("10:15", "petitions_received", "counter", WONJU): 1,
    }
    failed = MetricMinute.objects.get(
        metric="command", key="IssueDrillCertificate", outcome="validation_failed"
    )
    assert failed.n == 1
    ok = MetricMinute.objects.filter(
        metric="command", key="IssueDrillCertificate", outcome="ok"
    ).aggregate(v=Sum("n"))
    assert ok["v"] == 3
    # Per-region view names the district and rolls 완산구 separately from 원주시.
    with clock.frozen_at(T0 + timedelta(minutes=5)):
        regions = {r["code"]: r for r in queries.per_region()}
        channels = {r["channel"]: r for r in queries.per_channel()}
    assert regions[WONJU]["issuances"] == 2 and regions[WONJU]["petitions"] == 1
    assert regions[WANSAN]["issuances"] == 1
    assert JEONJU not in regions
    assert channels["kiosk"]["issuances"] == 1 and channels["counter"]["petitions"] == 1


@pytest.mark.django_db
def test_two_flushes_into_one_minute_add_up(jurisdictions_loaded: None) -> None:
    rollups.record("category", key="issuances", channel="online", jurisdiction=WONJU, at=T0)
    rollups.flush()
    rollups.record("category", key="issuances", channel="online", jurisdiction=WONJU, at=T0, n=4)
    rollups.flush()
    row = MetricMinute.objects.get(metric="category", key="issuances")
    assert row.n == 5
    assert rollups.flush() == 0


@pytest.mark.django_db
def test_replay_rebuilds_the_same_counts_from_the_command_table(jurisdictions_loaded: None) -> None:
    for i in range(5):
        issue(at=T0 + timedelta(minutes=i % 2))
    submit(at=T0)
    rollups.flush()
    live = rows("category")
    MetricMinute.objects.all().delete()
    replayed = rollups.replay_commands(T0 - timedelta(hours=1), T0 + timedelta(hours=1))
    assert replayed == 6
    assert rows("category") == live
    # Replaying twice replaces, it does not double.
    rollups.replay_commands(T0 - timedelta(hours=1), T0 + timedelta(hours=1))
    assert rows("category") == live


@pytest.mark.django_db
def test_today_against_same_weekday_last_week(jurisdictions_loaded: None) -> None:
    for _ in range(4):
        issue(at=T0 - timedelta(days=7))
    issue(
        at=T0 - timedelta(days=7) + timedelta(hours=2)
    )  # later in the day last week: not compared
    issue(at=T0)
    rollups.flush()
    with clock.frozen_at(T0 + timedelta(minutes=1)):
        today = {r["key"]: r for r in queries.today_vs_last_week()}
    assert today["issuances"]["today"] == 1
    assert today["issuances"]["last_week"] == 4
    assert today["issuances"]["change"] == -75.0


@pytest.mark.django_db
def test_request_latency_and_errors_come_from_the_middleware(client) -> None:  # type: ignore[no-untyped-def]
    client.get("/api/ops/status")
    client.get("/no-such-page/")
    rollups.flush()
    stats = queries.request_stats()
    assert stats["requests"] == 2
    assert stats["errors"] == 0
    assert queries.api_clients()[0] == {"client": "anonymous", "calls": 1}


def test_minute_of_is_the_moment_in_seoul_without_seconds() -> None:
    from zoneinfo import ZoneInfo

    utc = ZoneInfo("UTC")
    moments = [
        T0,
        T0 + timedelta(seconds=39),  # same minute: the kept answer
        T0 + timedelta(seconds=40),  # the next minute
        T0.astimezone(utc),  # another zone: converted
        datetime(2026, 3, 9, 10, 15, 59, 999999),  # naive: taken as Seoul time
        datetime(2026, 12, 31, 15, 0, 1, tzinfo=utc),  # a new year in Seoul
        T0,  # back to an earlier minute
    ]
    for moment in moments:
        expected = clock.local(moment).replace(second=0, microsecond=0)
        got = rollups.minute_of(moment)
        assert got == expected and got.tzinfo is clock.SEOUL, moment
        assert (got.year, got.month, got.day, got.hour, got.minute) == (
            expected.year, expected.month, expected.day, expected.hour, expected.minute,
        )  # fmt: skip


def test_latency_buckets_are_labelled_as_before() -> None:
    assert [rollups.latency_bucket(s) for s in (0, 0.05, 0.07, 0.3, 4.9, 5.0, 6, 1e9)] == [
        "0.05", "0.05", "0.1", "0.5", "5", "5", "inf", "inf",
    ]  # fmt: skip


@pytest.mark.django_db
def test_api_calls_are_counted_per_client_and_status_on_every_request(client) -> None:  # type: ignore[no-untyped-def]
    from prometheus_client import REGISTRY

    def calls() -> float:
        labels = {"client": "anonymous", "status": "2xx"}
        return REGISTRY.get_sample_value("minwon_api_calls_total", labels) or 0.0

    rollups.discard_pending()
    before = calls()
    with clock.frozen_at(T0):
        for _ in range(3):
            assert client.get("/api/ops/status").status_code == 200
    assert calls() == before + 3
    rows = {
        (m, k): v
        for (minute, m, k, *_), v in rollups.pending().items()
        if minute == T0.replace(second=0)
    }
    assert rows[("request", "api")][0] == 3
    assert rows[("api", "anonymous")][0] == 3
    assert sum(v[0] for (m, _), v in rows.items() if m == "latency") == 3
