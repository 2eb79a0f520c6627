"""The words officers and applicants read: working time to a deadline as "2일 1시간 경과"
(never "-17.0"), Korean step names and the acting person's name, 부서 and 직무 on the
staff timeline, extension periods typed as the law writes them ("5일", "1일 4시간"), and
the receiving office's name and telephone on the 접수증."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from minwon.accounts.commands import CreateStaffAccount, GrantRole
from minwon.accounts.models import User
from minwon.kernel import clock, execute, offices
from minwon.kernel.types import Actor, Channel
from minwon.petitions import deadlines
from minwon.petitions.deadlines import Period
from minwon.petitions.models import Petition
from tests.conftest import password_hash

from .conftest import WONJU, at

Apply = Callable[..., dict[str, Any]]
SYSTEM = Actor.system("test")
# GRIEVANCE (7일) received on Monday 2026-03-09 10:00 is due Tuesday 03-17 18:00.
RECEIVED = "2026-03-09T10:00"
BEFORE = "2026-03-16T15:00"  # 3 h that day + 8 h on the 17th: 1일 3시간 남음
AFTER = "2026-03-20T10:00"  # 8 h on the 18th + 8 h on the 19th + 1 h: 2일 1시간 경과


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("5일", Period(5, "days")),
        ("３시간", Period(3, "hours")),
        ("1일 4시간", Period(12, "hours")),
        ("４시간 1일", Period(12, "hours")),
        ("2주", Period(2, "weeks")),
        ("1개월", Period(1, "months")),
        (" 10 일 ", Period(10, "days")),
        ("5d", Period(5, "days")),
    ],
)
def test_extension_periods_as_the_law_writes_them(text: str, period: Period) -> None:
    assert deadlines.parse_extension(text) == period


@pytest.mark.parametrize(
    "text", ["", "닷새", "5", "5 days", "0일", "1일 1일", "1주 3시간", "5일쯤", "-5일", "٥일"]
)
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="bad extension period"):
        deadlines.parse_extension(text)


def _text(client: Client, url: str) -> str:
    html = client.get(url).content.decode()
    return " ".join(re.sub(r"<[^>]+>", " ", html.split("<main", 1)[-1]).split())


def _staff(username: str, name: str, role: str, department: str) -> User:
    made = execute(CreateStaffAccount(actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=WONJU,
                                      username=username, display_name=name,
                                      password_hash=password_hash()))  # fmt: skip
    user_id = made.value["user_id"]
    execute(GrantRole(actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=WONJU,
                      user_id=user_id, role=role, department=department))  # fmt: skip
    return User.objects.get(pk=user_id)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_queues_write_working_time_left_in_words(apply: Apply, officer: User) -> None:
    number = apply("GRIEVANCE", when=RECEIVED)["receipt_number"]
    head = _staff("wonju-head-x", "최윤희", "department_head", "민원여권과")
    client = _client(officer)
    with clock.frozen_at(at(BEFORE)):
        queue = _text(client, "/staff/petitions/")
        detail = _text(client, f"/staff/petitions/{number}/1/")
        home = _text(client, "/staff/")
    for page in (queue, detail, home):
        assert "1일 3시간 남음" in page, page
    with clock.frozen_at(at(AFTER)):
        queue = _text(client, "/staff/petitions/")
        detail = _text(client, f"/staff/petitions/{number}/1/")
        load = _text(_client(head), "/staff/petitions/load/")
    for page in (queue, detail, load):
        assert "2일 1시간 경과" in page, page
        assert "-17.0" not in page and not re.search(r"\s-\d", page), (
            page
        )  # once "-17.0" (random receipt numbers may hold "-17")


@pytest.mark.django_db
def test_tracking_page_says_how_long_is_left(apply: Apply) -> None:
    from minwon.petitions import receipts

    number = apply("GRIEVANCE", when=RECEIVED)["receipt_number"]
    with clock.frozen_at(at(BEFORE)):
        page = Client().post("/track/", {"receipt_number": number, "pin": receipts.pin_for(number)})
    assert '<span class="time-left">(1일 3시간 남음)</span>' in page.content.decode()


@pytest.mark.django_db
def test_timeline_names_steps_and_people_not_codes_or_logins(apply: Apply) -> None:
    number = apply("GRIEVANCE", when=RECEIVED)["receipt_number"]
    officer = _staff("wonju-officer-x", "정우성", "officer", "민원여권과")
    client = _client(officer)
    with clock.frozen_at(at("2026-03-10T10:00")):
        client.post(f"/staff/petitions/{number}/1/assign/", {"department": "민원여권과"})
        client.post(f"/staff/petitions/{number}/1/start-review/")
        text = _text(client, f"/staff/petitions/{number}/1/")
    timeline = text.split("처리 과정", 1)[1]
    assert "접수 민원인" in timeline  # the online applicant, not their login
    assert "배정 정우성 (민원여권과 처리 담당)" in timeline
    assert "검토 시작 정우성 (민원여권과 처리 담당)" in timeline
    for raw in ("received", "assign", "start_review", "wonju-officer-x", "staff:"):
        assert raw not in timeline, raw


@pytest.mark.django_db
def test_extension_typed_as_the_law_writes_it(apply: Apply) -> None:
    number = apply("GRIEVANCE", when=RECEIVED)["receipt_number"]
    officer = _staff("wonju-officer-y", "윤태호", "officer", "민원여권과")
    client = _client(officer)
    url = f"/staff/petitions/{number}/1"
    with clock.frozen_at(at("2026-03-10T10:00")):
        client.post(f"{url}/assign/", {"department": "민원여권과"})
        page = client.get(f"{url}/").content.decode()
        assert "예: 5일, 3시간, 1일 4시간" in page
        for bad in ("5d days", "닷새", "5"):
            before = Petition.objects.get()
            response = client.post(
                f"{url}/extend/", {"period": bad, "reason": "현장 확인"}, follow=True
            )
            shown = [str(m) for m in response.context["messages"]]
            assert shown == [
                "연장 기간을 알아볼 수 없습니다. '5일', '3시간', '1일 4시간', '2주', '1개월'처럼 "
                "쓰세요."
            ], shown
            after = Petition.objects.get()
            assert (after.extensions, after.deadline_at) == (before.extensions, before.deadline_at)
        client.post(f"{url}/extend/", {"period": "５일", "reason": "현장 확인"})
        client.post(f"{url}/extend/", {"period": "1일 4시간", "reason": "추가 자료 검토",
                                       "applicant_consent": "on"})  # fmt: skip
    petition = Petition.objects.get()
    assert [e["period"] for e in petition.extensions] == ["5d", "12h"]
    # 03-17 18:00 + 5 working days (counted from the next day) + 12 working hours.
    assert petition.deadline_at == at("2026-03-26T14:00")  # lunch 12–13 not counted
    with clock.frozen_at(at("2026-03-10T11:00")):
        text = _text(client, f"{url}/")
    assert "처리기간 연장 윤태호 (민원여권과 처리 담당)" in text
    notes = [s.public_note for s in petition.steps.filter(action="extend").order_by("id")]
    assert notes[0].startswith("처리기간 5일 연장: 현장 확인")
    assert notes[1].startswith("처리기간 1일 4시간 연장: 추가 자료 검토"), notes


@pytest.mark.django_db
def test_the_api_takes_the_same_words(apply: Apply, officer: User) -> None:
    number = apply("GRIEVANCE", when=RECEIVED)["receipt_number"]
    client = _client(officer)
    api = f"/api/petitions/{number}"
    with clock.frozen_at(at("2026-03-10T10:00")):
        client.post(f"{api}/start-review", {}, content_type="application/json")
        missing = client.post(f"{api}/extend", {"reason": "현장 확인"},
                              content_type="application/json")  # fmt: skip
        bad = client.post(f"{api}/extend", {"period": "닷새", "reason": "현장 확인"},
                          content_type="application/json")  # fmt: skip
        good = client.post(f"{api}/extend", {"period": "3시간", "reason": "현장 확인"},
                           content_type="application/json")  # fmt: skip
    assert missing.status_code == 400 and missing.json()["field"] == "period"
    assert missing.json()["message"] == "연장 기간을(를) 입력하세요."
    assert missing.json()["message_en"] == "Extension period is required."
    assert bad.status_code == 400 and bad.json()["field"] == "period"
    assert good.status_code == 200
    assert good.json()["deadline_at"].startswith("2026-03-18T12:00")  # 03-17 18:00 + 3 h


@pytest.mark.django_db
def test_the_receipt_names_the_receiving_office_and_its_telephone(
    clerk: User, catalog_loaded: None
) -> None:
    from minwon.petitions.models import Application

    client = _client(clerk)
    response = client.post("/staff/petitions/intake/", {
        "channel": "counter", "applicant_name": "박지훈", "applicant_birth": "1990-01-03",
        "type": ["SEAL_CERT"], "doc:SEAL_CERT": ["신분증"],
    })  # fmt: skip
    assert response.status_code == 302
    text = _text(client, response["Location"])
    assert "접수 기관 원주시청 종합민원실" in text
    assert "문의 전화 033-737-2114" in text
    assert Application.objects.get().jurisdiction_id == WONJU


@pytest.mark.django_db
def test_the_citizens_own_receipt_names_the_office(apply: Apply, citizen: User) -> None:
    number = apply("GRIEVANCE", when=RECEIVED)["receipt_number"]
    text = _text(_client(citizen), f"/petitions/mine/{number}/")
    assert "원주시청 종합민원실" in text and "033-737-2114" in text


@pytest.mark.django_db
def test_an_office_without_an_entry_gives_its_name_and_the_national_line(
    jurisdictions_loaded: None,
) -> None:
    jongno = offices.contact("1111000000")
    assert (jongno.name, jongno.telephone, jongno.national_line) == (
        "서울특별시 종로구",
        "110",
        True,
    )
    # A 읍·면·동 of a listed 시 answers with its 시's office.
    dong = next(c for c in _codes_under(WONJU) if c != WONJU)
    assert offices.contact(dong).telephone == "033-737-2114"


def _codes_under(code: str) -> list[str]:
    from minwon.kernel.models import Jurisdiction

    return list(Jurisdiction.objects.filter(path__contains=code).values_list("code", flat=True)[:5])
