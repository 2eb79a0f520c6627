"""The statements of one petition submission through the API, pinned: each is a round trip
and a share of the database's CPU (``bench/submit_floor.py``), so a change that adds one
fails here and says which. See docs/benchmarks/submit.md."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from minwon.accounts.commands import IssueApiToken
from minwon.accounts.models import User
from minwon.kernel import audit, clock, execute
from minwon.kernel.models import AuditHead
from minwon.kernel.types import Channel
from minwon.petitions.models import Application, PetitionStep
from minwon.web.api import key_hash

from .conftest import WONJU, actor

pytestmark = pytest.mark.django_db

#: Statements of one 고충민원 submitted at the counter, per database: the token, the
#: idempotency probe, the catalog, the application, petition and step inserts, the step's
#: staff name, the search document's upsert and the tracking row's insert (both built from
#: the rows the handler wrote, ``petitions.written``: nothing read back), then the
#: bookkeeping — on PostgreSQL the command record and the outbox events ride on the audit
#: head's lock, and the audit row on the head's move (2); SQLite has no data-modifying
#: WITH, so each is its own statement (5).
STATEMENTS = {"postgresql": 11, "sqlite": 14}
#: The tables a submission writes and its read models must not read back.
WRITTEN = ("petitions_application", "petitions_petition", "petitions_petitionstep")


def _token(user: User) -> str:
    raw = secrets.token_urlsafe(24)
    execute(
        IssueApiToken(
            actor=actor(user), channel=Channel.SYSTEM, jurisdiction=WONJU,
            token_hash=key_hash(raw), expires_at=clock.now() + timedelta(hours=1),
        )
    )  # fmt: skip
    return raw


def _open_chains() -> None:
    """Every audit chain of the office exists: a chain's one-time creation at genesis is
    not a submission's cost, and which stripe a command id picks is chance."""
    chains = {audit.chain_for(WONJU, uuid.UUID(int=i)) for i in range(audit.STRIPES)}
    AuditHead.objects.bulk_create(
        [AuditHead(chain=c, seq=0, hash=audit.GENESIS) for c in sorted(chains)],
        ignore_conflicts=True,
    )


def _sent(q: CaptureQueriesContext) -> list[str]:
    """The statements, without the savepoint the test's own transaction turns the
    command's BEGIN and COMMIT into."""
    return [s["sql"] for s in q.captured_queries if "SAVEPOINT" not in s["sql"][:20]]


def _submit(client: Client, token: str) -> None:
    body = {"jurisdiction": WONJU, "channel": "counter", "applicant_name": "홍길동",
            "items": [{"type_code": "GRIEVANCE", "form": {"content": "가로등 고장"}}]}  # fmt: skip
    response = client.post(
        "/api/petitions", body, content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )  # fmt: skip
    assert response.status_code == 200, response.content


def test_a_submission_runs_a_pinned_number_of_statements(
    catalog_loaded: None, make_staff: Callable[..., User]
) -> None:
    clerk = make_staff("counter_clerk", WONJU)
    token = _token(clerk)
    client = Client()
    _open_chains()
    _submit(client, token)  # first-use caches (the office, the token's grants)
    with CaptureQueriesContext(connection) as q:
        _submit(client, token)
    assert Application.objects.count() == 2
    sent = _sent(q)
    listing = "\n".join(f"{n:2} {s[:120]}" for n, s in enumerate(sent))
    pinned = STATEMENTS[connection.vendor]
    assert len(sent) <= pinned, f"{len(sent)} statements, pinned at {pinned}:\n{listing}"
    # The receipt number and the deadlines are computed, not read: before the application's
    # insert come only the token, the idempotency probe and the catalog.
    first_insert = next(n for n, s in enumerate(sent) if s.startswith("INSERT"))
    assert first_insert <= 3, listing
    assert '"petitions_application"' in sent[first_insert], listing
    # One INSERT per table of the application (RETURNING its id where later rows need it),
    # and no read of them: the search document and the tracking row are built from the rows
    # in hand, each one write.
    for table in WRITTEN:
        inserts = [s for s in sent if s.startswith(f'INSERT INTO "{table}"')]
        assert len(inserts) == 1, (table, listing)
        assert not any(s.startswith("SELECT") and f'"{table}"' in s for s in sent), listing
    for table in ("portal_searchdocument", "petitions_trackingview"):
        assert [s.split(" (")[0] for s in sent if f'"{table}"' in s] == [
            f'INSERT INTO "{table}"'
        ], listing
    if connection.vendor == "postgresql":
        # The command record and the outbox events in the round trip of the head's lock.
        (lock,) = [s for s in sent if "FOR UPDATE" in s]
        assert '"kernel_commandrecord"' in lock and '"kernel_outboxevent"' in lock, lock
        assert not any(s.startswith('INSERT INTO "kernel_outboxevent"') for s in sent)


def test_a_replayed_submission_runs_only_its_look_up(
    catalog_loaded: None, make_staff: Callable[..., User]
) -> None:
    """A retried POST with the same Idempotency-Key answers from the command record."""
    token = _token(make_staff("counter_clerk", WONJU))
    client = Client()
    body = {"jurisdiction": WONJU, "channel": "counter", "applicant_name": "홍길동",
            "items": [{"type_code": "GRIEVANCE", "form": {"content": "가로등 고장"}}]}  # fmt: skip
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "k-statements"}
    first = client.post("/api/petitions", body, content_type="application/json", headers=headers)
    with CaptureQueriesContext(connection) as q:
        again = client.post(
            "/api/petitions", body, content_type="application/json", headers=headers
        )
    assert again.json()["receipt_number"] == first.json()["receipt_number"]
    assert not any(s.startswith(("INSERT", "UPDATE")) for s in _sent(q))
    assert len(_sent(q)) <= 3  # the token, the probe, the record


def test_the_staff_name_is_read_once_per_submission(
    catalog_loaded: None, make_staff: Callable[..., User]
) -> None:
    """Each petition of an application records its reception step under the clerk's name:
    one read for the command, not one per step."""
    token = _token(make_staff("counter_clerk", WONJU))
    client = Client()
    _open_chains()
    _submit(client, token)
    body = {"jurisdiction": WONJU, "channel": "counter", "applicant_name": "홍길동",
            "items": [{"type_code": "GRIEVANCE", "form": {"content": "가로등 고장"}},
                      {"type_code": "SUGGESTION", "form": {"content": "벤치 설치"}}]}  # fmt: skip
    with CaptureQueriesContext(connection) as q:
        response = client.post(
            "/api/petitions", body, content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )  # fmt: skip
    assert response.status_code == 200, response.content
    names = [s for s in _sent(q) if 'LEFT JOIN "accounts_rolegrant"' in s]  # the name's read
    assert len(names) == 1, names
    steps = list(
        PetitionStep.objects.filter(
            petition__application__receipt_number=response.json()["receipt_number"]
        ).values_list("actor_name", flat=True)
    )
    assert len(steps) == 2 and len(set(steps)) == 1 and steps[0]
