"""A submission's read models are built from the rows its handler wrote
(``petitions.written``), not read back, each in one write for the whole application: the
search documents of its petitions and its public tracking row, as the subscribers leave
them right after the submission, equal what a rebuild builds from the database — several
petitions, text and choice fields, a decision at reception (two steps), a counter clerk's
applicant with a birth date. On SQLite and on PostgreSQL (``--postgres``: jsonb gives a
form back with its keys reordered)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minwon.accounts.models import User
from minwon.kernel.types import Channel
from minwon.petitions.commands import ApplicationItem
from minwon.petitions.models import Petition, PetitionStep, TrackingView
from minwon.portal import index
from minwon.portal.models import SearchDocument
from tests.petitions.conftest import actor
from tests.petitions.test_tracking_view import built, rows

pytestmark = pytest.mark.django_db
Apply = Callable[..., dict[str, Any]]

ITEMS = [
    ApplicationItem(type_code="GRIEVANCE", form={"content": "  가로등 고장, 시청로 12 앞  "}),
    ApplicationItem(
        type_code="SIGN_DECLARATION",
        form={"zone": "일반상업지역", "height_m": 3, "area_m2": 2.5, "content": "간판 교체"},
        documents=["광고물 원색 도안", "건물주 승낙서"],
    ),
    ApplicationItem(type_code="LARGE_WASTE", form={"items": 2, "content": "장롱 1, 침대 1"}),
    ApplicationItem(type_code="LAW_QUERY"),
]


def _documents() -> list[tuple[Any, ...]]:
    fields = [f.attname for f in SearchDocument._meta.concrete_fields if f.attname != "id"]
    return sorted(SearchDocument.objects.filter(kind="petition").values_list(*fields))


def _rebuilt_documents() -> list[tuple[Any, ...]]:
    docs = index.petitions(Petition.objects.values_list("pk", flat=True))
    fields = [f.attname for f in SearchDocument._meta.concrete_fields if f.attname != "id"]
    return sorted(tuple(getattr(d, f) for f in fields) for d in docs)


@pytest.mark.parametrize("channel", [Channel.ONLINE, Channel.COUNTER])
def test_a_submission_keeps_the_rows_a_rebuild_builds(
    apply: Apply, clerk: User, channel: Channel
) -> None:
    extra: dict[str, Any] = {}
    if channel == Channel.COUNTER:
        extra = {"who": actor(clerk), "applicant_name": "박 서류",
                 "applicant_birth": date(1980, 5, 6)}  # fmt: skip
    with CaptureQueriesContext(connection) as q:
        result = apply(*ITEMS, channel=channel, when="2026-03-09T17:59", **extra)
    # Each read model one write for the whole application, and nothing read back.
    for table in ("portal_searchdocument", "petitions_trackingview"):
        assert [s["sql"][:6] for s in q.captured_queries if f'"{table}"' in s["sql"]] == [
            "INSERT"
        ], table
    assert not any(
        s["sql"].startswith("SELECT") and '"petitions_petitionstep"' in s["sql"]
        for s in q.captured_queries
    )
    assert len(result["petitions"]) == 4
    decided = [p for p in result["petitions"] if p["decided_by_rule"]]
    assert decided, "a decision at reception: two steps on one petition"
    assert PetitionStep.objects.count() == 4 + len(decided)
    assert _documents() == _rebuilt_documents()
    assert len(_documents()) == 4
    assert rows() == built()
    row = TrackingView.objects.get()
    assert [len(p["steps"]) for p in row.petitions] == [
        2 if p["decided_by_rule"] else 1 for p in result["petitions"]
    ]


def test_a_petition_the_command_did_not_create_is_read(
    apply: Apply, act: Callable[..., dict[str, Any]], officer: User
) -> None:
    """A workflow step on an existing petition: its earlier steps are not in hand, so its
    document and tracking row are read (and still equal a rebuild)."""
    receipt = apply(*ITEMS[:1])["receipt_number"]
    act(officer, "assign", receipt, officer_id=officer.pk, reason="도로 파손 민원 담당")
    assert "파손" in SearchDocument.objects.get(kind="petition").tokens
    assert _documents() == _rebuilt_documents()
    assert rows() == built()
