"""The application side of failover without a cluster: which database errors are retried,
the bounded retry with the same command, the 503 with Retry-After, and the write probe."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from django.db import utils as db_utils
from django.test import Client

from minwon.accounts.models import User
from minwon.ha import retry
from minwon.ha.models import ProbeWrite
from minwon.kernel.models import AuditRecord
from tests.conftest import PASSWORD

pytestmark = pytest.mark.chaos


class FakeConnection:
    """Stands for Django's connection to a PostgreSQL primary that has just gone away."""

    vendor = "postgresql"

    def __init__(self, in_atomic_block: bool = False) -> None:
        self.in_atomic_block = in_atomic_block
        self.closed = 0
        self.connection: object | None = object()
        self.closed_in_transaction = False
        self.needs_rollback = False

    def close(self) -> None:
        self.closed += 1


def wrapped(django_error: type[Exception], cause: Exception) -> Exception:
    exc = django_error(str(cause))
    exc.__cause__ = cause
    return exc


@pytest.fixture
def fake_pg(monkeypatch: pytest.MonkeyPatch) -> FakeConnection:
    fake = FakeConnection()
    monkeypatch.setattr(retry, "connection", fake)
    return fake


@pytest.mark.parametrize(
    ("django_error", "cause", "expected"),
    [
        (db_utils.OperationalError, psycopg.OperationalError("connection refused"), True),
        (db_utils.OperationalError, psycopg.errors.AdminShutdown("terminating"), True),
        (db_utils.InternalError, psycopg.errors.ReadOnlySqlTransaction("read-only"), True),
        (db_utils.OperationalError, psycopg.errors.ConnectionFailure("08006"), True),
        (db_utils.InternalError, psycopg.errors.InternalError_("XX000"), False),
        (db_utils.OperationalError, psycopg.errors.QueryCanceled("57014"), False),
        (db_utils.IntegrityError, psycopg.errors.UniqueViolation("dup"), False),
    ],
)
def test_only_a_lost_server_counts_as_a_lost_connection(
    fake_pg: FakeConnection, django_error: type[Exception], cause: Exception, expected: bool
) -> None:
    assert retry.is_connection_lost(wrapped(django_error, cause)) is expected


def test_sqlite_errors_are_never_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeConnection()
    fake.vendor = "sqlite"  # type: ignore[misc]
    monkeypatch.setattr(retry, "connection", fake)
    exc = wrapped(db_utils.OperationalError, psycopg.OperationalError("locked"))
    assert retry.is_connection_lost(exc) is False


def failing(times: int, error: Callable[[], Exception]) -> Callable[[], str]:
    calls = {"n": 0}

    def fn() -> str:
        calls["n"] += 1
        if calls["n"] <= times:
            raise error()
        return f"done after {calls['n']}"

    return fn


def lost() -> Exception:
    return wrapped(db_utils.OperationalError, psycopg.OperationalError("server closed"))


def test_a_lost_connection_is_retried_on_a_fresh_connection(fake_pg: FakeConnection) -> None:
    assert retry.with_retry(failing(2, lost), budget=10) == "done after 3"
    assert fake_pg.closed == 2
    assert fake_pg.connection is None


def test_past_the_budget_the_caller_gets_503_with_retry_after(fake_pg: FakeConnection) -> None:
    with pytest.raises(retry.DatabaseUnavailable) as info:
        retry.with_retry(failing(1000, lost), budget=0.5)
    assert info.value.status == 503
    assert info.value.retry_after >= 1
    assert info.value.as_dict()["code"] == "database_unavailable"


def test_a_statement_error_is_raised_at_once(fake_pg: FakeConnection) -> None:
    def bad() -> Exception:
        return wrapped(db_utils.OperationalError, psycopg.errors.QueryCanceled("timeout"))

    with pytest.raises(db_utils.OperationalError):
        retry.with_retry(failing(1, bad), budget=10)
    assert fake_pg.closed == 0


def test_nothing_is_retried_inside_an_enclosing_transaction(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(retry, "connection", FakeConnection(in_atomic_block=True))
    with pytest.raises(db_utils.OperationalError):
        retry.with_retry(failing(1, lost), budget=10)


def test_the_kernel_runs_every_command_through_the_retry() -> None:
    from minwon.kernel import bus

    assert bus.stages()[0] is retry.retry_stage


# -- the write probe through the API --------------------------------------------------------


@pytest.fixture
def operator_token(db: Any, make_staff: Callable[..., User]) -> str:
    user = make_staff("operator", "0000000000")
    response = Client().post(
        "/api/auth/token",
        json.dumps({"username": user.username, "password": PASSWORD}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return str(response.json()["token"])


def probe(token: str, body: dict[str, Any], key: str | None = "k-1") -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if key:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return Client().post(
        "/api/ha/probe-writes", json.dumps(body), content_type="application/json", **headers
    )


@pytest.mark.django_db
def test_a_probe_is_one_audited_command_and_a_repeat_is_a_replay(operator_token: str) -> None:
    first = probe(operator_token, {"client": "c1", "seq": 7})
    assert first.status_code == 200, first.content
    again = probe(operator_token, {"client": "c1", "seq": 7})
    assert again.status_code == 200
    assert again.json()["replayed"] is True
    assert again.json()["command_id"] == first.json()["command_id"]
    assert ProbeWrite.objects.filter(client="c1", seq=7).count() == 1
    assert AuditRecord.objects.filter(command_id=first.json()["command_id"]).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [({"client": "bad name!", "seq": 1}, "client"), ({"client": "c1", "seq": -1}, "seq")],
)
def test_bad_probe_input_names_the_field(
    operator_token: str, body: dict[str, Any], field: str
) -> None:
    response = probe(operator_token, body)
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert ProbeWrite.objects.count() == 0


@pytest.mark.django_db
def test_a_clerk_may_not_probe(make_staff: Callable[..., User]) -> None:
    user = make_staff("counter_clerk")
    token = Client().post(
        "/api/auth/token",
        json.dumps({"username": user.username, "password": PASSWORD}),
        content_type="application/json",
    )
    response = probe(token.json()["token"], {"client": "c1", "seq": 1})
    assert response.status_code == 403
    assert ProbeWrite.objects.count() == 0


@pytest.mark.django_db
def test_database_still_down_is_503_with_retry_after(
    operator_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from minwon.ha import api as ha_api

    def unavailable(command: Any) -> Any:
        raise retry.DatabaseUnavailable(retry_after=5)

    monkeypatch.setattr(ha_api, "execute", unavailable)
    response = probe(operator_token, {"client": "c1", "seq": 1})
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["code"] == "database_unavailable"
    assert "Idempotency-Key" in response.json()["message_en"]
