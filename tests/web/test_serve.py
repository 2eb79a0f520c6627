"""``minwon serve`` as a real multi-process server: every /metrics scrape adds up all the
workers, SIGHUP replaces the workers without losing a request or a count, static files are
served, and the access log never holds a query string or an RRN- or birth-date-shaped
value. The sizing rule and the redaction are tested as plain functions first."""

from __future__ import annotations

import http.client
import json
import logging
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.db import connection

from minwon.testing.pgserver import free_port
from minwon.web import serving
from minwon.web.accesslog import REDACTED, RedactPersonalData, redact

# --- the sizing rule -----------------------------------------------------------------------


def test_plan_sizes_from_the_cores_and_bounds_threads_and_pool() -> None:
    sizing = serving.plan(cores=2)
    assert (sizing.workers, sizing.threads, sizing.pool_max) == (2, 4, 4)
    assert sizing.connections == 2 * 4 + 2 * serving.HELPER_CONNECTIONS
    assert serving.plan(cores=8, threads=2, helpers=0).pool_max == 2
    assert serving.plan(cores=2, workers=3).workers == 3


def test_plan_refuses_more_connections_than_the_database_has() -> None:
    with pytest.raises(serving.SizingError, match="24 workers × 4 threads"):
        serving.plan(cores=24, max_connections=100)
    assert serving.plan(cores=24, max_connections=None).connections == 24 * 4 + 4


# --- redaction -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "/api/x/900101-1234567",
        "/api/x/9001011234567",
        "/api/x/900101%2D2234567/",
        "rrn 900101 1234567 typed",
        "/x/1990-01-01",
        "/x/19900101",
        "/x/1990.01.31",
        "/x/2001%2F12%2F09",
        "masked 900101-1******",
        "glued rrn9001011234567x",
        "birth_date=900101",
        'body {"birth_date": "1990-01-01", "name": "x"}',
        "birth_date%3D1990-01-01",
        "생년월일: 1990년 1월 1일",
        "dob 19900101 given",
        "신청인 1990. 1. 1. 생",
    ],
)
def test_redact_removes_personal_values(text: str) -> None:
    clean = redact(text)
    assert REDACTED in clean
    assert not re.search(r"\d{6}", clean), clean


@pytest.mark.parametrize(
    "text",
    [
        "/api/track/51130-261201-ABCD1234-X",  # a receipt number
        "/verify/1234567890123456",  # a 16-digit 문서확인번호
        "/staff/registry/persons/123456/",
        "/api/petitions?page=2",
        # An audit checkpoint's file name and timestamps carry dates that are nobody's birth.
        "wrote checkpoint-0000000012-20261201T233012123456Z-1a2b3c4d.json",
        "/var/audit-anchors/checkpoint-0000000003-19991231T000000000000Z-ffffffff.json",
        "at 2026-12-01T23:30:12+09:00",
        "since 2026-12-01 09:00:00",
        "report_20261201.csv",
        "batch 20261201-7",
    ],
)
def test_redact_keeps_what_is_not_personal(text: str) -> None:
    assert redact(text) == text


def test_every_log_handler_redacts() -> None:
    record = logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1, "Internal Server Error: %s",
        ("/x/900101-1234567",), None,
    )  # fmt: skip
    assert RedactPersonalData().filter(record)
    assert record.getMessage() == f"Internal Server Error: /x/{REDACTED}"
    handlers = [
        h
        for h in logging.getLogger().handlers + logging.getLogger("minwon.access").handlers
        if not type(h).__module__.startswith("_pytest")  # pytest's own capture
    ]
    assert len(handlers) >= 2
    for handler in handlers:
        assert any(isinstance(f, RedactPersonalData) for f in handler.filters), handler


# --- a real server -------------------------------------------------------------------------


def database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgresql://{auth}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


def get(port: int, path: str) -> tuple[int, bytes]:
    """One request on a new connection (so the kernel may hand it to any worker)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@contextmanager
def served(tmp_path: Path, server: str, workers: int = 2) -> Iterator[tuple[int, Path, Path]]:
    """``minwon serve`` on a free port against the test database; yields the port, the
    log file and the var directory. Stopped with SIGTERM, as an init system would."""
    port = free_port()
    var = tmp_path / "var"
    log = tmp_path / "serve.log"
    env = {
        **os.environ,
        "MINWON_DATABASE_URL": database_url(),
        "MINWON_VAR_DIR": str(var),
        "MINWON_LOG_LEVEL": "WARNING",
    }
    env.pop("MINWON_TEST_SQLITE_NAME", None)
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "minwon.cli", "serve", "--server", server, "--no-worker",
             "--port", str(port), "--workers", str(workers), "--threads", "2"],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if get(port, "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"serve did not start: {log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield port, log, var
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise


def healthz_pids(port: int, n: int) -> list[int]:
    return [json.loads(get(port, "/healthz")[1])["pid"] for _ in range(n)]


def scraped_healthz(port: int) -> float:
    status, body = get(port, "/metrics")
    assert status == 200
    match = re.search(
        rb'^minwon_http_requests_total\{method="GET",route="healthz",status="200"\} (\S+)$',
        body,
        re.M,
    )
    return float(match.group(1)) if match else 0.0


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("server", serving.SERVERS)
def test_every_scrape_adds_up_all_workers(tmp_path: Path, server: str) -> None:
    with served(tmp_path, server) as (port, _, var):
        # The countable event: /healthz answered by at least two different workers.
        pids: list[int] = []
        while len(set(pids)) < 2:
            pids += healthz_pids(port, 10)
            assert len(pids) < 400, "one worker answered everything"
        # The probe of served() itself counted once, in one worker.
        expected = len(pids) + 1
        scrapes = [scraped_healthz(port) for _ in range(8)]
        assert scrapes == [expected] * 8
        assert (var / "run" / f"prometheus-{port}").is_dir()

        status, body = get(port, "/static/vendor/htmx/htmx.min.js")
        assert status == 200 and len(body) > 10_000  # whitenoise, under either server


@pytest.mark.django_db(transaction=True)
def test_sighup_replaces_workers_without_losing_requests_or_counts(tmp_path: Path) -> None:
    with served(tmp_path, "granian") as (port, log, _):
        before = set(healthz_pids(port, 20))
        serve_pid = int(re.findall(r"serve pid (\d+)", log.read_text())[0])
        os.kill(serve_pid, signal.SIGHUP)
        after: set[int] = set()
        answered = 0
        deadline = time.monotonic() + 60
        while not after - before or len(after - before) < 2:
            assert time.monotonic() < deadline, f"workers not replaced: {before} {after}"
            after |= set(healthz_pids(port, 5))  # raises if a request fails
            answered += 5
            time.sleep(0.1)
        assert scraped_healthz(port) >= 20 + answered + 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.personal_url_probe  # it types them into the address bar on purpose
def test_access_log_never_holds_query_strings_or_personal_values(tmp_path: Path) -> None:
    secrets = {
        "name": "홍길동",
        "birth_date": "1990-01-01",
        "pin": "482913",
    }
    with served(tmp_path, "granian", workers=1) as (port, log, _):
        status, _ = get(port, "/api/track/51130-261201-ABCD1234-X?" + urlencode(secrets))
        assert status == 400  # refused: web.urlguard
        assert get(port, "/api/track/900101-1234567")[0] == 400
        get(port, "/x/19900101/")
        time.sleep(0.5)  # the log line is written after the response
    text = log.read_text(encoding="utf-8")
    assert '"GET /api/track/51130-261201-ABCD1234-X?…" ' in text
    assert f'"GET /api/track/{REDACTED}" ' in text
    assert f'"GET /x/{REDACTED}/" ' in text
    for value in (*secrets.values(), "%ED%99%8D", "pin=", "900101", "1234567", "19900101"):
        assert value not in text, value


CHILD = """
from prometheus_client import Counter, Gauge
Counter("probe_total", "probe").inc(3)
Gauge("probe_live", "probe", multiprocess_mode="livesum").set(7)
"""


def test_exited_processes_are_marked_dead_and_their_counters_kept(tmp_path: Path) -> None:
    from prometheus_client import CollectorRegistry, multiprocess

    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    child = subprocess.run([sys.executable, "-c", CHILD], env=env, check=True)
    assert child.returncode == 0
    assert len(list(tmp_path.glob("gauge_livesum_*.db"))) == 1
    dead: set[int] = set()
    marked = serving.mark_dead_processes(tmp_path, dead)
    assert len(marked) == 1 and dead == set(marked)
    assert serving.mark_dead_processes(tmp_path, dead) == []  # once only
    assert not list(tmp_path.glob("gauge_livesum_*.db"))
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=str(tmp_path))  # type: ignore[no-untyped-call]
    assert registry.get_sample_value("probe_total") == 3
    assert registry.get_sample_value("probe_live") is None
