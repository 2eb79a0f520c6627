"""The search page, the API and the landing page: same query function, policy applied,
resident numbers kept out of URLs, a person hit opened writes the access log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from minwon.accounts.models import User
from minwon.kernel import clock
from minwon.kernel.models import AccessLog
from tests.petitions.conftest import at
from tests.registry.factories import SINGWAN, new_rrn, register

pytestmark = pytest.mark.django_db
WONJU, GONGJU = "5113000000", "4415000000"
Apply = Callable[..., dict[str, Any]]
Act = Callable[..., dict[str, Any]]


@pytest.fixture
def people(jurisdictions_loaded: None) -> dict[str, Any]:
    number = new_rrn("910203", "2")
    return {
        "wonju": register("최민지", number=number),
        "gongju": register("최민지", code=SINGWAN, address="충청남도 공주시 신관로 10"),
        "number": number,
    }


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_search_page_finds_by_two_syllables_in_scope_only(
    people: dict[str, Any], make_staff: Callable[..., User]
) -> None:
    client = client_for(make_staff("officer", WONJU))
    response = client.post("/staff/search/", {"q": "민지"})
    html = response.content.decode()
    assert response.status_code == 200
    assert f"/staff/search/open/person/{people['wonju'].pk}/" in html
    assert f"/staff/search/open/person/{people['gongju'].pk}/" not in html
    assert "최<mark>민지</mark>" in html
    assert client.get("/staff/search/", {"q": "민지"}).content.decode().count("<mark>") >= 1


@pytest.mark.personal_url_probe
def test_resident_number_never_in_a_url(
    people: dict[str, Any], make_staff: Callable[..., User]
) -> None:
    client = client_for(make_staff("counter_clerk", WONJU))
    number = people["number"]
    dashed = f"{number[:6]}-{number[6:]}"
    assert client.get("/staff/search/", {"q": dashed}).status_code == 400
    page = client.post("/staff/search/", {"q": dashed})
    assert page.status_code == 200 and "/staff/search/open/person/" in page.content.decode()
    assert number not in page.content.decode() and dashed not in page.content.decode()
    api = client.get("/api/search", {"q": dashed})
    assert api.status_code == 400 and api.json()["field"] == "q"
    posted = client.post("/api/search", {"q": dashed}, content_type="application/json")
    assert posted.status_code == 200
    assert [(g["kind"], g["hits"][0]["match"]) for g in posted.json()["groups"]] == [
        ("person", "exact")
    ]


def test_api_matches_the_page_and_refuses_outsiders(
    people: dict[str, Any], make_staff: Callable[..., User], make_citizen: Callable[..., User]
) -> None:
    client = client_for(make_staff("officer", GONGJU))
    body = client.get("/api/search", {"q": "최민"}).json()
    hits = [h for g in body["groups"] for h in g["hits"]]
    assert [h["entity_id"] for h in hits if h["kind"] == "person"] == [str(people["gongju"].pk)]
    assert body["groups"][0]["count"] == 1 and "<mark>" in hits[0]["title_marked"]
    assert client.get("/api/search", {"q": ""}).status_code == 400
    assert client.get("/api/search", {"q": "가" * 150}).status_code == 400
    assert client.get("/api/search", {"q": "x", "kind": "nonsense"}).status_code == 400
    citizen = client_for(make_citizen())
    assert citizen.get("/api/search", {"q": "최민"}).status_code == 403
    assert citizen.get("/staff/search/").status_code == 403
    assert Client().get("/api/search", {"q": "최민"}).status_code == 401


def test_opening_a_person_hit_writes_the_access_log(
    people: dict[str, Any], make_staff: Callable[..., User]
) -> None:
    officer = make_staff("officer", WONJU)
    client = client_for(officer)
    wonju, gongju = people["wonju"], people["gongju"]
    before = AccessLog.objects.filter(subject_id=str(wonju.pk), what="detail").count()
    response = client.get(f"/staff/search/open/person/{wonju.pk}/", follow=True)
    assert response.status_code == 200 and "최민지" in response.content.decode()
    rows = AccessLog.objects.filter(subject_id=str(wonju.pk), what="detail")
    assert rows.count() == before + 1
    assert rows.latest("at").purpose == "통합검색"
    assert rows.latest("at").actor == f"staff:{officer.pk}"
    assert client.get(f"/staff/search/open/person/{gongju.pk}/").status_code == 404
    assert client.get("/staff/search/open/person/999999/").status_code == 404
    assert client.get("/staff/search/open/bogus/1/").status_code == 404


def test_landing_page_queue_overdue_first_and_awaiting(
    apply: Apply, act: Act, officer: User
) -> None:
    late = apply("GRIEVANCE", when="2026-01-05T10:00")["receipt_number"]
    recent = apply("GRIEVANCE", when="2026-03-09T10:00")["receipt_number"]
    act(officer, "assign", recent, officer_id=officer.pk, when="2026-03-09T11:00")
    client = client_for(officer)
    with clock.frozen_at(at("2026-03-10T10:00")):
        response = client.get("/staff/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index(late) < html.index(recent), "overdue first"
    assert "기한 경과 1건" in html
    awaiting = html[html.index('id="awaiting-heading"') :]
    assert recent in awaiting.split("</section>")[0]
    assert 'id="portal-q"' in html and 'action="/staff/search/"' in html


def test_landing_page_for_staff_without_grants(jurisdictions_loaded: None) -> None:
    user = User.objects.create(username="nobody", kind="staff")
    response = client_for(user).get("/staff/")
    assert response.status_code == 200 and "부여된 직무가 없습니다" in response.content.decode()


def test_page_and_api_say_when_a_kind_has_more_than_the_cap(
    jurisdictions_loaded: None, make_staff: Callable[..., User], monkeypatch: pytest.MonkeyPatch
) -> None:
    from minwon.portal import queries

    monkeypatch.setattr(queries, "CAP", 2)
    queries._compiled.cache_clear()
    try:
        for n in range(4):
            register(f"한서{n}")
        client = client_for(make_staff("officer", WONJU))
        html = client.post("/staff/search/", {"q": "한서"}).content.decode()
        assert "2건 이상" in html and "생년월일, 주소나 접수번호를 더해" in html
        body = client.get("/api/search", {"q": "한서"}).json()
        person = next(g for g in body["groups"] if g["kind"] == "person")
        assert (person["count"], person["more"], body["more"]) == (2, True, True)
        one = client.get("/api/search", {"q": "한서0"}).json()
        assert (
            not one["more"]
            and "2건 이상" not in client.post("/staff/search/", {"q": "한서0"}).content.decode()
        )
    finally:
        queries._compiled.cache_clear()
