"""The demo seeds petitions in every state, and a second run changes nothing."""

from __future__ import annotations

import pytest

from minwon.kernel.demo import DemoContext
from minwon.petitions.models import Application, Petition

pytestmark = pytest.mark.django_db


def test_demo_seeds_every_state_idempotently(jurisdictions_loaded: None) -> None:
    from minwon.accounts import demo as accounts_demo
    from minwon.petitions import demo

    ctx = DemoContext(residents=0, quiet=True)
    accounts_demo.seed(ctx)
    demo.seed(ctx)
    states = set(Petition.objects.values_list("state", flat=True))
    assert {"received", "assigned", "in_review", "supplement_requested", "decided", "notified",
            "closed", "transferred", "withdrawn", "awaiting_approval"} <= states  # fmt: skip
    assert Petition.objects.filter(decided_by_rule__startswith="sign_declaration").count() == 3
    count = Application.objects.count()
    demo.seed(ctx)
    assert Application.objects.count() == count
