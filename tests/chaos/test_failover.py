"""Failover under load (issue 6): kill -9 the primary's postmaster, stop its whole node, cut
it off — while several clients write through the HTTP API — then check that every
acknowledged write is there exactly once, nothing timed-out is there twice, and the audit
chain verifies. Rounds are bounded: CI runs five (three crashes, one node loss, one
partition) in about five minutes."""

from __future__ import annotations

import statistics

import pytest

from minwon.ha.cluster import Cluster
from minwon.ha.harness import AppServer, RoundResult, run_round

pytestmark = pytest.mark.chaos

CRASH_ROUNDS = 3


def _assert_clean(result: RoundResult) -> None:
    verdict = result.verdict
    print(result.summary())
    assert verdict.acknowledged > 0, "no write was acknowledged at all"
    assert verdict.lost == [], f"acknowledged writes lost: {verdict.lost[:10]}"
    assert verdict.duplicated == [], f"writes applied twice: {verdict.duplicated[:10]}"
    assert verdict.phantom == [], f"writes nobody sent: {verdict.phantom[:10]}"
    assert verdict.wrong_id == [], f"stored under another id: {verdict.wrong_id[:10]}"
    assert verdict.audit_missing == [], "a write without exactly one audit row"
    assert verdict.audit_ok, verdict.audit_message
    assert result.new_primary not in (None, result.old_primary)


def test_primary_postmaster_killed_under_load(ha_cluster: Cluster, ha_app: AppServer) -> None:
    recoveries = []
    for _ in range(CRASH_ROUNDS):
        result = run_round(ha_cluster, ha_app, "kill-postmaster")
        _assert_clean(result)
        assert result.recovery_seconds is not None, "no write succeeded after the crash"
        recoveries.append(result.recovery_seconds)
    # The goal: median recovery from a primary kill to the first write <= 15 s.
    assert statistics.median(recoveries) <= 15, recoveries


def test_primary_node_stopped_under_load(ha_cluster: Cluster, ha_app: AppServer) -> None:
    result = run_round(ha_cluster, ha_app, "kill-node")
    _assert_clean(result)
    # A vanished node holds its lock until the ttl (20 s) runs out.
    assert result.recovery_seconds is not None
    assert result.recovery_seconds <= ha_cluster.spec.ttl + 15
    # The old primary rejoins as a standby (demote, rewind, stream); that takes a while.
    ha_cluster.wait_healthy(120)


def test_primary_cut_off_under_load(ha_cluster: Cluster, ha_app: AppServer) -> None:
    result = run_round(ha_cluster, ha_app, "partition")
    _assert_clean(result)
    assert result.recovery_seconds is not None
    assert result.recovery_seconds <= ha_cluster.spec.ttl + 15
    # Once healed, the old primary rejoins as a standby (demote, rewind, stream): wait for it,
    # bounded, instead of catching it half-way ("stopping").
    ha_cluster.wait_healthy(120)
    members = {m["name"]: m for m in ha_cluster.members()}
    assert members[result.old_primary]["role"] != "leader"
    assert members[result.old_primary]["state"] == "streaming"


def test_switchover_loses_nothing(ha_cluster: Cluster, ha_app: AppServer) -> None:
    from minwon.ha.harness import Load, check

    ha_cluster.wait_healthy()
    old = ha_cluster.leader()
    load = Load(ha_app.port, ha_app.token(), clients=3).start()
    try:
        ha_cluster.switchover()
        ha_cluster.wait_healthy(120)
    finally:
        ops = load.stop()
    assert ha_cluster.leader() != old
    verdict = check(ops, ha_cluster.spec.url(), ha_app.audit_verify)
    assert verdict.ok, verdict
    assert verdict.acknowledged > 0
