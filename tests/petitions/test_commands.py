"""Intake and workflow through the commands: every path, every refused transition, the
unified application, automatic decisions, bad input that changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from minwon.accounts.models import User
from minwon.kernel import clock, rrn
from minwon.kernel.errors import Conflict, Forbidden, ValidationFailed
from minwon.kernel.types import Actor, ActorKind, Channel
from minwon.notices.models import InboxMessage, Notice
from minwon.petitions import receipts
from minwon.petitions.commands import ApplicationItem
from minwon.petitions.models import Application, Petition, PetitionStep, PetitionType

from .conftest import actor, at

pytestmark = pytest.mark.django_db

Apply = Callable[..., dict[str, Any]]
Act = Callable[..., dict[str, Any]]
SIGN_DOCS = ["광고물 원색 도안", "건물주 승낙서"]


def test_catalog_has_the_real_types(catalog_loaded: None) -> None:
    assert PetitionType.objects.filter(active=True).count() >= 30
    info = PetitionType.objects.get(pk="INFO_DISCLOSURE")
    assert info.period == "10d" and "정보공개" in info.legal_basis
    assert PetitionType.objects.get(pk="MOVE_IN_REPORT").period == "즉시"
    restaurant = PetitionType.objects.get(pk="RESTAURANT_REPORT")
    assert {"lookup", "applicant"} <= {d["source"] for d in restaurant.documents}


def test_online_application_gets_receipt_deadline_and_notice(apply: Apply, citizen: User) -> None:
    result = apply("INFO_DISCLOSURE")
    number = result["receipt_number"]
    assert receipts.is_well_formed(number) and number.startswith("51130-260309-")
    petition = Petition.objects.get(application__receipt_number=number)
    assert petition.deadline_at == at("2026-03-20T18:00")  # 10 days, first day included
    assert petition.state == "received" and petition.department == "총무과"
    assert InboxMessage.objects.filter(recipient_index=citizen.identity_index).count() == 1


def test_receipt_numbers_are_random_not_sequential(apply: Apply) -> None:
    numbers = [apply("GRIEVANCE")["receipt_number"] for _ in range(5)]
    assert len(set(numbers)) == 5
    randoms = sorted(n.split("-")[2] for n in numbers)
    assert randoms != [n.split("-")[2] for n in numbers] or len(set(randoms)) == 5


def test_unified_application_one_receipt_several_departments(apply: Apply) -> None:
    result = apply(
        ApplicationItem(type_code="RESTAURANT_REPORT", documents=["위생교육 수료증"]),
        ApplicationItem(type_code="SIGN_DECLARATION", documents=SIGN_DOCS,
                        form={"area_m2": 8, "height_m": 4, "zone": "일반상업지역"}),
        "INFO_DISCLOSURE",
    )  # fmt: skip
    assert Application.objects.count() == 1
    departments = [p["department"] for p in result["petitions"]]
    assert departments == ["위생과", "도시디자인과", "총무과"]
    assert [p["number"][-2:] for p in result["petitions"]] == ["-1", "-2", "-3"]


def test_automatic_decision_records_the_rule_version(apply: Apply) -> None:
    result = apply(
        ApplicationItem(type_code="SIGN_DECLARATION", documents=SIGN_DOCS,
                        form={"area_m2": 3.5, "height_m": 4, "zone": "일반상업지역"})
    )  # fmt: skip
    petition = Petition.objects.get(application__receipt_number=result["receipt_number"])
    assert petition.state == "decided" and petition.outcome == "approved"
    assert petition.decided_by_rule == "sign_declaration@2026.1"
    assert petition.steps.filter(action="decided_by_rule").exists()


def test_rule_declines_in_a_protected_zone(apply: Apply) -> None:
    result = apply(
        ApplicationItem(type_code="SIGN_DECLARATION", documents=SIGN_DOCS,
                        form={"area_m2": 3, "height_m": 4, "zone": "문화재보호구역"})
    )  # fmt: skip
    assert result["petitions"][0]["state"] == "received"


@pytest.mark.parametrize(
    ("item", "channel", "field", "code"),
    [
        (ApplicationItem(type_code="NO_SUCH_TYPE"), Channel.ONLINE, "items[0].type_code", "unknown_type"),
        (ApplicationItem(type_code="SEAL_CERT", documents=["신분증"]), Channel.ONLINE, "channel", "channel_not_allowed"),
        (ApplicationItem(type_code="RESTAURANT_REPORT"), Channel.ONLINE, "items[0].documents", "missing_document"),
        (ApplicationItem(type_code="SIGN_DECLARATION", documents=SIGN_DOCS, form={"area_m2": "큼"}),
         Channel.ONLINE, "items[0].form.area_m2", "validation_failed"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_and_nothing_is_stored(
    apply: Apply, item: ApplicationItem, channel: Channel, field: str, code: str
) -> None:
    with pytest.raises(ValidationFailed) as exc:
        apply(item, channel=channel)
    assert exc.value.field == field and exc.value.code == code
    assert exc.value.message_ko and exc.value.message_en
    assert not Application.objects.exists() and not PetitionStep.objects.exists()
    assert not InboxMessage.objects.exists()


def test_counter_intake_by_clerk_with_sealed_rrn(apply: Apply, clerk: User) -> None:
    number = rrn.with_check_digit("850515212345")
    result = apply(
        ApplicationItem(type_code="SEAL_CERT", documents=["신분증"]),
        who=Actor(ActorKind.STAFF, clerk.pk, clerk.username), channel=Channel.COUNTER,
        applicant_name="이서연", sealed_rrn=rrn.SealedRRN.from_text(number),
    )  # fmt: skip
    app = Application.objects.get(receipt_number=result["receipt_number"])
    assert app.applicant_birth == date(1985, 5, 15) and app.channel == "counter"
    assert app.rrn_ciphertext and number.encode() not in bytes(app.rrn_ciphertext)


def test_mail_intake_counts_from_the_recorded_arrival(apply: Apply, clerk: User) -> None:
    result = apply(
        "GRIEVANCE", who=Actor(ActorKind.STAFF, clerk.pk, clerk.username), channel=Channel.MAIL,
        applicant_name="박지훈", when="2026-09-23T11:00",
    )  # fmt: skip
    assert result["petitions"][0]["deadline_at"] == at("2026-10-06T18:00").isoformat()


def test_citizen_cannot_use_the_counter_channel(apply: Apply) -> None:
    with pytest.raises(Forbidden):
        apply("GRIEVANCE", channel=Channel.COUNTER)


def test_full_path_with_supplement_pause_and_approval(
    apply: Apply, act: Act, officer: User, citizen: User
) -> None:
    number = apply("INFO_DISCLOSURE")["receipt_number"]  # deadline 03-20 18:00
    act(officer, "assign", number, officer_id=officer.pk, when="2026-03-09T11:00")
    act(officer, "start-review", number, when="2026-03-09T13:00")
    act(officer, "request-supplement", number, items_needed=["청구 대상 기간"],
        due_date=date(2026, 3, 16), when="2026-03-10T15:00")  # fmt: skip
    value = act(citizen, "supplement", number, note="2025년 1~12월", when="2026-03-13T11:00")
    assert value["deadline_at"] == at("2026-03-25T18:00").isoformat()  # Wed–Fri stopped
    act(officer, "decide", number, outcome="approved", when="2026-03-16T10:00")
    act(officer, "deliver", number, method="online", when="2026-03-16T11:00")
    act(officer, "close", number, when="2026-03-16T12:00")
    actions = list(PetitionStep.objects.order_by("at", "id").values_list("action", flat=True))
    assert actions == ["received", "assign", "start_review", "request_supplement", "supplement",
                       "decide", "deliver", "close"]  # fmt: skip
    subjects = list(InboxMessage.objects.values_list("subject", flat=True))
    assert any("보완 요구" in s for s in subjects) and any("처리 결과" in s for s in subjects)


def test_rejection_states_reasons_and_remedies(apply: Apply, act: Act, officer: User) -> None:
    number = apply("LAW_QUERY")["receipt_number"]
    act(officer, "start-review", number)
    with pytest.raises(ValidationFailed) as exc:
        act(officer, "decide", number, outcome="rejected")
    assert exc.value.field == "reason"
    act(officer, "decide", number, outcome="rejected", reason="법령 해석 권한이 없는 사항")
    petition = Petition.objects.get()
    assert "행정심판" in petition.remedies and "행정소송" in petition.remedies
    # The result is a formal 민원 결과 통지 from its template: the 이의신청기한 it starts,
    # the reasons and remedies, to the inbox and to the e-mail given on the form.
    notice = Notice.objects.get(kind="petition_result")
    assert notice.subject == "[원주시] 민원 처리 결과 통지" and "거부" in notice.body
    assert notice.deadline_label == "이의신청기한"
    assert notice.deadline_on == clock.local(notice.issued_at).date() + timedelta(days=90)
    items = {i["label"]: i["value"] for i in notice.items}
    assert items["사유"] == "법령 해석 권한이 없는 사항" and "행정심판" in items["불복 절차"]
    assert items["접수번호"] == number
    assert notice.email == petition.application.email != ""
    assert InboxMessage.objects.get(notice=notice).recipient_index == notice.recipient_index


def test_repeated_supplement_then_return(apply: Apply, act: Act, officer: User) -> None:
    number = apply("GRIEVANCE")["receipt_number"]
    act(officer, "start-review", number)
    act(officer, "request-supplement", number, items_needed=["증빙"], due_date=date(2026, 3, 13))
    with pytest.raises(Conflict):  # the first deadline has not passed
        act(officer, "request-supplement", number, items_needed=["증빙"], due_date=date(2026, 3, 20),
            when="2026-03-12T10:00")  # fmt: skip
    with pytest.raises(Conflict):  # only one request so far
        act(officer, "return", number, reason="미보완", when="2026-03-16T10:00")
    act(officer, "request-supplement", number, items_needed=["증빙"], due_date=date(2026, 3, 20),
        when="2026-03-16T10:00")  # fmt: skip
    act(officer, "return", number, reason="재보완 요구에도 미보완", when="2026-03-23T10:00")
    assert Petition.objects.get().state == "returned"


def test_extension_once_then_only_with_consent(apply: Apply, act: Act, officer: User) -> None:
    number = apply("INFO_DISCLOSURE")["receipt_number"]
    act(officer, "start-review", number)
    with pytest.raises(ValidationFailed):
        act(officer, "extend", number, period="15d", reason="제3자 의견 청취")
    value = act(officer, "extend", number, period="10d", reason="제3자 의견 청취")
    assert value["deadline_at"] == at("2026-04-03T18:00").isoformat()
    with pytest.raises(Conflict) as exc:
        act(officer, "extend", number, period="5d", reason="추가 검토")
    assert exc.value.code == "consent_required"
    act(officer, "extend", number, period="5d", reason="추가 검토", applicant_consent=True)


def test_transfer_withdraw_and_refused_transitions(
    apply: Apply, act: Act, officer: User, citizen: User
) -> None:
    first = apply("SUGGESTION")["receipt_number"]
    act(officer, "transfer", first, to="강원특별자치도청", reason="도 사무")
    assert Petition.objects.get(application__receipt_number=first).state == "transferred"
    with pytest.raises(Conflict) as exc:
        act(officer, "decide", first, outcome="approved")
    assert exc.value.code == "invalid_transition"
    second = apply("SUGGESTION")["receipt_number"]
    act(citizen, "withdraw", second)
    for action, fields in [
        ("start-review", {}), ("supplement", {"note": "x"}), ("deliver", {}),
        ("extend", {"period": "1d", "reason": "r"}), ("withdraw", {}), ("close", {}),
        ("assign", {}), ("transfer", {"to": "x", "reason": "r"}),
        ("request-supplement", {"items_needed": ["x"], "due_date": date(2026, 3, 20)}),
    ]:  # fmt: skip
        with pytest.raises(Conflict):
            act(officer if action != "supplement" else citizen, action, second, **fields)
    third = apply("SUGGESTION")["receipt_number"]
    for action, fields in [("deliver", {}), ("close", {}), ("supplement", {"note": "x"}),
                           ("decide", {"outcome": "approved"}), ("return", {"reason": "r"})]:  # fmt: skip
        with pytest.raises(Conflict):
            act(officer if action != "supplement" else citizen, action, third, **fields)


def test_another_citizen_cannot_withdraw(
    apply: Apply, act: Act, make_citizen: Callable[..., User]
) -> None:
    number = apply("SUGGESTION")["receipt_number"]
    with pytest.raises(Forbidden):
        act(make_citizen(), "withdraw", number)


def test_officer_outside_the_jurisdiction_is_refused(
    apply: Apply, act: Act, make_staff: Callable[..., User]
) -> None:
    number = apply("SUGGESTION")["receipt_number"]
    with pytest.raises(Forbidden) as exc:
        act(make_staff("officer", "5211000000"), "start-review", number)
    assert exc.value.code == "out_of_scope"


def test_replayed_submission_returns_the_same_receipt(citizen: User, catalog_loaded: None) -> None:
    import uuid

    from minwon.kernel import execute
    from minwon.petitions.commands import SubmitApplication

    from .conftest import actor

    cid = uuid.uuid4()
    cmd = SubmitApplication(actor=actor(citizen), channel=Channel.ONLINE, jurisdiction="5113000000",
                            command_id=cid, items=[ApplicationItem(type_code="SUGGESTION")])  # fmt: skip
    first, second = execute(cmd), execute(cmd)
    assert second.replayed and first.value == second.value
    assert Application.objects.count() == 1


def test_a_counter_application_is_the_identified_citizens_own(
    apply: Apply, act: Act, clerk: User, make_citizen: Callable[..., User]
) -> None:
    """Filed at a counter for a citizen identified by resident number: the citizen whose
    verified account holds that number sees it in 나의 민원 and may withdraw it online;
    another citizen may not."""
    from minwon.petitions import queries

    number_of_kim = rrn.with_check_digit("850505100007")
    kim = make_citizen(number=number_of_kim, name="김창구")
    other = make_citizen()
    receipt = apply(
        "SUGGESTION", who=actor(clerk), channel=Channel.COUNTER, applicant_name="김창구",
        sealed_rrn=rrn.SealedRRN.from_text(number_of_kim),
    )["receipt_number"]  # fmt: skip
    application = Application.objects.get(receipt_number=receipt)
    assert application.applicant_user_id is None
    assert [a.receipt_number for a in queries.applications_of_citizen(kim.pk)] == [receipt]
    assert queries.application_for_citizen(kim.pk, receipt) is not None
    assert list(queries.applications_of_citizen(other.pk)) == []
    assert queries.application_for_citizen(other.pk, receipt) is None
    with pytest.raises(Forbidden):
        act(other, "withdraw", receipt)
    act(kim, "withdraw", receipt)
    assert Petition.objects.get(application=application).state == "withdrawn"
