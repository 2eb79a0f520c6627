"""결재: a decision on a type with a 결재선 is a draft until the department head signs it;
only then is the applicant told. 반려 sends it back; 대결 signs for an absent approver; the
drafter never approves their own draft; the deadline keeps running."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from minwon.accounts.actors import staff_display_name
from minwon.accounts.models import User
from minwon.kernel import clock
from minwon.kernel.errors import Conflict, Forbidden, ValidationFailed
from minwon.notices.models import InboxMessage
from minwon.petitions.commands import ApplicationItem
from minwon.petitions.models import Petition, PetitionStep

from .conftest import actor, at

pytestmark = pytest.mark.django_db
PERMIT = "DEVELOPMENT_PERMIT"  # 개발행위허가: 결재선 부서장


@pytest.fixture
def head(make_staff: Callable[..., User]) -> User:
    return make_staff("department_head", "5113000000")


def _in_review(apply: Any, act: Any, officer: User, code: str = PERMIT) -> str:
    docs = ["사업계획서"] if code == PERMIT else []
    number = str(apply(ApplicationItem(type_code=code, documents=docs))["receipt_number"])
    act(officer, "assign", number, officer_id=officer.pk, when="2026-03-09T11:00")
    act(officer, "start-review", number, when="2026-03-09T13:00")
    return number


def _told(citizen: User) -> int:
    return InboxMessage.objects.filter(
        recipient_index=citizen.identity_index, notice__kind="petition_result"
    ).count()


def test_the_decision_waits_for_the_heads_approval(
    apply: Any, act: Any, officer: User, head: User, citizen: User
) -> None:
    number = _in_review(apply, act, officer)
    drafted = act(officer, "decide", number, outcome="approved", when="2026-03-10T10:00")
    assert drafted["state"] == "awaiting_approval" and drafted["awaiting_approval"]
    assert _told(citizen) == 0
    petition = Petition.objects.get(application__receipt_number=number)
    assert petition.is_open and petition.decided_at is None
    with pytest.raises(Forbidden) as own:
        act(officer, "approve", number)
    assert own.value.code in ("own_draft", "permission_denied")
    done = act(head, "approve", number, reason="검토 의견 동의", when="2026-03-10T15:00")
    assert done["state"] == "decided"
    assert _told(citizen) == 1
    petition.refresh_from_db()
    assert petition.outcome == "approved" and petition.approvals[0]["by"] == head.pk
    actions = list(PetitionStep.objects.filter(petition=petition).values_list("action", flat=True))
    assert actions[-3:] == ["draft", "approve", "decide"]


def test_a_type_without_a_line_is_decided_by_the_officer_alone(
    apply: Any, act: Any, officer: User, citizen: User
) -> None:
    number = _in_review(apply, act, officer, code="GRIEVANCE")
    assert act(officer, "decide", number, outcome="approved")["state"] == "decided"
    assert _told(citizen) == 1


def test_return_sends_the_draft_back_and_voids_it(
    apply: Any, act: Any, officer: User, head: User, citizen: User
) -> None:
    number = _in_review(apply, act, officer)
    act(officer, "decide", number, outcome="approved")
    with pytest.raises(ValidationFailed):
        act(head, "return-draft", number)
    back = act(head, "return-draft", number, reason="면적 산정 근거 보완")
    assert back["state"] == "in_review"
    with pytest.raises(Conflict):
        act(head, "approve", number)
    act(officer, "decide", number, outcome="rejected", reason="경사도 기준 초과")
    assert act(head, "approve", number)["state"] == "decided"
    petition = Petition.objects.get(application__receipt_number=number)
    assert petition.outcome == "rejected" and petition.remedies
    assert _told(citizen) == 1


def test_only_an_approver_in_scope_signs_and_acting_needs_a_reason(
    apply: Any, act: Any, officer: User, head: User, make_staff: Callable[..., User]
) -> None:
    number = _in_review(apply, act, officer)
    act(officer, "decide", number, outcome="approved")
    with pytest.raises(Forbidden):
        act(make_staff("counter_clerk", "5113000000"), "approve", number)
    with pytest.raises(Forbidden):
        act(make_staff("department_head", "4415000000"), "approve", number)
    admin = make_staff("sysadmin", "0000000000")
    with pytest.raises(Forbidden) as not_role:
        act(admin, "approve", number)
    assert not_role.value.code == "not_the_approver"
    with pytest.raises(ValidationFailed):
        act(admin, "approve", number, acting_for=head.pk)
    signed = act(admin, "approve", number, acting_for=head.pk, reason="부서장 출장(대결)")
    assert signed["state"] == "decided"
    entry = Petition.objects.get(application__receipt_number=number).approvals[0]
    assert entry["acting_for"]["id"] == head.pk and entry["by"] == actor(admin).id


def test_the_deadline_runs_during_approval(apply: Any, act: Any, officer: User, head: User) -> None:
    number = _in_review(apply, act, officer)
    before = Petition.objects.get(application__receipt_number=number).deadline_at
    act(officer, "decide", number, outcome="approved")
    after = Petition.objects.get(application__receipt_number=number).deadline_at
    assert after == before


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_heads_page_lists_drafts_by_deadline_and_approves(
    apply: Any, act: Any, officer: User, head: User, citizen: User, clerk: User
) -> None:
    late = _in_review(apply, act, officer)
    act(officer, "decide", late, outcome="approved")
    page = _client(head).get("/staff/petitions/approvals/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"{late}-1" in html and "인용(처리)" in html
    # One menu item is the current page: 결재함, not also 민원 처리함 whose URL it lies under.
    current = re.findall(r'<a class="site-nav-link is-active" href="([^"]+)"', html)
    assert current == ["/staff/petitions/approvals/"]
    # The drafter is named as on the timeline (name, 부서 and 직무), never by login name.
    assert f"<dd>{staff_display_name(officer.pk)}</dd>" in html
    assert f"<dd>{officer.username}</dd>" not in html
    assert 'href="/staff/petitions/"' in html
    assert _client(clerk).get("/staff/petitions/approvals/").status_code == 403
    assert _client(officer).get("/staff/petitions/approvals/").status_code == 403
    with clock.frozen_at(at("2026-03-10T16:00")):
        done = _client(head).post(
            "/staff/petitions/approvals/",
            {"receipt_number": late, "item": "1", "action": "approve", "reason": ""},
        )
    assert done.status_code == 302
    assert Petition.objects.get(application__receipt_number=late).state == "decided"
    assert _told(citizen) == 1
    # A receipt the head may not see answers like an absent one, and changes nothing.
    gone = _client(head).post(
        "/staff/petitions/approvals/", {"receipt_number": "NOPE", "item": "1", "action": "approve"}
    )
    assert gone.status_code == 404


def test_the_heads_landing_page_lists_the_drafts(
    apply: Any, act: Any, officer: User, head: User
) -> None:
    number = _in_review(apply, act, officer)
    act(officer, "decide", number, outcome="approved")
    html = _client(head).get("/staff/").content.decode()
    assert "결재 대기" in html and f"{number}-1" in html
    assert "결재 대기" not in _client(officer).get("/staff/").content.decode()
