"""The rate limits hold where they are meant to: across three worker processes of a real
server, under concurrent wrong PINs, and per client address as the trusted proxy reports
it (``kernel.throttle``)."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import RequestFactory

from minwon.kernel import throttle
from minwon.petitions import receipts, tracking
from minwon.testing.pgserver import free_port

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgresql://{auth}@{s['HOST']}:{s['PORT']}/{s['NAME']}?pool=0"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[int]:
    """The app through ``minwon serve`` (granian) with three worker processes on the test
    database, behind a trusted proxy at 127.0.0.1 that reports each client's address."""
    port = free_port()
    env = {
        **os.environ,
        "MINWON_DATABASE_URL": database_url(),
        "MINWON_DISABLE_POOL": "1",
        "MINWON_LOG_LEVEL": "WARNING",
        "MINWON_TRUSTED_PROXY_HEADER": "X-Forwarded-For",
        "MINWON_TRUSTED_PROXIES": "127.0.0.1/32",
    }
    env.pop("MINWON_TEST_SQLITE_NAME", None)
    log = open(tmp_path / "server.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "minwon.cli", "serve", "--no-worker", "--no-access-log",
         "--port", str(port), "--workers", "3", "--threads", "4"],
        cwd=ROOT, env=env, stdout=log, stderr=log,
    )  # fmt: skip
    try:
        # Three workers importing Django on a loaded 2-core machine can take most of a
        # minute; the deadline bounds the wait, not the speed.
        deadline = time.monotonic() + 120
        while True:
            try:
                if get(port, "/healthz")[0] < 500:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((tmp_path / "server.log").read_text()[-2000:])
            time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        log.close()


def get(
    port: int, path: str, client: str = "", *, body: dict[str, Any] | None = None
) -> tuple[int, dict[str, Any]]:
    """One request on its own connection (so gunicorn spreads them over its workers); a
    POST of ``body`` as JSON when there is one."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"X-Forwarded-For": client} if client else {}
    if body is None:
        conn.request("GET", path, headers=headers)
    else:
        headers["Content-Type"] = "application/json"
        conn.request("POST", path, body=json.dumps(body), headers=headers)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    try:
        return response.status, json.loads(body) if body else {}
    except ValueError:
        return response.status, {}


@pytest.mark.django_db(transaction=True)
def test_limits_hold_across_three_workers_and_concurrent_pins(
    server: int, apply: Callable[..., dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    number = apply("GRIEVANCE")["receipt_number"]
    # 12 concurrent wrong PINs from one prober: at most PROBE.limit are evaluated (404).
    with ThreadPoolExecutor(12) as pool:
        codes = list(pool.map(
            lambda _: get(server, f"/api/track/{number}", "203.0.113.5", body={"pin": "000000"})[0], range(12)
        ))  # fmt: skip
    assert codes.count(404) <= tracking.PROBE.limit, codes
    assert codes.count(429) >= 12 - tracking.PROBE.limit and set(codes) <= {404, 429}
    # The real applicant, behind the same load balancer but from their own address.
    pin = {"pin": receipts.pin_for(number)}
    ok, _ = get(server, f"/api/track/{number}", "198.51.100.9", body=pin)
    assert ok == 200
    # Verification: 30 per 60 s per address, whichever worker answers; 75 requests, 30 pass.
    with ThreadPoolExecutor(8) as pool:
        verify = list(pool.map(
            lambda _: get(server, "/api/verify/1234567890123452?code=AAAAAAAA", "192.0.2.44")[0],
            range(75),
        ))  # fmt: skip
    assert verify.count(429) == 75 - 30, verify
    # Another citizen behind the same proxy has a bucket of their own.
    assert get(server, "/api/verify/1234567890123452?code=AAAAAAAA", "192.0.2.45")[0] == 200


def _request(remote: str, forwarded: str = "") -> Any:
    meta = {"REMOTE_ADDR": remote}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_client_address_comes_from_the_trusted_proxy_only(monkeypatch: pytest.MonkeyPatch) -> None:
    assert throttle.client_address(_request("10.1.1.1", "1.2.3.4")) == "10.1.1.1"
    monkeypatch.setenv("MINWON_TRUSTED_PROXY_HEADER", "X-Forwarded-For")
    monkeypatch.setenv("MINWON_TRUSTED_PROXIES", "10.0.0.0/8, 192.168.0.1")
    # Our proxy appended the client; a client's own forged hops to the left are skipped.
    assert throttle.client_address(_request("10.1.1.1", "6.6.6.6, 1.2.3.4")) == "1.2.3.4"
    assert throttle.client_address(_request("10.1.1.1", "1.2.3.4, 10.2.2.2")) == "1.2.3.4"
    # A header from a caller that is not our proxy is ignored.
    assert throttle.client_address(_request("8.8.8.8", "1.2.3.4")) == "8.8.8.8"
    assert throttle.client_address(_request("10.1.1.1", "garbage")) == "10.1.1.1"


@pytest.mark.django_db
def test_the_window_starts_at_the_first_attempt(monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import timedelta

    from minwon.kernel import clock

    rule = throttle.Rule("probe", (2, 60), "많습니다", "Too many")
    start = clock.now()
    with clock.frozen_at(start):
        throttle.take((rule, "k"))
        throttle.take((rule, "k"))
        with pytest.raises(throttle.TooManyRequests) as refused:
            throttle.take((rule, "k"))
        assert refused.value.details["retry_after_seconds"] == 60
    with clock.frozen_at(start + timedelta(seconds=59)), pytest.raises(throttle.TooManyRequests):
        throttle.take((rule, "k"))
    with clock.frozen_at(start + timedelta(seconds=61)):
        throttle.take((rule, "k")).refund()
        assert throttle.attempts(rule, "k") == 0


@pytest.mark.django_db
def test_refusals_under_concurrency_do_not_lock_out_successes() -> None:
    """Thirty look-ups in flight from one address (staff behind one NAT) while twenty more
    are refused: once the thirty succeed and are handed back, the next look-up from that
    address is evaluated — the refusals left nothing behind."""
    rule = tracking.ADDRESS
    key = "ip:203.0.113.77"
    in_flight = []
    refused = 0
    for _ in range(rule.limit + 30):
        try:
            in_flight.append(throttle.take((rule, key)))
        except throttle.TooManyRequests:
            refused += 1
    assert len(in_flight) == rule.limit and refused == 30
    for taken in in_flight:
        taken.refund()
    assert throttle.attempts(rule, key) == 0
    throttle.take((rule, key)).refund()
    # Failures still count, and past the limit stay refused for the window.
    for _ in range(rule.limit):
        throttle.take((rule, key))
    with pytest.raises(throttle.TooManyRequests):
        throttle.take((rule, key))
    assert throttle.attempts(rule, key) == rule.limit
