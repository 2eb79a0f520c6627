"""자동취합 to departments (부서): the create form lists the departments staffed at the
sending office, a campaign goes to the ticked ones as well as to 읍·면·동, and a department
that is not the sender's (another city's, or one nobody works in) is refused naming the
field, nothing made. Only that department's staff answer it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from minwon.kernel.errors import ValidationFailed
from minwon.portal.commands import RecipientSpec
from minwon.portal.models import Campaign, Recipient
from tests.portal.campaign_factories import DEFINITION, MUNMAK, WONJU, in_department

pytestmark = pytest.mark.django_db
GONGJU = "4415000000"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def people(make_staff: Any) -> dict[str, Any]:
    return {
        "officer": in_department(make_staff("officer", WONJU), "총무과"),
        "civil": in_department(make_staff("counter_clerk", WONJU), "민원여권과"),
        "tax": in_department(make_staff("officer", WONJU), "세정과"),
        "gongju": in_department(make_staff("officer", GONGJU), "공주민원과"),
        "munmak": make_staff("counter_clerk", MUNMAK),
    }


FORM = {
    "office": WONJU, "department": "총무과", "title": "부서별 현황", "round_label": "1분기",
    "opens_at": "2026-03-09T09:00", "deadline_at": "2026-03-16T18:00", "grace_hours": "24",
    "definition": json.dumps(DEFINITION),
}  # fmt: skip


def test_the_form_lists_the_offices_departments_and_sends_to_them(people: Any) -> None:
    client = _client(people["officer"])
    page = client.get("/staff/campaigns/").content.decode()
    assert 'value="5113000000:민원여권과"' in page and 'value="5113000000:세정과"' in page
    assert "공주민원과" not in page, "another city's department is not offered"
    made = client.post(
        "/staff/campaigns/",
        {**FORM, "departments": [f"{WONJU}:민원여권과"], "recipients": [MUNMAK]},
    )
    assert made.status_code == 302
    campaign = Campaign.objects.get()
    assert sorted(campaign.recipients.values_list("jurisdiction_id", "department")) == [
        (WONJU, "민원여권과"), (MUNMAK, ""),
    ]  # fmt: skip
    board = client.get(made["Location"]).content.decode()
    assert "원주시 민원여권과" in board
    # only 민원여권과 answers for 민원여권과; 세정과 of the same office does not
    recipient = Recipient.objects.get(campaign=campaign, department="민원여권과")
    url = f"/staff/campaigns/{campaign.pk}/answers/{recipient.pk}/"
    assert _client(people["civil"]).get(url).status_code == 200
    assert _client(people["tax"]).get(url).status_code == 404
    assert _client(people["gongju"]).get(url).status_code == 404


@pytest.mark.parametrize(
    "value", [f"{GONGJU}:공주민원과", f"{WONJU}:없는과", f"{WONJU}:", "민원여권과"]
)
def test_a_department_outside_the_office_is_refused_naming_the_field(
    people: Any, value: str
) -> None:
    refused = _client(people["officer"]).post("/staff/campaigns/", {**FORM, "departments": [value]})
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "받을" in text and ("부서" in text or "관할" in text)
    assert not Campaign.objects.exists()


def test_the_command_checks_the_department_too(people: Any) -> None:
    with pytest.raises(ValidationFailed) as unknown:
        _department_campaign(people, "없는과")
    assert unknown.value.field == "recipients" and "없는과" in unknown.value.message_ko
    assert not Campaign.objects.exists()
    assert _department_campaign(people, "세정과") > 0


def _department_campaign(people: Any, department: str) -> int:
    from datetime import timedelta

    from minwon.kernel import execute
    from minwon.kernel.types import Channel
    from minwon.portal.commands import CreateCampaign
    from tests.portal.campaign_factories import ANCHOR, DEADLINE, actor

    return int(
        execute(
            CreateCampaign(
                actor=actor(people["officer"]), channel=Channel.ONLINE, jurisdiction=WONJU,
                title="부서 취합", definition=DEFINITION,
                recipients=[RecipientSpec(jurisdiction=WONJU, department=department)],
                opens_at=ANCHOR, deadline_at=DEADLINE, occurred_at=ANCHOR - timedelta(days=1),
            )
        ).value["campaign_id"]
    )  # fmt: skip
