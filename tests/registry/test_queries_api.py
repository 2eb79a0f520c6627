"""Reads: scope, the access log on every read of a person, masked RRNs, and the API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from minwon.kernel.errors import Forbidden, NotFound, ValidationFailed
from minwon.kernel.models import AccessLog
from minwon.registry import queries
from minwon.registry.models import Person
from tests.conftest import actor_of
from tests.registry.factories import MUSIL, SINGWAN, new_rrn, register, today, vehicle

pytestmark = pytest.mark.django_db


def _logged(person: Person, what: str = "") -> int:
    qs = AccessLog.objects.filter(subject_type="person", subject_id=str(person.pk))
    return qs.filter(what=what).count() if what else qs.count()


def test_every_staff_read_of_a_person_is_logged(
    jurisdictions_loaded: None, make_staff: Any
) -> None:
    number = new_rrn("850515", "2")
    person = register("이서연", number=number)
    household = queries.household_of(person)
    assert household is not None
    spouse = register("김남편", household_id=household.pk, relationship="spouse")
    clerk = actor_of(make_staff("counter_clerk", "5113000000"))

    found = queries.search_persons(clerk, purpose="전입 상담", name="이서연")
    assert [p.pk for p in found] == [person.pk]
    assert _logged(person, "search") == 1
    by_rrn = queries.search_persons(clerk, purpose="전입 상담", rrn_text=number)
    assert [p.pk for p in by_rrn] == [person.pk]
    # Part of a name: two syllables alone, one with the birth date (issue 16: "김" found nothing).
    assert [p.pk for p in queries.search_persons(clerk, purpose="상담", name="서연")] == [person.pk]
    born = person.birth_date
    assert [p.pk for p in queries.search_persons(clerk, purpose="상담", name="김",
                                                 birth_date=born)] == []  # fmt: skip
    assert spouse.pk in [p.pk for p in queries.search_persons(clerk, purpose="상담", name="남편")]
    with pytest.raises(ValidationFailed) as one:
        queries.search_persons(clerk, purpose="상담", name="이")
    assert one.value.field == "birth_date"
    queries.person_detail(clerk, person.pk, purpose="주소 확인")
    assert _logged(person, "detail") == 1
    queries.household_detail(clerk, household.pk, purpose="세대 확인")
    assert _logged(person, "household") == 1 and _logged(spouse, "household") == 1
    row = AccessLog.objects.filter(what="detail").get()
    assert row.actor == str(clerk) and row.purpose == "주소 확인"
    assert number not in json.dumps(list(AccessLog.objects.values_list("what", "purpose")))


def test_reveal_needs_role_and_purpose_and_is_logged(
    jurisdictions_loaded: None, make_staff: Any
) -> None:
    number = new_rrn()
    person = register(number=number)
    clerk = actor_of(make_staff("counter_clerk", "5113000000"))
    officer = actor_of(make_staff("officer", "5113000000"))
    assert queries.masked_rrn(person) == rrn_mask(number)
    with pytest.raises(ValidationFailed):
        queries.reveal_rrn(clerk, person, purpose=" ")
    with pytest.raises(Forbidden):
        queries.reveal_rrn(officer, person, purpose="확인")
    assert queries.reveal_rrn(clerk, person, purpose="본인 확인") == f"{number[:6]}-{number[6:]}"
    assert _logged(person, "reveal_rrn") == 1


def rrn_mask(number: str) -> str:
    return f"{number[:6]}-{number[6]}******"


def test_scope_hides_other_cities_but_move_in_lookup_is_national(
    jurisdictions_loaded: None, make_staff: Any
) -> None:
    number = new_rrn()
    gongju = register("공주사람", number=number, code=SINGWAN, address="충청남도 공주시 신관로 1")
    clerk = actor_of(make_staff("counter_clerk", "5113000000"))
    assert queries.search_persons(clerk, purpose="조회", name="공주사람") == []
    with pytest.raises(NotFound):
        queries.person_detail(clerk, gongju.pk, purpose="조회")
    assert queries.person_for_move_in(clerk, number).pk == gongju.pk
    assert _logged(gongju, "move_in_lookup") == 1
    auditor = actor_of(make_staff("auditor", "5113000000"))
    with pytest.raises(Forbidden):
        queries.person_for_move_in(auditor, number)


def test_api_search_by_number_posts_it_and_refuses_it_in_the_url(
    jurisdictions_loaded: None, make_staff: Any
) -> None:
    number = new_rrn("850515", "2")
    person = register("이서연", number=number)
    client = Client()
    client.force_login(make_staff("counter_clerk", "5113000000"))
    found = client.post("/api/persons/search", {"rrn": number, "purpose": "상담"},
                        content_type="application/json")  # fmt: skip
    assert found.status_code == 200 and [p["id"] for p in found.json()] == [person.pk]
    assert number not in found.content.decode()
    schema = client.get("/api/openapi.json").json()
    names = {p["name"] for p in schema["paths"]["/api/persons"]["get"]["parameters"]}
    assert names == {"purpose", "name"}  # nothing personal is offered in the URL


@pytest.mark.personal_url_probe
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"rrn": "{number}"}, "rrn"),
        ({"name": "이서연", "birth_date": "1985-05-15"}, "birth_date"),
        ({"name": "{number}"}, "name"),  # a number is a number, whatever the field's name
    ],
)
def test_api_search_with_a_number_or_birth_date_in_the_url_is_400_and_untried(
    jurisdictions_loaded: None, make_staff: Any, query: dict[str, str], field: str
) -> None:
    number = new_rrn("850515", "2")
    register("이서연", number=number)
    client = Client()
    client.force_login(make_staff("counter_clerk", "5113000000"))
    logged = AccessLog.objects.count()
    params = {k: v.replace("{number}", number) for k, v in query.items()}
    response = client.get("/api/persons", {**params, "purpose": "상담"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "personal_data_in_url" and body["field"] == field
    assert "주소(URL)에 넣을 수 없습니다" in body["message"] and "URL" in body["message_en"]
    assert number not in response.content.decode()
    assert AccessLog.objects.count() == logged


def test_api_person_household_and_move_in(jurisdictions_loaded: None, make_staff: Any) -> None:
    person = register("박지훈")
    car = vehicle(person)
    client = Client()
    client.force_login(make_staff("counter_clerk", "5113000000"))

    missing_purpose = client.get("/api/persons", {"name": "박지훈"})
    assert missing_purpose.status_code == 400
    listed = client.get("/api/persons", {"name": "박지훈", "purpose": "상담"})
    assert listed.status_code == 200
    body = listed.json()
    assert body[0]["id"] == person.pk and body[0]["rrn_masked"].endswith("******")
    posted = client.post(
        "/api/persons/search",
        {"name": "박지훈", "birth_date": person.birth_date.isoformat(), "purpose": "상담"},
        content_type="application/json",
    )
    assert posted.status_code == 200 and [p["id"] for p in posted.json()] == [person.pk]
    detail = client.get(f"/api/persons/{person.pk}", {"purpose": "상담"}).json()
    assert len(detail["addresses"]) == 1
    household = client.get(f"/api/households/{detail['household_id']}", {"purpose": "상담"})
    assert household.json()["members"][0]["relationship_label"] == "세대주"

    payload = {
        "movers": [{"person_id": person.pk, "relationship": "head"}],
        "road_address": "강원특별자치도 원주시 무실로 55",
        "address_code": MUSIL,
        "moved_in_on": today().isoformat(),
    }
    bad = client.post(
        "/api/move-ins", {**payload, "address_code": "0000000001"}, content_type="application/json"
    )
    assert bad.status_code == 400 and bad.json()["field"] == "address_code"
    ok = client.post(
        "/api/move-ins", payload, content_type="application/json", HTTP_IDEMPOTENCY_KEY="m-1"
    )
    assert ok.status_code == 200, ok.content
    again = client.post(
        "/api/move-ins", payload, content_type="application/json", HTTP_IDEMPOTENCY_KEY="m-1"
    )
    assert again.json() == ok.json()
    vehicles = client.get("/api/vehicles", {"owner_id": person.pk, "purpose": "확인"}).json()
    assert vehicles[0]["base_address"] == "강원특별자치도 원주시 무실로 55"
    one = client.get(f"/api/vehicles/{car}", {"purpose": "확인"}).json()
    assert len(one["base_address_changes"]) == 1
    assert client.get("/api/persons/999999", {"purpose": "x"}).status_code == 404
    assert client.get("/api/tax-bills", {"purpose": "x"}).status_code == 200
    assert client.get("/api/parcels", {"purpose": "x"}).status_code == 200
    assert client.get("/api/permits", {"purpose": "x"}).status_code == 200
