"""자동취합 commands: a campaign with a validated form, versions that keep the old answers,
answers validated with clear errors, corrections as new versions, scope as 404, reminders to
non-submitters only and escalation after the deadline."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from minwon.kernel import execute
from minwon.kernel.errors import Conflict, NotFound, ValidationFailed
from minwon.kernel.models import AuditRecord, CommandRecord
from minwon.kernel.types import Channel
from minwon.notices.models import InboxMessage
from minwon.portal import campaign_sweep, collect
from minwon.portal.commands import CorrectAnswer, PublishFormVersion, SubmitAnswer
from minwon.portal.models import Answer, Campaign, FormVersion, Recipient, Reminder
from tests.portal.campaign_factories import (
    ANCHOR,
    DEADLINE,
    DEFINITION,
    GONGJU_DONG,
    HOJEO,
    MUNMAK,
    SOCHO,
    WONJU,
    actor,
    answer,
    create,
)  # fmt: skip

pytestmark = pytest.mark.django_db

GOOD = {"population": "1200", "shelters": "3", "checked_on": "2026-03-02", "status": "양호",
        "facilities": [{"name": "문막읍사무소 지하", "capacity": "300"}, {"name": "", "capacity": ""}]}  # fmt: skip


@pytest.fixture
def people(make_staff: Any) -> dict[str, Any]:
    return {
        "officer": make_staff("officer", WONJU),
        "munmak": make_staff("counter_clerk", MUNMAK),
        "socho": make_staff("counter_clerk", SOCHO),
        "hojeo": make_staff("counter_clerk", HOJEO),
        "head": make_staff("department_head", WONJU),
    }


def test_a_campaign_is_made_with_its_first_form_version_and_recipients(people: Any) -> None:
    campaign_id = create(people["officer"])
    campaign = Campaign.objects.get(pk=campaign_id)
    assert campaign.versions.get().number == 1
    assert sorted(campaign.recipients.values_list("jurisdiction_id", flat=True)) == [MUNMAK, SOCHO]


@pytest.mark.parametrize(
    ("definition", "words"),
    [
        ({"fields": []}, "항목(fields)"),
        ({"fields": [{"key": "a", "label": "가", "type": "money"}]}, "종류 'money'"),
        ({"fields": [{"key": "a", "label": "선택", "type": "choice"}]}, "선택 항목 '선택'"),
        ({"fields": [{"key": "a", "label": "표", "type": "table", "columns": []}]}, "표 항목 '표'"),
        ({"fields": [{"key": "a", "label": "가", "type": "text"}] * 2}, "두 번"),
    ],
)
def test_a_bad_form_is_refused_naming_the_item_and_nothing_is_made(
    people: Any, definition: Any, words: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        create(people["officer"], definition=definition)
    assert words in refused.value.message_ko and refused.value.field == "definition"
    assert not Campaign.objects.exists()


def test_recipients_outside_the_office_are_refused(people: Any) -> None:
    with pytest.raises(ValidationFailed) as refused:
        create(people["officer"], recipients=(MUNMAK, GONGJU_DONG))
    assert refused.value.field == "recipients"


def test_an_answer_is_validated_naming_the_field_and_changes_nothing(people: Any) -> None:
    campaign_id = create(people["officer"])
    for data, words in [
        ({**GOOD, "shelters": "셋"}, "'대피시설 수': 숫자를"),
        ({**GOOD, "shelters": ""}, "'대피시설 수': 꼭"),
        ({**GOOD, "checked_on": "3월 2일"}, "'점검일': 날짜를"),
        ({**GOOD, "status": "좋음"}, "'점검 결과': 다음 중"),
        ({**GOOD, "facilities": [{"name": "", "capacity": "10"}]}, "'시설 목록 1행 시설명'"),
    ]:
        with pytest.raises(ValidationFailed) as refused:
            answer(people["munmak"], campaign_id, MUNMAK, data, ANCHOR + timedelta(hours=1))
        assert words in refused.value.message_ko
    assert not Answer.objects.exists()


def test_answers_corrections_and_versions(people: Any) -> None:
    campaign_id = create(people["officer"])
    first = answer(people["munmak"], campaign_id, MUNMAK, GOOD, ANCHOR + timedelta(hours=1))
    stored = Answer.objects.get(pk=first.value["answer_id"])
    assert stored.data["shelters"] == 3 and stored.data["facilities"] == [
        {"name": "문막읍사무소 지하", "capacity": 300}
    ]
    # Population came from the register (no residents loaded here: 0), not what was typed.
    assert stored.prefilled == []
    with pytest.raises(Conflict):
        answer(people["munmak"], campaign_id, MUNMAK, GOOD, ANCHOR + timedelta(hours=2))
    # A new form version: the first answer keeps version 1; a correction answers version 2.
    new = {
        "fields": [*DEFINITION["fields"], {"key": "staff", "label": "담당 인원", "type": "number"}]
    }
    execute(
        PublishFormVersion(
            actor=actor(people["officer"]), channel=Channel.ONLINE, jurisdiction=WONJU,
            campaign_id=campaign_id, definition=new,
        )
    )  # fmt: skip
    recipient = Recipient.objects.get(campaign_id=campaign_id, jurisdiction_id=MUNMAK)
    corrected = execute(
        CorrectAnswer(
            actor=actor(people["munmak"]), channel=Channel.ONLINE, jurisdiction=MUNMAK,
            campaign_id=campaign_id, recipient_id=recipient.pk, data={**GOOD, "shelters": "4", "staff": "2"},
            reason="시설 1곳 누락", occurred_at=ANCHOR + timedelta(days=1),
        )
    ).value  # fmt: skip
    assert corrected["version"] == 2
    versions = list(Answer.objects.filter(recipient=recipient).order_by("number"))
    assert [(a.number, a.form_version.number, a.current) for a in versions] == [
        (1, 1, False), (2, 2, True),
    ]  # fmt: skip
    assert versions[0].data["shelters"] == 3 and versions[1].data["staff"] == 2
    # Both answers are commands in the audit chain.
    names = set(CommandRecord.objects.values_list("name", flat=True))
    assert {"SubmitAnswer", "CorrectAnswer"} <= names
    assert AuditRecord.objects.filter(name="CorrectAnswer").exists()


def test_late_within_grace_and_refused_after(people: Any) -> None:
    campaign_id = create(people["officer"])
    late = answer(people["munmak"], campaign_id, MUNMAK, GOOD, DEADLINE + timedelta(hours=2))
    assert late.value["late"] is True
    with pytest.raises(Conflict):
        answer(people["socho"], campaign_id, SOCHO, GOOD, DEADLINE + timedelta(hours=25))
    with pytest.raises(Conflict):
        answer(people["socho"], campaign_id, SOCHO, GOOD, ANCHOR - timedelta(hours=1))


def test_another_office_cannot_answer_and_is_told_not_found(people: Any) -> None:
    campaign_id = create(people["officer"])
    recipient = Recipient.objects.get(campaign_id=campaign_id, jurisdiction_id=MUNMAK)
    # 소초면's clerk on 문막읍's recipient: refused by scope before the handler runs, or 404.
    with pytest.raises((NotFound, Exception)) as refused:
        execute(
            SubmitAnswer(
                actor=actor(people["socho"]), channel=Channel.ONLINE, jurisdiction=SOCHO,
                campaign_id=campaign_id, recipient_id=recipient.pk, data=GOOD,
                occurred_at=ANCHOR + timedelta(hours=1),
            )
        )  # fmt: skip
    assert isinstance(refused.value, NotFound)
    assert not Answer.objects.exists()


def test_prefill_from_the_previous_round(people: Any) -> None:
    first = create(people["officer"])
    answer(people["munmak"], first, MUNMAK, GOOD, ANCHOR + timedelta(hours=1))
    later = ANCHOR + timedelta(days=90)
    second = create(
        people["officer"], previous_campaign_id=first, opens_at=later,
        deadline_at=later + timedelta(days=7), round_label="2026년 2분기",
    )  # fmt: skip
    recipient = Recipient.objects.get(campaign_id=second, jurisdiction_id=MUNMAK)
    version = collect.latest_version(recipient.campaign)
    from minwon.portal import forms_def

    values = collect.prefill(recipient, forms_def.parse(version.definition))
    assert values["shelters"] == 3 and values["status"] == "양호"
    assert values["population"] == 0  # the register, not the previous round
    done = answer(people["munmak"], second, MUNMAK, {**GOOD, "shelters": "3", "note": "변동 없음"},
                  later + timedelta(hours=1))  # fmt: skip
    assert "shelters" in Answer.objects.get(pk=done.value["answer_id"]).prefilled


def test_reminders_go_to_non_submitters_only_and_once(people: Any) -> None:
    campaign_id = create(people["officer"], recipients=(MUNMAK, SOCHO, HOJEO))
    answer(people["munmak"], campaign_id, MUNMAK, GOOD, ANCHOR + timedelta(hours=1))
    sent = campaign_sweep.run(ANCHOR + timedelta(hours=2))
    assert sent == {f"{campaign_id}:opening": 2}
    reminded = set(InboxMessage.objects.values_list("recipient_index", flat=True))
    assert reminded == {f"staff:{people['socho'].pk}", f"staff:{people['hojeo'].pk}"}
    assert campaign_sweep.run(ANCHOR + timedelta(hours=3)) == {f"{campaign_id}:opening": 0}
    assert InboxMessage.objects.count() == 2
    # Half-way, 소초면 has answered: only 호저면 is reminded.
    answer(people["socho"], campaign_id, SOCHO, GOOD, ANCHOR + timedelta(days=3))
    assert campaign_sweep.run(ANCHOR + timedelta(days=4)) == {f"{campaign_id}:halfway": 1}
    assert campaign_sweep.run(DEADLINE - timedelta(hours=2)) == {f"{campaign_id}:day_before": 1}
    # After the deadline: the department head above 호저면 hears of it, the clerks do not.
    before = InboxMessage.objects.count()
    assert campaign_sweep.run(DEADLINE + timedelta(hours=1)) == {f"{campaign_id}:escalation": 1}
    escalated = InboxMessage.objects.order_by("-id").first()
    assert escalated is not None and InboxMessage.objects.count() == before + 1
    assert escalated.recipient_index == f"staff:{people['head'].pk}"
    assert "호저면" in escalated.subject and "미제출 보고" in escalated.subject
    assert set(Reminder.objects.values_list("occasion", flat=True)) == {
        "opening", "halfway", "day_before", "escalation",
    }  # fmt: skip
    assert FormVersion.objects.count() == 1
