"""자동취합 campaigns in the integrated search: indexed in the command's transaction, found by
title, 주관 부서, 회차 and the dates of their period, and seen by exactly whom the campaign
pages show them to — whoever manages campaigns of the sending office, and the recipients
(an office, or only the staff of a recipient department). Another office never sees them:
absent from the results and the same 404 when opened. A rebuild gives the same rows."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from minwon.kernel.types import NATION
from minwon.portal import index, policies, queries
from minwon.portal.commands import RecipientSpec
from minwon.portal.models import Campaign, SearchAudience, SearchDocument
from tests.portal.campaign_factories import MUNMAK, SOCHO, WONJU, actor, create, in_department
from tests.web.authz_world import same_refusal

pytestmark = pytest.mark.django_db
GONGJU = "4415000000"
GONGJU_DONG = "4415057000"


@pytest.fixture
def people(make_staff: Any) -> dict[str, Any]:
    return {
        "officer": in_department(make_staff("officer", WONJU), "총무과"),
        "head": make_staff("department_head", WONJU),
        "civil": in_department(make_staff("counter_clerk", WONJU), "민원여권과"),
        "tax": in_department(make_staff("counter_clerk", WONJU), "세정과"),
        "munmak": make_staff("counter_clerk", MUNMAK),
        "socho": make_staff("counter_clerk", SOCHO),
        "auditor": make_staff("auditor", WONJU),
        "gongju": make_staff("officer", GONGJU),
        "gongju_dong": make_staff("counter_clerk", GONGJU_DONG),
        "sysadmin": make_staff("sysadmin", NATION),
    }


def _campaign(people: dict[str, Any], *, dong: bool = True) -> int:
    """원주시 총무과 → 원주시 민원여권과 (not 세정과), and 문막읍 (not 소초면) unless
    ``dong`` is false."""
    from minwon.kernel import execute
    from minwon.kernel.types import Channel
    from minwon.portal.commands import CreateCampaign
    from tests.portal.campaign_factories import ANCHOR, DEADLINE, DEFINITION

    return int(
        execute(
            CreateCampaign(
                actor=actor(people["officer"]), channel=Channel.ONLINE, jurisdiction=WONJU,
                title="민방위 대피시설 현황", department="총무과", round_label="2026년 1분기",
                definition=DEFINITION, opens_at=ANCHOR, deadline_at=DEADLINE,
                recipients=[RecipientSpec(jurisdiction=WONJU, department="민원여권과"),
                            *([RecipientSpec(jurisdiction=MUNMAK)] if dong else [])],
            )
        ).value["campaign_id"]
    )  # fmt: skip


def _found(user: Any, text: str = "대피시설") -> list[str]:
    return [
        h.entity_id
        for g in queries.search(actor(user), text).groups
        if g.kind == "campaign"
        for h in g.hits
    ]


@pytest.mark.parametrize(
    ("dong", "expected"),
    [
        # 문막읍 is answered by its clerk and by the city's staff who answer for all 읍·면·동
        (True, {"officer", "head", "civil", "tax", "munmak", "sysadmin"}),
        # 민원여권과 alone: its own staff, not 세정과 of the same office, not 문막읍
        (False, {"officer", "head", "civil", "sysadmin"}),
    ],
)
def test_search_sees_a_campaign_exactly_where_its_pages_do(
    people: dict[str, Any], dong: bool, expected: set[str]
) -> None:
    campaign_id = _campaign(people, dong=dong)
    seen_by = {name for name, user in people.items() if _found(user) == [str(campaign_id)]}
    pages = {
        name for name, user in people.items()
        if policies.campaign_for(actor(user), campaign_id) is not None
    }  # fmt: skip
    assert seen_by == pages == expected
    for outside in set(people) - expected:
        assert _found(people[outside]) == [], outside
        assert queries.document_for(actor(people[outside]), "campaign", str(campaign_id)) is None


def test_found_by_department_round_office_and_period(people: dict[str, Any]) -> None:
    campaign_id = str(_campaign(people))
    officer = people["officer"]
    for text in ("대피", "총무과", "1분기", "자동취합", "2026-03-16", f"C{campaign_id}"):
        assert _found(officer, text) == [campaign_id], text
    hit = next(g for g in queries.search(actor(officer), "대피시설").groups if g.kind == "campaign")
    assert hit.label == "자동취합"
    assert "원주시 총무과 · 2026년 1분기 · 2026-03-09 ~ 2026-03-16 09:00" in hit.hits[0].details


def test_opening_a_hit_goes_to_the_board_or_the_answer_form_and_is_404_outside(
    people: dict[str, Any],
) -> None:
    campaign_id = _campaign(people)
    url = f"/staff/search/open/campaign/{campaign_id}/"
    absent_url = "/staff/search/open/campaign/987654321/"

    def opened(name: str, path: str = url) -> Any:
        client = Client()
        client.force_login(people[name])
        return client.get(path)

    assert opened("officer")["Location"] == f"/staff/campaigns/{campaign_id}/"
    answer = opened("civil")["Location"]
    assert answer.startswith(f"/staff/campaigns/{campaign_id}/answers/")
    assert Client().get(answer).status_code == 302  # the login page
    for outside in ("socho", "auditor", "gongju"):
        seen, absent = opened(outside), opened(outside, absent_url)
        assert seen.status_code == absent.status_code == 404, outside
        assert same_refusal(seen, url, absent, absent_url), outside


def test_the_index_follows_the_command_and_a_rebuild_gives_the_same_rows(
    people: dict[str, Any],
) -> None:
    first = _campaign(people)
    second = create(people["officer"], recipients=(SOCHO,), title="하반기 점검")
    kept_docs = {
        (d.kind, d.entity_id, d.jurisdiction_path, d.permission, d.title, d.details, d.tokens)
        for d in SearchDocument.objects.filter(kind="campaign")
    }
    kept_audience = sorted(
        SearchAudience.objects.values_list(
            "kind", "entity_id", "jurisdiction_path", "permission", "department"
        )
    )
    assert {d[1] for d in kept_docs} == {str(first), str(second)}
    assert len(kept_audience) == 3
    assert (str(first), "민원여권과") in {(a[1], a[4]) for a in kept_audience}
    SearchDocument.objects.all().delete()
    SearchAudience.objects.all().delete()
    call_command("search", "rebuild", "--quiet")
    assert {
        (d.kind, d.entity_id, d.jurisdiction_path, d.permission, d.title, d.details, d.tokens)
        for d in SearchDocument.objects.filter(kind="campaign")
    } == kept_docs
    assert (
        sorted(
            SearchAudience.objects.values_list(
                "kind", "entity_id", "jurisdiction_path", "permission", "department"
            )
        )
        == kept_audience
    )
    assert index.counts()[index.Kind.CAMPAIGN] == Campaign.objects.count() == 2
