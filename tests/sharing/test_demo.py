"""Done when: the demo agency (its key printed by ``minwon demo``) checks citizen1's 지방세
납세 여부 under her demo consent, she sees it at /me/access/, and the sanction check answers
across the three demo cities."""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import Client

from minwon.accounts.demo import demo_citizen_rrn
from minwon.accounts.models import User
from minwon.kernel.demo import DEMO_CITIES, DemoContext, seed_all
from minwon.sharing.demo import PREFIX, demo_agency_keys
from minwon.sharing.signatures import sign_request
from tests.sharing.helpers import URL

pytestmark = pytest.mark.django_db(transaction=True)


def test_demo_agency_checks_citizen1_and_the_sanction_check_spans_the_demo_cities() -> None:
    seed_all(DemoContext(residents=40, quiet=True))
    api_key, key = demo_agency_keys()
    body = json.dumps({
        "subject_rrn": demo_citizen_rrn("8505152"), "item": "tax_clearance",
        "purpose": "납세 여부 확인", "case_reference": "자격-2026-1", "officer": "demo 담당",
    }, ensure_ascii=False).encode()  # fmt: skip
    headers = sign_request(method="POST", url=URL, body=body, keyid=PREFIX, key=key,
                           nonce=uuid.uuid4().hex)  # fmt: skip
    response = Client().post("/api/sharing/requests", data=body, content_type="application/json",
                             headers=headers | {"X-Api-Key": api_key})  # fmt: skip
    assert response.status_code == 200, response.content
    assert response.json()["answer"]["result"]["no_arrears"] in ("예", "아니오")

    citizen = Client()
    citizen.force_login(User.objects.get(username="citizen1"))
    page = citizen.get("/me/access/").content.decode()
    assert "국민건강보험공단 (demo)" in page and "자격-2026-1" not in page
    history = citizen.get("/api/me/data-access").json()
    assert [h["case_reference"] for h in history if h["source"] == "sharing"][:2] == [
        "자격-2026-1", "건강보험 자격 2026-0001",
    ]  # fmt: skip

    officer = Client()
    officer.force_login(User.objects.get(username="wonju-officer"))
    check = officer.post("/api/sanctions/check", json.dumps({
        "rrn": demo_citizen_rrn("0103113"), "kind": "general_restaurant",
        "case_reference": "원주-2026-1",
    }), content_type="application/json").json()  # fmt: skip
    assert check["outcome"] == "hit", check
    assert {h["jurisdiction"] for h in check["hits"]} == {DEMO_CITIES["gongju"]}
    assert check["asked"] > 3 and check["not_answered"] == []
