"""Browser: 결재. An officer decides a 개발행위허가 (a type whose 결재선 is the 부서장); the
decision waits in the 과장's 결재함 and the applicant hears nothing; the 과장 signs it on
the page, and only then does the result reach the applicant's inbox. The 결재함's controls
have real boxes and Tab reaches them; each step is saved as a screenshot."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from minwon.accounts.models import User
from minwon.kernel import execute
from minwon.kernel.types import Actor, ActorKind, Channel
from minwon.notices.models import InboxMessage
from minwon.petitions import catalog
from minwon.petitions.commands import ApplicationItem, LoadPetitionCatalog, SubmitApplication
from minwon.petitions.commands.workflow import ACTIONS
from minwon.petitions.models import Petition
from tests.conftest import PASSWORD
from tests.e2e.conftest import axe_violations, log_in
from tests.e2e.controls import control_problems, screenshot, unreachable_by_keyboard

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WONJU = "5113000000"


def _as(user: User) -> Actor:
    kind = ActorKind.STAFF if user.kind == "staff" else ActorKind.CITIZEN
    return Actor(kind, user.pk, user.username)


def _check(page: Any, name: str) -> None:
    page.wait_for_load_state("networkidle")
    screenshot(page, name)
    assert axe_violations(page) == [], page.url
    assert control_problems(page) == [], page.url
    assert unreachable_by_keyboard(page) == [], page.url


def _results(citizen: User) -> int:
    return InboxMessage.objects.filter(
        recipient_index=citizen.identity_index, notice__kind="petition_result"
    ).count()


def test_a_permit_decision_reaches_the_applicant_only_after_approval(
    page: Any, browser: Any, live_server: Any, jurisdictions_loaded: None,
    make_citizen: Callable[..., User], make_staff: Callable[..., User],
) -> None:  # fmt: skip
    data = catalog.read()
    execute(
        LoadPetitionCatalog(
            actor=Actor.system("test"), channel=Channel.SYSTEM, jurisdiction="0000000000",
            version="t", types=data["types"],
        )
    )  # fmt: skip
    citizen = make_citizen(name="김신청")
    officer = make_staff("officer", WONJU)
    head = make_staff("department_head", WONJU)
    number = execute(
        SubmitApplication(
            actor=_as(citizen), channel=Channel.ONLINE, jurisdiction=WONJU,
            items=[ApplicationItem(type_code="DEVELOPMENT_PERMIT", documents=["사업계획서"])],
        )
    ).value["receipt_number"]  # fmt: skip
    for action, fields in (("assign", {"officer_id": officer.pk}), ("start-review", {})):
        execute(
            ACTIONS[action](
                actor=_as(officer), channel=Channel.ONLINE, jurisdiction=WONJU,
                receipt_number=number, item=1, **fields,
            )
        )  # fmt: skip

    log_in(page, officer.username, PASSWORD)
    page.goto(f"/staff/petitions/{number}/1/")
    form = page.locator("form.petition-action", has_text="처리 결과 결정")
    form.get_by_label("결과").select_option("approved")
    form.get_by_label("사유").fill("개발행위허가 기준 충족")
    screenshot(page, "approval-01-officer-decides")
    form.get_by_role("button").click()
    page.wait_for_load_state()
    petition = Petition.objects.get(application__receipt_number=number)
    assert petition.is_open and petition.decided_at is None
    assert _results(citizen) == 0
    # The officer's own decision does not show in any 결재함 they could sign.
    assert page.goto("/staff/petitions/approvals/").status == 403

    desk = browser.new_context(locale="ko-KR", base_url=live_server.url).new_page()
    log_in(desk, head.username, PASSWORD)
    desk.goto("/staff/petitions/approvals/")
    section = desk.locator("section.approval", has_text=f"{number}-1")
    assert "인용" in section.get_by_test_id("draft-outcome").inner_text()
    _check(desk, "approval-02-head-queue")
    section.get_by_label("의견 (반려할 때는 필수)").fill("검토 의견에 동의합니다")
    section.get_by_role("button", name="결재").click()
    desk.wait_for_selector("text=결재했습니다.")
    _check(desk, "approval-03-head-approved")
    assert "결재할 문서가 없습니다" in desk.locator("main").inner_text()
    desk.context.close()

    petition.refresh_from_db()
    assert petition.outcome == "approved" and petition.decided_at is not None
    assert _results(citizen) == 1
    applicant = browser.new_context(locale="ko-KR", base_url=live_server.url).new_page()
    log_in(applicant, citizen.username, PASSWORD)
    applicant.goto("/inbox/")
    subject = InboxMessage.objects.get(
        recipient_index=citizen.identity_index, notice__kind="petition_result"
    ).subject
    assert subject in applicant.locator("main").inner_text()
    screenshot(applicant, "approval-04-applicant-inbox")
    applicant.context.close()
