"""Health states that settle at start: before any app process has reported, the board says
확인 중 (not "응답 없음" or 장애), a process replaced by a restart is not a silent one, and
the state settles to 정상 at the first heartbeat — or to 장애 when none comes."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.test import Client

from minwon.kernel import clock
from minwon.kernel.clock import SEOUL
from minwon.ops import health, plans, rollups
from minwon.ops.models import ProcessHeartbeat

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 1, 23, 30, tzinfo=SEOUL)


def _beat(process: str, *, started: datetime, seen: datetime, role: str = "web") -> None:
    ProcessHeartbeat.objects.update_or_create(
        process=process,
        defaults={"role": role, "host": process.split(":")[0], "pid": int(process.split(":")[1]),
                  "started_at": started, "seen_at": seen},
    )  # fmt: skip


def test_nothing_reported_since_start_is_unknown_then_settles() -> None:
    # The previous run's process, last seen 20 minutes before this one started.
    _beat("host-a:100", started=T0 - timedelta(hours=2), seen=T0 - timedelta(minutes=20))
    with clock.frozen_at(T0 + timedelta(seconds=5)):
        app = health.app_processes(clock.now(), observer_started=T0)
    assert (app.status, app.detail) == (
        health.UNKNOWN,
        "확인 중: 프로세스의 첫 생존 신호를 기다립니다",
    )
    assert "응답 없음" not in app.detail
    assert plans.observed_facts([app])["app_processes"] is None  # no redundancy violation yet

    # The new process reports: the old one on the same host was replaced, not hung.
    _beat("host-a:200", started=T0, seen=T0 + timedelta(seconds=10))
    with clock.frozen_at(T0 + timedelta(seconds=15)):
        app = health.app_processes(clock.now(), observer_started=T0)
    assert (app.status, app.detail) == (health.GREEN, "동작 1개")
    assert app.facts["stale"] == []


def test_a_process_that_falls_silent_is_still_reported() -> None:
    _beat("host-a:200", started=T0, seen=T0 + timedelta(minutes=1))
    _beat("host-a:201", started=T0, seen=T0 + timedelta(minutes=9))
    with clock.frozen_at(T0 + timedelta(minutes=10)):
        app = health.app_processes(clock.now(), observer_started=T0)
    assert (app.status, app.detail) == (health.AMBER, "동작 1개, 응답 없음 1개")


def test_no_report_for_longer_than_the_grace_is_red() -> None:
    with clock.frozen_at(T0 + health.PROCESS_ALIVE + timedelta(seconds=1)):
        app = health.app_processes(clock.now(), observer_started=T0)
    assert (app.status, app.detail) == (health.RED, "동작 0개")


def test_other_roles_are_not_app_servers(monkeypatch: pytest.MonkeyPatch) -> None:
    """A finished ``minwon demo`` or the tick is not a silent app server: the role is read
    at each heartbeat, as the ``minwon`` command sets it per subcommand."""
    monkeypatch.setenv(rollups.ROLE_ENV, "demo")
    with clock.frozen_at(T0):
        rollups.flush()
    assert set(ProcessHeartbeat.objects.values_list("role", flat=True)) == {"demo"}
    with clock.frozen_at(T0 + timedelta(minutes=30)):
        app = health.app_processes(clock.now(), observer_started=T0)
    assert "응답 없음" not in app.detail


def test_cli_names_the_role_of_each_subcommand(monkeypatch: pytest.MonkeyPatch) -> None:
    import minwon.cli

    seen: list[str | None] = []
    monkeypatch.setattr(
        "django.core.management.execute_from_command_line",
        lambda args: seen.append(__import__("os").environ.get(rollups.ROLE_ENV)),
    )
    for command, role in (("demo", "demo"), ("ops_tick", "tick"), ("worker", "worker")):
        monkeypatch.delenv(rollups.ROLE_ENV, raising=False)
        minwon.cli.main([command])
        assert seen[-1] == role
    monkeypatch.delenv(rollups.ROLE_ENV, raising=False)
    minwon.cli.main(["serve"])
    assert seen[-1] is None  # granian's workers are "web" by default


def test_the_room_shows_unknown_in_words_at_start(
    operator: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = Client()
    client.force_login(operator)  # type: ignore[arg-type]
    # No flush (hence no heartbeat of this test process) during the test: a clean start.
    monkeypatch.setattr(rollups, "FLUSH_SECONDS", 1e9)
    ProcessHeartbeat.objects.all().delete()
    # The board as a process that has just started, before any app process has reported.
    started = clock.now()
    monkeypatch.setattr(rollups, "started_at", lambda: started)
    health.clear_cache()
    html = client.get("/ops/live/health").content.decode()
    assert 'class="ops-component ops-unknown" data-component="app"' in html
    assert "확인 중: 프로세스의 첫 생존 신호를 기다립니다" in html
    assert "GREEN" not in html and "UNKNOWN" not in html and "RED" not in html

    # Once the process is older than the grace and still nobody reported: 장애.
    monkeypatch.setattr(rollups, "started_at", lambda: started - health.PROCESS_ALIVE)
    health.clear_cache()
    html = client.get("/ops/live/health").content.decode()
    assert 'class="ops-component ops-red" data-component="app"' in html
