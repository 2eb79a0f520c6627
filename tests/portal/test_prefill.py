"""자동취합 prefill from the licensing register: a number field mapped to ``permits:<업종>``
(or ``permits``) and a table mapped to ``permits_by_kind`` start with the counts of 영업
신고 in business in the recipient's area, computed from the register's own rows (revoked
ones left out, suspended ones counted); a mapping that cannot work is refused naming it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client

from minwon.kernel import clock, execute
from minwon.kernel.errors import ValidationFailed
from minwon.kernel.types import Channel
from minwon.licensing.commands import GrantPermit, ImposeSanction
from minwon.portal import collect, forms_def
from minwon.portal.models import Answer, Campaign, Recipient
from tests.portal.campaign_factories import ANCHOR, MUNMAK, SOCHO, WONJU, answer, create
from tests.registry.factories import SYSTEM, register

pytestmark = pytest.mark.django_db

PERMITS: dict[str, Any] = {
    "fields": [
        {"key": "restaurants", "label": "일반음식점", "type": "number", "unit": "곳",
         "register": "permits:general_restaurant"},
        {"key": "all_permits", "label": "영업 신고 전체", "type": "number", "register": "permits"},
        {"key": "by_kind", "label": "업종별 현황", "type": "table", "register": "permits_by_kind",
         "columns": [{"key": "kind", "label": "업종", "type": "text"},
                     {"key": "count", "label": "건수", "type": "number", "unit": "곳"},
                     {"key": "note", "label": "비고", "type": "text"}]},
    ]
}  # fmt: skip


def _permit(code: str, kind: str, name: str) -> int:
    holder = register(f"{name}대표", code=code)
    return int(
        execute(
            GrantPermit(
                actor=SYSTEM, channel=Channel.COUNTER, jurisdiction=code, kind=kind,
                holder_id=holder.pk, business_name=name, road_address="강원특별자치도 원주시 문막읍 1",
                granted_on=date(2025, 3, 1),
            )
        ).value["permit_id"]
    )  # fmt: skip


def _sanction(permit_id: int, kind: str) -> None:
    execute(
        ImposeSanction(
            actor=SYSTEM, channel=Channel.COUNTER, jurisdiction=WONJU, permit_id=permit_id,
            kind=kind, starts_on=date(2025, 6, 1), ends_on=date(2025, 6, 30) if kind == "suspension" else None,
            legal_basis="식품위생법 제75조", reason="점검",
        )
    )  # fmt: skip


@pytest.fixture
def seeded(make_staff: Any) -> dict[str, Any]:
    people = {
        "officer": make_staff("officer", WONJU),
        "munmak": make_staff("counter_clerk", MUNMAK),
    }
    _permit(MUNMAK, "general_restaurant", "문막식당")
    suspended = _permit(MUNMAK, "general_restaurant", "문막분식")
    revoked = _permit(MUNMAK, "general_restaurant", "문막주점")
    _permit(MUNMAK, "bakery", "문막제과")
    _permit(SOCHO, "general_restaurant", "소초식당")
    _sanction(suspended, "suspension")
    _sanction(revoked, "revocation")
    return people


def test_counts_by_kind_come_from_the_register_rows(seeded: dict[str, Any]) -> None:
    campaign_id = create(seeded["officer"], definition=PERMITS)
    munmak = Recipient.objects.get(campaign_id=campaign_id, jurisdiction_id=MUNMAK)
    socho = Recipient.objects.get(campaign_id=campaign_id, jurisdiction_id=SOCHO)
    fields = forms_def.parse(PERMITS)
    filled = collect.prefill(munmak, fields)
    # 문막식당 and 문막분식 (suspended, still a 신고); 문막주점 revoked; 소초식당 elsewhere
    assert filled["restaurants"] == 2
    assert filled["all_permits"] == 3
    rows = {r["kind"]: r["count"] for r in filled["by_kind"]}
    assert rows["일반음식점 영업신고"] == 2 and rows["제과점 영업신고"] == 1
    assert rows["숙박업 영업신고"] == 0 and len(rows) == 7
    assert all(r["note"] is None for r in filled["by_kind"])
    assert collect.prefill(socho, fields)["restaurants"] == 1


def test_the_answer_form_starts_prefilled_and_the_kept_values_are_marked(
    seeded: dict[str, Any],
) -> None:
    campaign_id = create(seeded["officer"], definition=PERMITS)
    munmak = Recipient.objects.get(campaign_id=campaign_id, jurisdiction_id=MUNMAK)
    client = Client()
    client.force_login(seeded["munmak"])
    with clock.frozen_at(ANCHOR + timedelta(hours=1)):
        url = f"/staff/campaigns/{campaign_id}/answers/{munmak.pk}/"
        page = client.get(url).content.decode()
    assert 'name="f-restaurants"' in page and 'value="2"' in page
    assert "제과점 영업신고" in page
    filled = collect.prefill(munmak, forms_def.parse(PERMITS))
    done = answer(seeded["munmak"], campaign_id, MUNMAK, {**filled, "all_permits": "4"},
                  ANCHOR + timedelta(hours=1))  # fmt: skip
    kept = Answer.objects.get(pk=done.value["answer_id"]).prefilled
    assert kept == ["by_kind", "restaurants"], "all_permits was typed over"


@pytest.mark.parametrize(
    ("field", "words"),
    [
        ({"key": "a", "label": "가", "type": "number", "register": "permits:casino"}, "permits:casino"),
        ({"key": "a", "label": "가", "type": "text", "register": "permits"}, "연계 자료"),
        ({"key": "a", "label": "표", "type": "table", "register": "permits_by_kind",
          "columns": [{"key": "n", "label": "건수", "type": "number"}]}, "글자(또는 선택) 열"),
    ],
)  # fmt: skip
def test_a_mapping_that_cannot_work_is_refused(
    seeded: dict[str, Any], field: dict[str, Any], words: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        create(seeded["officer"], definition={"fields": [field]})
    assert words in refused.value.message_ko and refused.value.field == "definition"
    assert not Campaign.objects.exists()
