"""Signed agency requests: accepted with a signed, minimised answer naming the request's
hash; every refusal a clear 4xx, kept in the message log as a denial, with nothing read."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import timedelta
from typing import Any

import pytest

from minwon.kernel import clock, execute
from minwon.kernel.models import AccessLog
from minwon.kernel.types import Channel
from minwon.notices.models import InboxMessage
from minwon.sharing.commands import RevokeConsent
from minwon.sharing.models import SharingMessage
from minwon.sharing.queries import verify_messages
from minwon.sharing.signatures import answer_verifies, new_agency_key
from minwon.tax.commands import IssueTaxBill
from tests.registry.factories import WONJU

from .helpers import (
    SYSTEM,
    agency,
    consent,
    person_rrn_index,
    request_body,
    resident,
    signed_post,
)

pytestmark = pytest.mark.django_db


def _arrears(who: Any) -> None:
    execute(
        IssueTaxBill(
            actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=WONJU, taxpayer_id=who.person.pk,
            item="resident", period="2025 1기", amount=10_000,
            due_on=clock.now().date() - timedelta(days=30),
        )
    )  # fmt: skip


def test_signed_request_is_answered_minimised_signed_and_logged(
    jurisdictions_loaded: None, make_citizen: Any
) -> None:
    who = resident(make_citizen)
    _arrears(who)
    ag = agency()
    reference = consent(who, ag)
    response = signed_post(ag, request_body(who))
    assert response.status_code == 200, response.content
    body = response.json()
    answer = body["answer"]
    assert answer["result"] == {"no_arrears": "아니오"}  # the bills never leave the provider
    assert answer["ground"] == f"정보주체 동의 {reference}"
    assert answer["provider"] == WONJU
    request = response.wsgi_request
    raw = request.body
    expected = hashlib.sha256(
        request.headers["Signature-Input"].encode() + b"\n"
        + request.headers["Signature"].encode() + b"\n" + raw + b"\n"
    ).hexdigest()  # fmt: skip
    assert answer["request_sha256"] == expected
    assert body["signature"]["signer"] == WONJU
    assert answer_verifies(answer, body["signature"])
    tampered = json.loads(json.dumps(answer)) | {"result": {"no_arrears": "예"}}
    assert not answer_verifies(tampered, body["signature"])
    entry = SharingMessage.objects.get(outcome="answered")
    assert entry.consent_reference == uuid.UUID(reference)
    assert entry.subject_index == person_rrn_index(who.number)
    assert AccessLog.objects.filter(
        subject_id=str(who.person.pk), what=f"sharing:{entry.reference}"
    ).exists()
    notice = InboxMessage.objects.get(recipient_index=who.user.identity_index, category="general")
    assert ag.name in notice.subject and "지방세 납세 여부" in notice.subject
    assert who.number not in json.dumps(entry.answer)
    assert verify_messages() == []


def test_address_check_answers_only_match_or_mismatch(
    jurisdictions_loaded: None, make_citizen: Any
) -> None:
    who = resident(make_citizen)
    ag = agency()
    right = request_body(
        who, item="resident_record", purpose="address_check",
        inputs={"address": "강원특별자치도 원주시 단구로 170 101동 1203호"},
    )  # fmt: skip
    response = signed_post(ag, right)
    assert response.status_code == 200, response.content
    answer = response.json()["answer"]
    assert answer["result"] == {"address_match": "일치"}
    assert answer["ground"] == "주민등록법 제30조제1항"
    wrong = right | {"inputs": {"address": "서울특별시 종로구 세종대로 1"}}
    assert signed_post(ag, wrong).json()["answer"]["result"] == {"address_match": "불일치"}


def _expect_denied(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    assert body["message"] and body["message_en"]
    denial = SharingMessage.objects.filter(outcome="denied").order_by("-id").first()
    assert denial is not None and denial.denial_code == code
    assert not SharingMessage.objects.filter(outcome="answered").exists()
    assert not AccessLog.objects.filter(what__startswith="sharing:").exists()


@pytest.fixture
def setup(jurisdictions_loaded: None, make_citizen: Any) -> tuple[Any, Any]:
    who = resident(make_citizen)
    ag = agency()
    consent(who, ag)
    return who, ag


def test_altered_body_is_refused(setup: tuple[Any, Any]) -> None:
    who, ag = setup
    raw = json.dumps(request_body(who), ensure_ascii=False).encode()
    altered = raw.replace(b"000123", b"000999")
    _expect_denied(signed_post(ag, raw, send_body=altered), 401, "signature_invalid")


def test_signature_by_another_key_is_refused(setup: tuple[Any, Any]) -> None:
    who, ag = setup
    other, _ = new_agency_key()
    _expect_denied(signed_post(ag, request_body(who), key=other), 401, "signature_invalid")


def test_keyid_of_another_agency_is_refused(setup: tuple[Any, Any]) -> None:
    who, ag = setup
    _expect_denied(signed_post(ag, request_body(who), keyid="someoneelse"), 401, "wrong_key")


def test_replayed_nonce_is_refused(setup: tuple[Any, Any]) -> None:
    who, ag = setup
    assert signed_post(ag, request_body(who), nonce="n-1").status_code == 200
    response = signed_post(ag, request_body(who), nonce="n-1")
    assert response.status_code == 401
    assert response.json()["code"] == "replayed_nonce"
    assert SharingMessage.objects.filter(outcome="denied", denial_code="replayed_nonce").exists()
    assert SharingMessage.objects.filter(outcome="answered").count() == 1


def test_a_day_old_nonce_is_forgotten_and_its_replay_is_still_refused_as_stale(
    setup: tuple[Any, Any],
) -> None:
    from minwon.sharing.commands import ForgetOldNonces
    from minwon.sharing.models import UsedNonce

    who, ag = setup
    sent = clock.now()
    assert signed_post(ag, request_body(who), nonce="old-1", created=sent).status_code == 200
    with clock.frozen_at(sent + timedelta(days=2)):
        forgotten = execute(ForgetOldNonces(actor=SYSTEM, channel=Channel.SYSTEM,
                                            jurisdiction="0000000000")).value  # fmt: skip
        assert (
            forgotten == {"forgotten": 1} and not UsedNonce.objects.filter(nonce="old-1").exists()
        )
        again = signed_post(ag, request_body(who), nonce="old-1", created=sent)
    assert again.status_code == 401 and again.json()["code"] == "signature_stale"


def test_expired_and_stale_signatures_are_refused(setup: tuple[Any, Any]) -> None:
    who, ag = setup
    now = clock.now()
    _expect_denied(
        signed_post(ag, request_body(who), created=now - timedelta(seconds=60),
                    expires=now - timedelta(seconds=1)),
        401, "signature_expired",
    )  # fmt: skip
    _expect_denied(
        signed_post(ag, request_body(who), created=now - timedelta(minutes=10)),
        401,
        "signature_stale",
    )


def test_unknown_purpose_and_purpose_not_allowed_are_refused(setup: tuple[Any, Any]) -> None:
    who, ag = setup
    _expect_denied(signed_post(ag, request_body(who, purpose="호기심")), 400, "unknown_purpose")
    _expect_denied(
        signed_post(ag, request_body(who, purpose="주소 확인")), 400, "purpose_not_allowed"
    )


def test_consent_missing_expired_or_revoked_is_refused(
    jurisdictions_loaded: None, make_citizen: Any
) -> None:
    who = resident(make_citizen)
    ag = agency()
    _expect_denied(signed_post(ag, request_body(who)), 403, "consent_missing")
    reference = consent(who, ag, days=1)
    with clock.frozen_at(clock.now() + timedelta(days=3)):
        _expect_denied(signed_post(ag, request_body(who)), 403, "consent_expired")
    execute(
        RevokeConsent(
            actor=who.actor, channel=Channel.ONLINE, jurisdiction="0000000000",
            reference=uuid.UUID(reference),
        )
    )  # fmt: skip
    _expect_denied(signed_post(ag, request_body(who)), 403, "consent_revoked")
    assert SharingMessage.objects.filter(outcome="denied").count() == 3


def test_missing_signature_and_unknown_key_are_refused(setup: tuple[Any, Any]) -> None:
    from django.test import Client

    who, ag = setup
    response = Client().post(
        "/api/sharing/requests", data=json.dumps(request_body(who)),
        content_type="application/json", headers={"X-Api-Key": ag.api_key},
    )  # fmt: skip
    _expect_denied(response, 401, "signature_missing")
    no_key = Client().post("/api/sharing/requests", data=b"{}", content_type="application/json")
    assert no_key.status_code == 401
