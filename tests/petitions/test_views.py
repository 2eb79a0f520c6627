"""Pages: the citizen's form, the public tracking page, the officer's queue scoped to their
jurisdiction with overdue rows marked, the head's load view, counter intake and receipt."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from minwon.accounts.models import User
from minwon.kernel import clock
from minwon.petitions import receipts
from minwon.petitions.models import Application, Petition

from .conftest import WONJU, at

pytestmark = pytest.mark.django_db
Apply = Callable[..., dict[str, Any]]


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_citizen_applies_for_two_types_on_one_form(citizen: User) -> None:
    client = logged_in(citizen)
    assert client.get("/petitions/apply/").status_code == 200
    response = client.post("/petitions/apply/", {
        "jurisdiction": WONJU, "type": ["GRIEVANCE", "INFO_DISCLOSURE"], "content": "도로 파손",
    })  # fmt: skip
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.items.count() == 2
    page = client.get(response["Location"]).content.decode()
    assert (
        application.receipt_number in page and receipts.pin_for(application.receipt_number) in page
    )


def test_refused_form_shows_the_field_and_stores_nothing(citizen: User) -> None:
    response = logged_in(citizen).post(
        "/petitions/apply/", {"jurisdiction": WONJU, "type": ["RESTAURANT_REPORT"]}, follow=True
    )
    assert "제출해야 할 서류" in response.content.decode()
    assert not Application.objects.exists()


def test_tracking_page(apply: Apply) -> None:
    number = apply("GRIEVANCE")["receipt_number"]
    page = Client().get("/track/", {"receipt_number": number, "pin": receipts.pin_for(number)})
    assert "접수" in page.content.decode() and "민원여권과" in page.content.decode()
    wrong = Client().get("/track/", {"receipt_number": number, "pin": "000000"}).content.decode()
    assert "일치하는 민원이 없습니다" in wrong


def test_queue_is_scoped_and_marks_overdue(
    apply: Apply, officer: User, make_staff: Callable[..., User], clerk: User
) -> None:
    wonju = apply("GRIEVANCE", when="2026-03-02T10:00")["receipt_number"]
    jeonju = apply("GRIEVANCE", jurisdiction="5211000000")["receipt_number"]
    with clock.frozen_at(at("2026-03-20T10:00")):
        page = logged_in(officer).get("/staff/petitions/").content.decode()
    assert wonju in page and jeonju not in page
    assert 'class="overdue"' in page
    other = logged_in(make_staff("officer", "5211000000")).get("/staff/petitions/").content.decode()
    assert jeonju in other and wonju not in other
    assert logged_in(officer).get(f"/staff/petitions/{jeonju}/1/").status_code == 404


def test_officer_acts_from_the_petition_page(apply: Apply, officer: User) -> None:
    number = apply("GRIEVANCE")["receipt_number"]
    client = logged_in(officer)
    assert "검토 시작" in client.get(f"/staff/petitions/{number}/1/").content.decode()
    client.post(f"/staff/petitions/{number}/1/start-review/")
    response = client.post(
        f"/staff/petitions/{number}/1/decide/", {"outcome": "rejected"}, follow=True
    )
    assert "사유를 입력하세요" in response.content.decode()
    client.post(f"/staff/petitions/{number}/1/decide/", {"outcome": "approved"})
    assert Petition.objects.get().state == "decided"


def test_head_sees_the_load(apply: Apply, make_staff: Callable[..., User]) -> None:
    apply("GRIEVANCE", when="2026-03-02T10:00")
    head = make_staff("department_head", WONJU)
    with clock.frozen_at(at("2026-03-20T10:00")):
        page = logged_in(head).get("/staff/petitions/load/").content.decode()
    assert "민원여권과" in page and "overdue" in page


def test_counter_intake_prints_a_receipt(clerk: User, catalog_loaded: None) -> None:
    client = logged_in(clerk)
    response = client.post("/staff/petitions/intake/", {
        "channel": "counter", "applicant_name": "박지훈", "applicant_birth": "1990-01-03",
        "type": ["SEAL_CERT"], "doc:SEAL_CERT": ["신분증"],
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[-2000:]
    page = client.get(response["Location"]).content.decode()
    number = Application.objects.get().receipt_number
    assert number in page and receipts.pin_for(number) in page and "인감증명서" in page


def test_citizen_cannot_open_staff_pages(citizen: User) -> None:
    assert logged_in(citizen).get("/staff/petitions/").status_code == 403
