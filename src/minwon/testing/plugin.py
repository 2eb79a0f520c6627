"""pytest plugin (``-p minwon.testing.plugin``), loaded before pytest-django configures
Django, so it can point the suite at a PostgreSQL it starts itself.

- ``--postgres``: start a throw-away PostgreSQL server and run the suite on it.
- ``MINWON_REQUIRE_ALL=1`` (set by CI): a test skipped because something is missing fails.
- ``--clock INSTANT``: run with the project's clock (``kernel.clock``) at that instant, moving
  on from there, in every test process and every server a test starts.
- ``--clock-sweep``: run every selected test once at each of ``SWEEP`` (hours, weekdays and
  holidays at which a test that reads the wall clock would break); ``make test-clock``.
- The URL guard: every URL a test requests — through Django's test client, from a browser
  to the live server, or over HTTP to a server a test started — is checked with
  ``web.urlguard.personal_in_url``; one that carries an RRN, a PIN or a birth date fails the
  session, the URLs listed. A test that proves such a URL is refused says so with
  ``@pytest.mark.personal_url_probe``. After the run the ``*.log`` files under the test
  ``var/`` directory and the tests' temporary directories (the served tests' access logs)
  are searched for an RRN. Under pytest-xdist each worker appends what it found to a file
  under ``MINWON_URL_GUARD_DIR``, and the controlling process reports at the end.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

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
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        # One directory per session, made by the controller and inherited by its workers.
        os.environ[GUARD_DIR_ENV] = tempfile.mkdtemp(
            prefix="url-guard-", dir=os.environ["MINWON_VAR_DIR"]
        )
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


# --- the URL guard ---------------------------------------------------------------------------

GUARD_DIR_ENV = "MINWON_URL_GUARD_DIR"
PROBE_MARKER = "personal_url_probe"
_guard = threading.local()
_state: dict[str, Any] = {"test": "", "probe": False, "seen": set()}
_offences: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{PROBE_MARKER}: the test requests URLs carrying an RRN, a PIN or a birth date on "
        "purpose, to prove they are refused; the URL guard lets them pass",
    )


def _guard_file() -> Path:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return Path(os.environ[GUARD_DIR_ENV]) / f"{worker}-{os.getpid()}.txt"


def record_url(path: str, query: str = "") -> None:
    """Check one requested URL; an offending one is appended to this process's file."""
    if _state["probe"] or getattr(_guard, "busy", False) or GUARD_DIR_ENV not in os.environ:
        return
    from minwon.web.urlguard import personal_in_url

    finding = personal_in_url(path, query)
    if finding is None:
        return
    url = path + (f"?{query}" if query else "")
    line = f"{_state['test'] or '(outside a test)'}\t{finding.kind}\t{url}"
    if line in _state["seen"]:
        return
    _state["seen"].add(line)
    with _guard_file().open("a", encoding="utf-8") as out:
        out.write(line.replace("\n", " ") + "\n")


def _wrap(owner: Any, name: str, url_of: Callable[..., tuple[str, str] | None]) -> None:
    original = getattr(owner, name)
    if getattr(original, "_minwon_guarded", False):
        return

    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            found = url_of(*args, **kwargs)
        except Exception:
            found = None
        if found is not None:
            record_url(*found)
            _guard.busy = True  # one request, one record (the test client calls inwards)
            try:
                return original(*args, **kwargs)
            finally:
                _guard.busy = False
        return original(*args, **kwargs)

    guarded._minwon_guarded = True  # type: ignore[attr-defined]
    setattr(owner, name, guarded)


def _from_environ(environ: dict[str, Any]) -> tuple[str, str]:
    return environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", "")


def _from_target(target: str) -> tuple[str, str]:
    if "://" in target:
        target = "/" + target.split("://", 1)[1].partition("/")[2]
    path, _, query = target.partition("?")
    return path, query


def install_url_guard() -> None:
    """Watch the three ways a test requests a URL (module docstring)."""
    import http.client

    from django.core.handlers.wsgi import WSGIHandler
    from django.test.client import RequestFactory

    _wrap(RequestFactory, "_base_environ", lambda self, **r: _from_environ(r))
    _wrap(WSGIHandler, "__call__", lambda self, environ, start: _from_environ(environ))
    from minwon.web.handler import ServingHandler

    _wrap(ServingHandler, "__call__", lambda self, environ, start: _from_environ(environ))
    _wrap(
        http.client.HTTPConnection,
        "putrequest",
        lambda self, method, url, *a, **k: _from_target(url),
    )


def pytest_sessionstart(session: pytest.Session) -> None:
    if GUARD_DIR_ENV in os.environ:
        install_url_guard()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):  # type: ignore[no-untyped-def]
    _state["test"] = item.nodeid
    _state["probe"] = item.get_closest_marker(PROBE_MARKER) is not None
    try:
        yield
    finally:
        _state["test"], _state["probe"] = "", False


# An RRN as a log line could hold it (``web.accesslog.RRN``: with or without its separator).
_LOG_RRN = re.compile(r"(?<!\d)\d{6}(?:-|\s|\+|%2[dD]|%20)?[1-8]\d{6}(?!\d)")


def rrns_in_logs(*roots: Path) -> list[str]:
    """``file:line`` of every ``*.log`` line under ``roots`` that holds an RRN."""
    found = []
    for root in roots:
        if not root.is_dir():
            continue
        for log in sorted(root.rglob("*.log")):
            try:
                lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                continue
            found += [f"{log}:{n}" for n, text in enumerate(lines, 1) if _LOG_RRN.search(text)]
    return found


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("PYTEST_XDIST_WORKER") or GUARD_DIR_ENV not in os.environ:
        return
    folder = Path(os.environ[GUARD_DIR_ENV])
    urls = sorted(
        {line for f in sorted(folder.glob("*.txt")) for line in f.read_text("utf-8").splitlines()}
    )
    _offences.clear()
    _offences.extend(f"personal data in a URL: {line}" for line in urls)
    roots = [Path(os.environ["MINWON_VAR_DIR"])]
    factory = getattr(session.config, "_tmp_path_factory", None)
    if factory is not None and getattr(factory, "_basetemp", None) is not None:
        roots.append(factory.getbasetemp())
    _offences.extend(f"an RRN in a log file: {where}" for where in rrns_in_logs(*roots))
    if _offences and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _offences:
        return
    terminalreporter.section("personal data in URLs or logs", red=True, bold=True)
    for line in _offences:
        terminalreporter.line(line)
    terminalreporter.line(
        "No RRN, PIN or birth date may travel in a URL (DESIGN §3.4): send it in a POST body "
        f"(mark a test that proves the refusal @pytest.mark.{PROBE_MARKER})."
    )
