"""The national sanction check: a revocation in 공주시 bars a new permit in 원주시 (unless an
officer overrides with a reason); the check answers across every jurisdiction, names the
one that holds the sanction, and reports those that did not answer."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client

from minwon.kernel import clock, execute
from minwon.kernel.errors import Conflict
from minwon.kernel.types import Channel
from minwon.licensing.commands import GrantPermit, ImposeSanction
from minwon.sharing.commands import DeclareProviderOutage, EndProviderOutage
from minwon.sharing.models import SharingMessage
from minwon.sharing.queries import data_access_of
from minwon.sharing.signatures import answer_verifies
from tests.conftest import GONGJU, JEONJU, WONJU
from tests.web.test_api import token_for

from .helpers import SYSTEM, resident

pytestmark = pytest.mark.django_db


def _grant(holder_id: int, jurisdiction: str, override: str = "") -> dict[str, Any]:
    result = execute(
        GrantPermit(
            actor=SYSTEM, channel=Channel.COUNTER, jurisdiction=jurisdiction, kind="general_restaurant",
            holder_id=holder_id, business_name="으뜸국밥", road_address="충청남도 공주시 웅진로 10",
            granted_on=clock.now().date(), override_reason=override,
        )
    )  # fmt: skip
    value: dict[str, Any] = result.value
    return value


def _revoked_in_gongju(holder_id: int) -> None:
    permit_id = _grant(holder_id, GONGJU)["permit_id"]
    execute(
        ImposeSanction(
            actor=SYSTEM, channel=Channel.COUNTER, jurisdiction=GONGJU, permit_id=permit_id,
            kind="revocation", starts_on=clock.now().date() - timedelta(days=90),
            legal_basis="식품위생법 제75조제1항", reason="무신고 영업장 확장",
        )
    )  # fmt: skip


@pytest.fixture
def holder(jurisdictions_loaded: None, make_citizen: Any) -> Any:
    who = resident(make_citizen, name="박사장")
    _revoked_in_gongju(who.person.pk)
    return who


def test_revocation_in_gongju_blocks_a_new_permit_in_wonju_unless_overridden(holder: Any) -> None:
    with pytest.raises(Conflict) as refused:
        _grant(holder.person.pk, WONJU)
    assert refused.value.code == "sanction_hit"
    assert "공주시" in refused.value.message_ko
    assert refused.value.details["hits"][0]["jurisdiction"] == GONGJU
    granted = _grant(holder.person.pk, WONJU, override="법원 판결로 처분 효력 정지 (2026구합123)")
    assert granted["permit_id"]
    assert granted["overridden_sanctions"][0]["jurisdiction"] == GONGJU


def test_a_suspension_that_ended_does_not_bar(
    jurisdictions_loaded: None, make_citizen: Any
) -> None:
    who = resident(make_citizen)
    permit_id = _grant(who.person.pk, GONGJU)["permit_id"]
    execute(
        ImposeSanction(
            actor=SYSTEM, channel=Channel.COUNTER, jurisdiction=GONGJU, permit_id=permit_id,
            kind="suspension", starts_on=date(2025, 1, 1), ends_on=date(2025, 1, 15),
            legal_basis="식품위생법 제75조", reason="위반",
        )
    )  # fmt: skip
    assert _grant(who.person.pk, WONJU)["permit_id"]


def _check(client: Client, token: str, **body: Any) -> Any:
    return client.post(
        "/api/sanctions/check", json.dumps(body), content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )  # fmt: skip


def test_national_check_names_gongju_and_reports_who_did_not_answer(
    holder: Any, make_staff: Any
) -> None:
    officer = make_staff("officer", WONJU)
    client = Client()
    token = token_for(client, officer.username)
    response = _check(client, token, rrn=holder.number, kind="general_restaurant",
                      case_reference="2026-원주-0042")  # fmt: skip
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["outcome"] == "hit"
    assert body["asked"] > 200  # every 시·군·구 in force
    [hit] = body["hits"]
    assert hit["jurisdiction"] == GONGJU and "공주시" in hit["jurisdiction_name"]
    assert hit["sanction"] == "허가취소" and hit["legal_basis"] == "식품위생법 제75조제1항"
    assert hit["starts_on"] and "ends_on" in hit
    [signed] = body["answers"]
    assert signed["signature"]["signer"] == GONGJU
    assert answer_verifies(signed["answer"], signed["signature"])
    assert body["not_answered"] == []
    body = json.dumps({"rrn": holder.number, "kind": "general_restaurant",
                       "case_reference": "2026-원주-0042"})  # fmt: skip
    retry = {"Authorization": f"Bearer {token}", "Idempotency-Key": "check-1"}
    retried = client.post("/api/sanctions/check", body, content_type="application/json",
                          headers=retry)  # fmt: skip
    again = client.post("/api/sanctions/check", body, content_type="application/json",
                        headers=retry)  # fmt: skip
    assert again.status_code == 200 and again.json() == retried.json()
    assert SharingMessage.objects.filter(case_reference="2026-원주-0042").count() == 2
    other = _check(client, token, rrn=holder.number, kind="bakery", case_reference="2026-원주-0043")
    assert other.json()["outcome"] == "none"

    execute(DeclareProviderOutage(actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=JEONJU,
                                  reason="전주시 시스템 점검"))  # fmt: skip
    with_outage = _check(client, token, person_id=holder.person.pk, kind="general_restaurant",
                         case_reference="2026-원주-0044").json()  # fmt: skip
    assert with_outage["outcome"] == "hit"
    assert [j["jurisdiction"] for j in with_outage["not_answered"]] == [JEONJU]
    execute(DeclareProviderOutage(actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=GONGJU,
                                  reason="공주시 회선 장애"))  # fmt: skip
    silent = _check(client, token, person_id=holder.person.pk, kind="general_restaurant",
                    case_reference="2026-원주-0045").json()  # fmt: skip
    assert silent["outcome"] == "not_answered" and silent["hits"] == []
    assert {j["jurisdiction"] for j in silent["not_answered"]} == {JEONJU, GONGJU}
    execute(EndProviderOutage(actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=GONGJU))
    assert _check(client, token, person_id=holder.person.pk, kind="general_restaurant",
                  case_reference="2026-원주-0046").json()["outcome"] == "hit"  # fmt: skip

    entries = data_access_of(
        subject_index=holder.person.rrn_index, person_id=holder.person.pk, on=clock.now().date()
    )
    checks = [e for e in entries if e.purpose == "인허가 결격 확인"]
    assert len(checks) == 6 and all("원주시" in e.who for e in checks)
    assert SharingMessage.objects.filter(purpose="permit_disqualification").count() == 6


def test_counter_clerks_may_not_run_the_national_check(holder: Any, make_staff: Any) -> None:
    clerk = make_staff("counter_clerk", WONJU)
    client = Client()
    response = _check(client, token_for(client, clerk.username), rrn=holder.number,
                      kind="general_restaurant", case_reference="x")  # fmt: skip
    assert response.status_code == 403
    bad = _check(client, token_for(client, make_staff("officer", WONJU).username),
                 rrn=holder.number, kind="spaceship", case_reference="x")  # fmt: skip
    assert bad.status_code == 400 and bad.json()["field"] == "kind"


def test_the_situation_room_counts_sharing_reads_not_denials() -> None:
    from minwon.ops.categories import category_of

    for name in ("AnswerSharingRequest", "CheckSanctions", "LookUpPetitionDocument"):
        assert category_of(name) == "sharing", name
    assert category_of("RecordSharingDenial") is None
