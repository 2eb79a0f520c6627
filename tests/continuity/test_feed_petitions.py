"""The change feed carries the office's open petitions (and the catalog), without the
personal data a status look-up does not need, and a snapshot removes from the replica the
petitions central closed meanwhile. In process (the test database plays both sides)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from minwon.accounts.models import User
from minwon.continuity import feed
from minwon.kernel import execute
from minwon.kernel.types import Actor, Channel
from minwon.petitions import catalog
from minwon.petitions.commands import ApplicationItem, LoadPetitionCatalog, SubmitApplication
from minwon.petitions.commands.workflow import WithdrawPetition
from minwon.petitions.models import Application, Petition, PetitionStep
from tests.conftest import actor_of

WONJU = "5113000000"
GONGJU = "4415000000"


@pytest.fixture
def submit(
    jurisdictions_loaded: None,
    make_staff: Callable[..., User],
    make_citizen: Callable[..., User],
) -> Callable[..., dict[str, Any]]:
    data = catalog.read()
    execute(
        LoadPetitionCatalog(
            actor=Actor.system("test"), channel=Channel.SYSTEM, jurisdiction="0000000000",
            version=str(data["version"]), types=data["types"],
        )
    )  # fmt: skip
    citizen = actor_of(make_citizen(name="김민원"))

    def run(office: str, online: bool = False) -> dict[str, Any]:
        who = citizen if online else actor_of(make_staff("counter_clerk", office))
        fields: dict[str, Any] = (
            {"email": "kim@example.kr", "phone": "010-1234-5678"}
            if online
            else {"applicant_name": "박창구", "applicant_birth": date(1980, 1, 1)}
        )
        return execute(
            SubmitApplication(
                actor=who, channel=Channel.ONLINE if online else Channel.COUNTER,
                jurisdiction=office, items=[ApplicationItem(type_code="GRIEVANCE")], **fields,
            )
        ).value  # fmt: skip

    return run


def _labels(objects: list[dict[str, Any]], model: str) -> list[dict[str, Any]]:
    return [o for o in objects if o["model"] == model]


def test_feed_sends_open_petitions_of_the_office_without_personal_data(
    submit: Callable[..., dict[str, Any]], make_staff: Callable[..., User]
) -> None:
    online = submit(WONJU, online=True)["receipt_number"]
    counter = submit(WONJU)["receipt_number"]
    withdrawn = submit(WONJU)["receipt_number"]
    elsewhere = submit(GONGJU)["receipt_number"]
    clerk = actor_of(make_staff("counter_clerk", WONJU))
    execute(
        WithdrawPetition(
            actor=clerk, channel=Channel.COUNTER, jurisdiction=WONJU, receipt_number=withdrawn
        )
    )
    objects = feed.build(WONJU, 0)["objects"]

    apps = {o["fields"]["receipt_number"]: o for o in _labels(objects, "petitions.application")}
    assert set(apps) == {online, counter}  # open and this office's only
    assert withdrawn not in apps and elsewhere not in apps
    for app in apps.values():
        fields = app["fields"]
        assert fields["applicant_user"] is None and fields["rrn_ciphertext"] is None
        assert fields["email"] == "" and fields["phone"] == ""
    petitions = _labels(objects, "petitions.petition")
    assert {p["fields"]["application"] for p in petitions} == {a["pk"] for a in apps.values()}
    assert all(p["fields"]["state"] == "received" and p["fields"]["deadline_at"] for p in petitions)
    steps = _labels(objects, "petitions.petitionstep")
    assert {s["fields"]["petition"] for s in steps} == {p["pk"] for p in petitions}
    assert any(o["pk"] == "GRIEVANCE" for o in _labels(objects, "petitions.petitiontype"))


def test_snapshot_drops_petitions_closed_on_central(
    submit: Callable[..., dict[str, Any]],
) -> None:
    kept = submit(WONJU)["receipt_number"]
    closed = submit(WONJU)["receipt_number"]
    gone = Application.objects.get(receipt_number=closed)
    objects = feed.build(WONJU, 0)["objects"]
    # The snapshot as central sends it once ``closed`` is no longer open there.
    snapshot = [
        o
        for o in objects
        if not (o["model"] == "petitions.application" and o["pk"] == gone.pk)
        and not (o["model"] == "petitions.petition" and o["fields"]["application"] == gone.pk)
        and not (
            o["model"] == "petitions.petitionstep"
            and o["fields"]["petition"] in set(gone.items.values_list("pk", flat=True))
        )
    ]
    feed.apply(json.loads(json.dumps(snapshot)))
    assert list(Application.objects.values_list("receipt_number", flat=True)) == [kept]
    assert not Petition.objects.filter(application_id=gone.pk).exists()
    assert PetitionStep.objects.filter(petition__application__receipt_number=kept).exists()
