"""자동취합 pages: making a campaign, the recipient's form with server-side validation
(a clear Korean message naming the field, 4xx, nothing changed), the board, the landing
panel and the downloads, and scope as 404."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from minwon.kernel import clock
from minwon.portal.models import Answer, Campaign, Recipient
from tests.portal.campaign_factories import ANCHOR, DEFINITION, MUNMAK, SOCHO, WONJU, create

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def people(make_staff: Any) -> dict[str, Any]:
    return {
        "officer": make_staff("officer", WONJU),
        "munmak": make_staff("counter_clerk", MUNMAK),
        "socho": make_staff("counter_clerk", SOCHO),
        "auditor": make_staff("auditor", WONJU),
    }


def test_create_page_makes_a_campaign_or_names_the_bad_field(people: Any) -> None:
    client = _client(people["officer"])
    page = client.get("/staff/campaigns/")
    assert page.status_code == 200 and "문막읍" in page.content.decode()
    form = {
        "office": WONJU, "department": "총무과", "title": "대피시설 현황", "round_label": "1분기",
        "opens_at": "2026-03-09T09:00", "deadline_at": "2026-03-06T18:00", "grace_hours": "24",
        "recipients": [MUNMAK, SOCHO], "definition": json.dumps(DEFINITION),
    }  # fmt: skip
    refused = client.post("/staff/campaigns/", form)
    assert refused.status_code == 400
    assert "마감 일시는 시작 일시보다 뒤여야" in refused.content.decode()
    assert not Campaign.objects.exists()
    bad_json = client.post("/staff/campaigns/", {**form, "definition": "{fields:"})
    assert bad_json.status_code == 400 and "양식(JSON)" in bad_json.content.decode()
    made = client.post("/staff/campaigns/", {**form, "deadline_at": "2026-03-16T18:00"})
    assert made.status_code == 302
    campaign = Campaign.objects.get()
    assert clock.local(campaign.deadline_at).hour == 18
    board = client.get(made["Location"])
    assert board.status_code == 200 and "제출 현황" in board.content.decode()


def test_answer_page_validates_and_the_board_shows_it(people: Any) -> None:
    campaign_id = create(people["officer"])
    recipient = Recipient.objects.get(campaign_id=campaign_id, jurisdiction_id=MUNMAK)
    url = f"/staff/campaigns/{campaign_id}/answers/{recipient.pk}/"
    clerk = _client(people["munmak"])
    with clock.frozen_at(ANCHOR + timedelta(hours=1)):
        landing = clerk.get("/staff/")
        assert "제출할 자동취합" in landing.content.decode() and url in landing.content.decode()
        form = clerk.get(url)
        assert form.status_code == 200 and 'name="t-facilities-0-name"' in form.content.decode()
        bad = clerk.post(url, {"f-shelters": "세 곳", "f-status": "양호"})
        assert bad.status_code == 400
        assert "&#x27;대피시설 수&#x27;: 숫자를 입력하세요" in bad.content.decode()
        assert not Answer.objects.exists()
        done = clerk.post(
            url,
            {"f-shelters": "3", "f-status": "양호", "f-checked_on": "2026-03-02",
             "t-facilities-0-name": "문막읍사무소", "t-facilities-0-capacity": "200",
             "t-facilities-1-name": "", "t-facilities-1-capacity": ""},
        )  # fmt: skip
        assert done.status_code == 302
        answer = Answer.objects.get()
        assert answer.data["facilities"] == [{"name": "문막읍사무소", "capacity": 200}]
        # A correction needs its reason.
        again = clerk.post(url, {"f-shelters": "4", "f-status": "양호"})
        assert again.status_code == 400 and "정정 사유" in again.content.decode()
        board = _client(people["officer"]).get(f"/staff/campaigns/{campaign_id}/")
    text = board.content.decode()
    assert "문막읍" in text and "소초면" in text and "v1" in text
    assert board.context["board"]["counts"]["submitted"] == 1
    assert board.context["board"]["counts"]["not_started"] == 1


def test_out_of_scope_is_404(people: Any) -> None:
    campaign_id = create(people["officer"])
    recipient = Recipient.objects.get(campaign_id=campaign_id, jurisdiction_id=MUNMAK)
    other = _client(people["socho"])
    url = f"/staff/campaigns/{campaign_id}/answers/{recipient.pk}/"
    assert other.get(url).status_code == 404
    with clock.frozen_at(ANCHOR + timedelta(hours=1)):
        assert other.post(url, {"f-shelters": "1"}).status_code == 404
    assert not Answer.objects.exists()
    new = {"definition": json.dumps(DEFINITION)}
    assert other.post(f"/staff/campaigns/{campaign_id}/versions/", new).status_code == 404
    assert Campaign.objects.get().versions.count() == 1
    manager = _client(people["officer"])
    assert (
        manager.post(f"/staff/campaigns/{campaign_id}/versions/", {"definition": "["}).status_code
        == 400
    )
    assert manager.post(f"/staff/campaigns/{campaign_id}/versions/", new).status_code == 302
    assert Campaign.objects.get().versions.count() == 2
    for path in ("", "export.xlsx", "export.csv"):
        assert other.get(f"/staff/campaigns/{campaign_id}/{path}").status_code == 404
        assert (
            _client(people["auditor"]).get(f"/staff/campaigns/{campaign_id}/{path}").status_code
            == 404
        )


def test_downloads(people: Any) -> None:
    campaign_id = create(people["officer"])
    client = _client(people["officer"])
    xlsx = client.get(f"/staff/campaigns/{campaign_id}/export.xlsx")
    assert xlsx.status_code == 200 and b"".join(xlsx.streaming_content)[:2] == b"PK"
    csv = client.get(f"/staff/campaigns/{campaign_id}/export.csv")
    body = b"".join(csv.streaming_content).decode("utf-8-sig")
    assert body.splitlines()[0].startswith("수신처,기관코드")
