"""이송: a transfer to another 시·군·구 that minwon serves makes the petition arrive in that
office's queue in the same command (same receipt number, next item, deadline counted from
the destination's reception); a transfer to an outside agency only records its name."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from django.test import Client

from minwon.accounts.models import User
from minwon.kernel.errors import Forbidden, ValidationFailed
from minwon.notices.models import InboxMessage
from minwon.petitions import deadlines, queries, receipts, tracking
from minwon.petitions.models import Petition

from .conftest import JEONJU, WONJU, actor, at

pytestmark = pytest.mark.django_db
Apply = Callable[..., dict[str, Any]]
Act = Callable[..., dict[str, Any]]
GONGJU = "4415000000"


@pytest.fixture
def jeonju_officer(make_staff: Callable[..., User]) -> User:
    return make_staff("officer", JEONJU)


@pytest.fixture
def transferred(apply: Apply, act: Act, officer: User) -> dict[str, Any]:
    """A 고충민원 received in 원주 on Monday 2026-03-09, sent to 전주 on Thursday."""
    receipt = apply("GRIEVANCE")["receipt_number"]
    act(officer, "assign", receipt, officer_id=officer.pk)
    value = act(officer, "transfer", receipt, to=JEONJU, reason="전주시 관할 시설",
                when="2026-03-12T15:00")  # fmt: skip
    return {"receipt": receipt, "value": value}


def test_transfer_to_a_served_jurisdiction_arrives_in_its_queue(
    transferred: dict[str, Any],
) -> None:
    receipt, value = transferred["receipt"], transferred["value"]
    source = Petition.objects.get(application__receipt_number=receipt, seq=1)
    arrived = Petition.objects.get(application__receipt_number=receipt, seq=2)
    assert source.state == "transferred" and source.closed_at is not None
    assert "전주시" in source.transferred_to and JEONJU in source.transferred_to
    assert (arrived.jurisdiction_id, arrived.state, arrived.officer_id) == (
        JEONJU,
        "received",
        None,
    )
    assert arrived.department == source.type.department and arrived.form == source.form
    assert value["state"] == "transferred"
    assert value["destination"]["number"] == f"{receipt}-2"
    assert value["destination"]["jurisdiction"] == JEONJU
    assert [s.action for s in arrived.steps.all()] == ["transfer_in"]


def test_destination_deadline_counts_from_its_own_reception(transferred: dict[str, Any]) -> None:
    """7일 (days regime, first day included): received by 전주 on Thu 03-12 → Fri 03-20,
    not the 원주 deadline of Tue 03-17."""
    receipt = transferred["receipt"]
    source = Petition.objects.get(application__receipt_number=receipt, seq=1)
    arrived = Petition.objects.get(application__receipt_number=receipt, seq=2)
    assert source.deadline_at == at("2026-03-17T18:00")
    assert arrived.received_at == at("2026-03-12T15:00")
    assert arrived.deadline_at == at("2026-03-20T18:00")
    assert arrived.deadline_at == deadlines.deadline(
        at("2026-03-12T15:00"), deadlines.parse_period("7d")
    )


def test_queues_follow_the_petition(
    transferred: dict[str, Any], officer: User, jeonju_officer: User
) -> None:
    now = at("2026-03-13T10:00")
    wonju = [r["petition"].number for r in queries.work_queue(actor(officer), now=now)]
    jeonju = [r["petition"].number for r in queries.work_queue(actor(jeonju_officer), now=now)]
    assert jeonju == [f"{transferred['receipt']}-2"]
    assert wonju == []


def test_source_officer_cannot_act_on_the_destinations_petition(
    transferred: dict[str, Any], act: Act, officer: User, jeonju_officer: User
) -> None:
    receipt = transferred["receipt"]
    with pytest.raises(Forbidden):
        act(officer, "start-review", receipt, item=2)
    assert Petition.objects.get(application__receipt_number=receipt, seq=2).state == "received"
    with pytest.raises(Forbidden):
        act(jeonju_officer, "close", receipt, item=1)
    act(jeonju_officer, "start-review", receipt, item=2)
    act(jeonju_officer, "decide", receipt, item=2, outcome="approved")
    assert Petition.objects.get(application__receipt_number=receipt, seq=2).state == "decided"


def test_tracking_shows_both_steps(transferred: dict[str, Any]) -> None:
    receipt = transferred["receipt"]
    view = tracking.track(
        receipt, tracking.SecondFactor(pin=receipts.pin_for(receipt)), ip="198.51.100.7"
    )
    first, second = view["petitions"]
    assert first["state"] == "transferred" and second["state"] == "received"
    transfer_step = first["steps"][-1]
    assert transfer_step["action"] == "transfer" and transfer_step["action_label"] == "이송"
    assert "전주시" in transfer_step["note"] and "전주시 관할 시설" in transfer_step["note"]
    arrival = second["steps"][0]
    assert arrival["action"] == "transfer_in" and "원주시" in arrival["note"]
    assert "전주시 관할 시설" in arrival["note"]
    assert datetime.fromisoformat(second["deadline_at"]) == at("2026-03-20T18:00")


def test_applicant_is_told_where_it_went(transferred: dict[str, Any]) -> None:
    notice = InboxMessage.objects.filter(subject__startswith="민원 이송 안내").get()
    assert "전주시" in notice.body and f"{transferred['receipt']}-2" in notice.body


def test_transfer_to_an_outside_agency_records_the_name_only(
    apply: Apply, act: Act, officer: User
) -> None:
    receipt = apply("GRIEVANCE")["receipt_number"]
    value = act(officer, "transfer", receipt, to="국민권익위원회", reason="중앙행정기관 소관")
    assert Petition.objects.filter(application__receipt_number=receipt).count() == 1
    petition = Petition.objects.get(application__receipt_number=receipt)
    assert (petition.state, petition.transferred_to) == ("transferred", "국민권익위원회")
    assert "destination" not in value


def test_retired_code_goes_to_its_successor(apply: Apply, act: Act, jeonju_officer: User) -> None:
    receipt = apply("GRIEVANCE", jurisdiction=JEONJU)["receipt_number"]
    act(jeonju_officer, "transfer", receipt, to="4213000000", reason="원주시 소관")
    arrived = Petition.objects.get(application__receipt_number=receipt, seq=2)
    assert arrived.jurisdiction_id == WONJU


@pytest.mark.parametrize(
    ("to", "code"),
    [("9999999999", "unknown_jurisdiction"), (WONJU, "same_office"),
     ("5113025000", "not_an_office")],
)  # fmt: skip
def test_bad_destination_is_refused_and_nothing_changes(
    apply: Apply, act: Act, officer: User, to: str, code: str
) -> None:
    receipt = apply("GRIEVANCE")["receipt_number"]
    with pytest.raises(ValidationFailed) as exc:
        act(officer, "transfer", receipt, to=to, reason="r")
    assert exc.value.field == "to" and exc.value.code == code
    assert exc.value.message_ko and exc.value.message_en
    assert Petition.objects.filter(application__receipt_number=receipt).count() == 1
    assert Petition.objects.get(application__receipt_number=receipt).state == "received"


def test_a_petition_can_travel_on(
    transferred: dict[str, Any], act: Act, jeonju_officer: User
) -> None:
    receipt = transferred["receipt"]
    act(jeonju_officer, "transfer", receipt, item=2, to=GONGJU, reason="공주시 소관",
        when="2026-03-13T10:00")  # fmt: skip
    states = dict(
        Petition.objects.filter(application__receipt_number=receipt).values_list("seq", "state")
    )
    assert states == {1: "transferred", 2: "transferred", 3: "received"}
    assert (
        Petition.objects.get(application__receipt_number=receipt, seq=3).jurisdiction_id == GONGJU
    )


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_pages_and_api_follow_the_scope(
    transferred: dict[str, Any], officer: User, jeonju_officer: User
) -> None:
    receipt = transferred["receipt"]
    jeonju, wonju = _client(jeonju_officer), _client(officer)
    assert f"{receipt}-2" in jeonju.get("/staff/petitions/").content.decode()
    assert f"{receipt}-2" not in wonju.get("/staff/petitions/").content.decode()
    assert wonju.get(f"/staff/petitions/{receipt}/2/").status_code == 404
    assert jeonju.get(f"/staff/petitions/{receipt}/2/").status_code == 200
    assert jeonju.get(f"/api/petitions/{receipt}").status_code == 200
    body = json.dumps({"item": 2})
    refused = wonju.post(f"/api/petitions/{receipt}/start-review", body,
                         content_type="application/json")  # fmt: skip
    assert refused.status_code == 403
    done = jeonju.post(f"/api/petitions/{receipt}/start-review", body,
                       content_type="application/json")  # fmt: skip
    assert done.status_code == 200 and done.json()["state"] == "in_review"


def test_transfer_from_the_officer_page(apply: Apply, officer: User, jeonju_officer: User) -> None:
    receipt = apply("GRIEVANCE")["receipt_number"]
    response = _client(officer).post(
        f"/staff/petitions/{receipt}/1/transfer/", {"to": JEONJU, "reason": "전주시 소관"}
    )
    assert response.status_code == 302
    assert (
        Petition.objects.get(application__receipt_number=receipt, seq=2).jurisdiction_id == JEONJU
    )
