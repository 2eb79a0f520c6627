"""Schemathesis over the whole API: no input a client can send gets a 5xx, and every
response matches the OpenAPI schema (status codes, content types, bodies)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from datetime import timedelta

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from minwon.accounts.commands import IssueApiToken
from minwon.config.wsgi import application
from minwon.kernel import clock, execute
from minwon.kernel.types import Channel
from minwon.web.api import key_hash
from tests.conftest import actor_of

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.fixture(autouse=True)
def _keep_test_connection() -> Iterator[None]:
    """Calling the WSGI app directly fires request_finished, which would close the test's
    database connection; Django's own test client disconnects it the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def admin_token(make_staff) -> str:  # type: ignore[no-untyped-def]
    user = make_staff("sysadmin", "0000000000")
    raw = secrets.token_urlsafe(24)
    execute(
        IssueApiToken(
            actor=actor_of(user), channel=Channel.ONLINE, jurisdiction="0000000000",
            token_hash=key_hash(raw), expires_at=clock.now() + timedelta(hours=1),
        )
    )  # fmt: skip
    return raw


@pytest.mark.django_db
# Fuzzing sends whatever the schema admits, in URLs too; a personal value there is refused
# by ``web.urlguard`` (tests/web/test_urlguard.py), so the suite's URL guard lets it pass.
@pytest.mark.personal_url_probe
@schema.parametrize()
@settings(
    max_examples=int(os.environ.get("MINWON_SCHEMATHESIS_EXAMPLES", "25")),
    deadline=None,
    # Deterministic in the suite, so a landing is never decided by a lucky draw; set
    # MINWON_SCHEMATHESIS_RANDOM=1 (and raise the examples) to explore new inputs.
    derandomize=not os.environ.get("MINWON_SCHEMATHESIS_RANDOM"),
    suppress_health_check=list(HealthCheck),
)
def test_api(case, admin_token: str) -> None:  # type: ignore[no-untyped-def]
    case.call_and_validate(
        headers={"Authorization": f"Bearer {admin_token}"},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
