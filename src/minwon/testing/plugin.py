"""pytest plugin (``-p minwon.testing.plugin``), loaded before pytest-django configures
Django, so it can point the suite at a PostgreSQL it starts itself.

- ``--postgres``: start a throw-away PostgreSQL server and run the suite on it.
- ``MINWON_REQUIRE_ALL=1`` (set by CI): a test skipped because something is missing fails.
"""

from __future__ import annotations

import os
import tempfile

import pytest

_server = None


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--postgres", action="store_true", help="run the suite on a PostgreSQL it starts"
    )


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(
    early_config: pytest.Config, parser: pytest.Parser, args: list[str]
) -> None:
    global _server
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
