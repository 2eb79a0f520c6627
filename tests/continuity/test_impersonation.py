"""An edge key cannot act as anyone: each replayed command is authorised twice — the edge
may carry it (a type declared to run at an edge, an actor who is staff of its office, a
jurisdiction inside it) and its original actor may do it, every check bounded to the office.
Over the real endpoint, with a real edge key; refusals change nothing and are queued for a
person, and the audit names the edge beside the actor."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from minwon.accounts.commands import GrantRole, RegisterAgencyClient
from minwon.accounts.models import RoleGrant
from minwon.continuity.models import ReconciliationItem
from minwon.kernel import clock, execute, rrn
from minwon.kernel.models import AuditRecord, CommandRecord
from minwon.kernel.types import NATION, Actor, Channel, Command
from minwon.registry.commands import RegisterPerson
from minwon.registry.models import HouseholdMember
from minwon.registry.movein import Mover, ReportMoveIn
from minwon.web.api import key_hash
from tests.conftest import GONGJU, JEONJU, WONJU, actor_of
from tests.registry import factories

pytestmark = pytest.mark.django_db

KEY = "edgewj.0123456789abcdef0123456789abcdef"


@pytest.fixture
def edge_key(jurisdictions_loaded: None) -> str:
    execute(
        RegisterAgencyClient(
            actor=Actor.system("test"), channel=Channel.SYSTEM, jurisdiction=WONJU,
            name="wonju-edge", prefix="edgewj", key_hash=key_hash(KEY),
            permissions=["continuity.replay"],
        )
    )  # fmt: skip
    return KEY


def _replay(key: str, *commands: Command) -> list[dict[str, Any]]:
    body = {
        "edge_id": "wonju-a",
        "entries": [
            {
                "seq": n,
                "name": cmd.command_name(),
                "command_id": str(cmd.command_id),
                "occurred_at": cmd.occurred_at.isoformat(),
                "payload": cmd.to_json(),
            }
            for n, cmd in enumerate(commands, start=1)
        ],
    }
    response = Client().post(
        "/api/continuity/replay",
        data=json.dumps(body),
        content_type="application/json",
        headers={"X-Api-Key": key},
    )
    assert response.status_code == 200, response.content
    outcomes: list[dict[str, Any]] = response.json()["outcomes"]
    return outcomes


def _refused(outcome: dict[str, Any], command: Command) -> None:
    assert outcome["status"] == "queued", outcome
    assert not CommandRecord.objects.filter(pk=command.command_id).exists()
    assert ReconciliationItem.objects.filter(command_id=command.command_id).exists()


def test_an_edge_cannot_grant_a_role_as_the_national_administrator(
    make_staff: Any, edge_key: str
) -> None:
    admin = actor_of(make_staff("sysadmin", NATION))
    auditor = make_staff("auditor", JEONJU)
    grant = GrantRole(
        actor=admin, channel=Channel.COUNTER, jurisdiction=WONJU,
        user_id=auditor.pk, role="sysadmin",
    )  # fmt: skip
    (outcome,) = _replay(edge_key, grant)
    _refused(outcome, grant)
    assert outcome["error"]["code"] == "not_at_edge"
    auditor.refresh_from_db()
    assert not auditor.is_superuser
    assert not RoleGrant.objects.filter(user=auditor, role="sysadmin").exists()
    # The attempt is in the audit chain, as the edge's key queueing it.
    queued = AuditRecord.objects.filter(name="QueueReconciliation").values_list("actor", flat=True)
    assert list(queued) and all(a.startswith("agency:") for a in queued)


def test_an_edge_cannot_replay_another_citys_clerk(make_staff: Any, edge_key: str) -> None:
    gongju_clerk = actor_of(make_staff("counter_clerk", GONGJU))
    resident = factories.register("공주주민", code=factories.SINGWAN, address="공주시 신관로 1")
    household = factories.register("공주세대주", code=factories.SINGWAN, address="공주시 신관로 2")
    before = list(HouseholdMember.objects.filter(person=resident).values_list("household_id"))
    target = HouseholdMember.objects.get(person=household, left_on__isnull=True).household_id
    move = ReportMoveIn(
        actor=gongju_clerk, channel=Channel.COUNTER, jurisdiction=WONJU,
        movers=[Mover(person_id=resident.pk, relationship="cohabitant")],
        household_id=target, moved_in_on=clock.now().date() - timedelta(days=1),
    )  # fmt: skip
    (outcome,) = _replay(edge_key, move)
    _refused(outcome, move)
    assert outcome["error"]["code"] == "actor_not_allowed"
    after = list(HouseholdMember.objects.filter(person=resident).values_list("household_id"))
    assert after == before


def test_an_office_clerk_cannot_reach_outside_the_office_through_the_edge(
    make_staff: Any, edge_key: str
) -> None:
    """Staff of the office, but the command touches another city: bounded to the office."""
    wonju_clerk = actor_of(make_staff("counter_clerk", WONJU))
    resident = factories.register("원주주민")
    household = factories.register("공주세대주2", code=factories.SINGWAN, address="공주시 신관로 3")
    target = HouseholdMember.objects.get(person=household, left_on__isnull=True).household_id
    move = ReportMoveIn(
        actor=wonju_clerk, channel=Channel.COUNTER, jurisdiction=WONJU,
        movers=[Mover(person_id=resident.pk, relationship="cohabitant")],
        household_id=target, moved_in_on=clock.now().date() - timedelta(days=1),
    )  # fmt: skip
    (outcome,) = _replay(edge_key, move)
    _refused(outcome, move)
    assert outcome["error"]["code"] == "out_of_scope"


def test_the_office_clerks_own_work_is_applied_and_the_audit_names_the_edge(
    make_staff: Any, edge_key: str
) -> None:
    clerk = actor_of(make_staff("counter_clerk", WONJU))
    gongju_resident = factories.register(
        "전입자", code=factories.SINGWAN, address="공주시 신관로 4"
    )
    person = RegisterPerson(
        actor=clerk, channel=Channel.COUNTER, jurisdiction=WONJU, name="새주민",
        sealed_rrn=rrn.SealedRRN.from_text(factories.new_rrn()), road_address="시청로 1",
        address_code=factories.DANGU, moved_in_on=clock.now().date() - timedelta(days=3),
    )  # fmt: skip
    # A resident of another city moving in to this office: the destination's business.
    move = ReportMoveIn(
        actor=clerk, channel=Channel.COUNTER, jurisdiction=WONJU,
        movers=[Mover(person_id=gongju_resident.pk, relationship="head")],
        road_address="원주시 단구로 9", address_code=factories.DANGU,
        moved_in_on=clock.now().date() - timedelta(days=1),
    )  # fmt: skip
    outcomes = _replay(edge_key, person, move)
    assert [o["status"] for o in outcomes] == ["applied", "applied"], outcomes
    rows = AuditRecord.objects.filter(command_id__in=[person.command_id, move.command_id])
    assert {r.actor for r in rows} == {f"{clerk} via edge:wonju-a[agency:{_key_id()}]"}
    assert ReconciliationItem.objects.count() == 0


def _key_id() -> int:
    from minwon.accounts.models import AgencyClient

    return AgencyClient.objects.get(prefix="edgewj").pk


def test_a_key_without_replay_is_refused_whole(jurisdictions_loaded: None) -> None:
    execute(
        RegisterAgencyClient(
            actor=Actor.system("test"), channel=Channel.SYSTEM, jurisdiction=WONJU,
            name="other", prefix="other1", key_hash=key_hash("other1.secret"),
            permissions=["documents.agency_issue"],
        )
    )  # fmt: skip
    response = Client().post(
        "/api/continuity/replay",
        data=json.dumps({"edge_id": "x", "entries": []}),
        content_type="application/json",
        headers={"X-Api-Key": "other1.secret"},
    )
    assert response.status_code == 403
