"""The change feed's register rows keep the edge's household snapshot true: a 등본 at the
edge reads the snapshot, and the feed writes the register's tables directly (not through
commands), so ``feed.apply`` builds the snapshot of every household it brought again. In
process (the test database plays both sides)."""

from __future__ import annotations

import json

import pytest

from minwon.continuity import feed
from minwon.registry import queries, snapshot
from tests.registry.test_snapshot import built, kept, register

WONJU = "5113000000"
pytestmark = pytest.mark.django_db


def test_applying_central_rows_rebuilds_the_households_they_name(
    jurisdictions_loaded: None,
) -> None:
    head = register("김가장")
    household = queries.household_of(head)
    assert household is not None
    objects = json.loads(json.dumps(feed.build(WONJU, 0)["objects"]))
    # Central changed the household's address detail since the edge's snapshot was kept.
    for row in objects:
        if row["model"] == "registry.household" and row["pk"] == household.pk:
            row["fields"]["address_detail"] = "101동 202호"
    assert kept() == built()
    feed.apply(objects)
    assert kept() == built()
    view = snapshot.household_view(household.pk)
    assert view is not None and view.address_detail == "101동 202호"
