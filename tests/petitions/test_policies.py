"""The officer's page offers exactly what the workflow's handlers accept: the actions are
read from the handlers, not restated."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from minwon.accounts.models import User
from minwon.petitions import policies
from minwon.petitions.commands.workflow import ACTIONS
from minwon.petitions.models import Petition
from tests.petitions.conftest import WONJU, actor

pytestmark = pytest.mark.django_db


def test_every_workflow_action_states_its_permission_and_states() -> None:
    table = policies.transitions()
    assert set(table) == set(ACTIONS)
    assert table["assign"].permission == "petitions.assign"
    assert table["decide"].states == {Petition.State.IN_REVIEW}
    assert table["withdraw"].applicant and not table["decide"].applicant
    assert table["close"].states == {Petition.State.NOTIFIED, Petition.State.TRANSFERRED}


def test_actions_follow_role_and_state(apply: Any, make_staff: Callable[..., User]) -> None:
    number = apply("GRIEVANCE")["receipt_number"]
    petition = Petition.objects.get(application__receipt_number=number, seq=1)
    officer = actor(make_staff("officer", WONJU))
    clerk = actor(make_staff("counter_clerk", WONJU))
    auditor = actor(make_staff("auditor", WONJU))
    jeonju = actor(make_staff("officer", "5211000000"))
    expected = ["assign", "start-review", "transfer", "withdraw"]
    assert policies.actions_for(officer, petition) == expected
    # A clerk (petitions.intake, no petitions.process) may only withdraw at the counter.
    assert policies.actions_for(clerk, petition) == ["withdraw"]
    assert policies.actions_for(auditor, petition) == []
    assert policies.actions_for(jeonju, petition) == []
    assert not policies.can_act(officer, petition, "decide")
