"""pytest plugin (``-p minwon.testing.plugin``), loaded before pytest-django configures
Django, so it can point the suite at a PostgreSQL it starts itself.

- ``--postgres``: start a throw-away PostgreSQL server and run the suite on it.
- ``MINWON_REQUIRE_ALL=1`` (set by CI): a test skipped because something is missing fails.
- ``--clock INSTANT``: run with the project's clock (``kernel.clock``) at that instant, moving
  on from there, in every test process and every server a test starts.
- ``--clock-sweep``: run every selected test once at each of ``SWEEP`` (hours, weekdays and
  holidays at which a test that reads the wall clock would break); ``make test-clock``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from datetime import datetime

import pytest

from minwon.kernel import clock

_server = None

# Korean time. 2027-01-04 is a Monday, 2027-01-08 a Friday, 2027-01-10 a Sunday and
# 2027-02-05 the working day before the 설날 holidays (2027-02-06..09, with 대체공휴일).
SWEEP_DAYS = ("2027-01-04", "2027-01-08", "2027-01-10", "2027-02-05")
SWEEP_HOURS = ("00:30", "04:00", "08:59", "12:30", "17:59", "23:59")
SWEEP = tuple(f"{day}T{hour}" for day in SWEEP_DAYS for hour in SWEEP_HOURS)


def _instant(text: str) -> datetime:
    """An ISO 8601 instant; without an offset it is Korean time."""
    try:
        return clock.local(datetime.fromisoformat(text))
    except ValueError as exc:
        raise pytest.UsageError(f"--clock: not an ISO 8601 instant: {text!r}") from exc


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--postgres", action="store_true", help="run the suite on a PostgreSQL it starts"
    )
    parser.addoption(
        "--clock",
        metavar="INSTANT",
        help="run with the project clock at INSTANT (ISO 8601; without an offset, Korean time)",
    )
    parser.addoption(
        "--clock-sweep",
        action="store_true",
        help="run every selected test at each instant of minwon.testing.plugin.SWEEP",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(
    early_config: pytest.Config, parser: pytest.Parser, args: list[str]
) -> None:
    global _server
    at = getattr(early_config.known_args_namespace, "clock", None)
    if at and not os.environ.get("PYTEST_XDIST_WORKER"):
        # Once, in the controlling process: xdist workers and servers inherit the offset.
        shift = _instant(at) - clock.wall()
        os.environ[clock.OFFSET_ENV] = repr(shift.total_seconds())
        clock.set_offset(shift)
    os.environ.setdefault("MINWON_VAR_DIR", tempfile.mkdtemp(prefix="minwon-test-var-"))
    os.environ.setdefault("MINWON_DISABLE_POOL", "1")
    if "--postgres" in args and not os.environ.get("PYTEST_XDIST_WORKER"):
        from minwon.testing.pgserver import PostgresServer

        _server = PostgresServer().start()
        os.environ["MINWON_DATABASE_URL"] = _server.url
    elif "--postgres" not in args and not os.environ.get("PYTEST_XDIST_WORKER"):
        os.environ["MINWON_DATABASE_URL"] = "sqlite:///" + os.path.join(
            os.environ["MINWON_VAR_DIR"], "minwon.sqlite3"
        )
        # A file, not :memory:, so tests can read the bytes the database really stores.
        os.environ["MINWON_TEST_SQLITE_NAME"] = os.path.join(
            os.environ["MINWON_VAR_DIR"], "test.sqlite3"
        )


def pytest_unconfigure(config: pytest.Config) -> None:
    global _server
    if _server is not None:
        _server.destroy()
        _server = None


def pytest_report_header(config: pytest.Config) -> str | None:
    if clock.offset():
        return f"minwon clock: {clock.now().isoformat(timespec='seconds')} (shifted)"
    return None


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.config.getoption("clock_sweep") and "_sweep_clock" in metafunc.fixturenames:
        metafunc.parametrize("_sweep_clock", SWEEP, indirect=True)


@pytest.fixture(autouse=True)
def _sweep_clock(request: pytest.FixtureRequest) -> Iterator[None]:
    """Under ``--clock-sweep``, the test runs with the clock at its instant (its processes
    too, through the environment); otherwise nothing."""
    at = getattr(request, "param", None)
    if at is None:
        yield
        return
    saved, saved_env = clock.offset(), os.environ.get(clock.OFFSET_ENV)
    shift = _instant(at) - clock.wall()
    clock.set_offset(shift)
    os.environ[clock.OFFSET_ENV] = repr(shift.total_seconds())
    try:
        yield
    finally:
        clock.set_offset(saved)
        if saved_env is None:
            os.environ.pop(clock.OFFSET_ENV, None)
        else:
            os.environ[clock.OFFSET_ENV] = saved_env


def require_all() -> bool:
    return os.environ.get("MINWON_REQUIRE_ALL", "") not in ("", "0")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    if require_all() and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"skipped, but MINWON_REQUIRE_ALL is set: {reason}"
