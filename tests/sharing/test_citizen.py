"""The citizen's side: consents given and revoked online (page and API) and at the counter,
the 열람 이력 of every read (sharing and the access log) with a notice per read, deferred
reads shown only after their deferral; the message log searched by auditors and anchored
in the audit chain."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from minwon.kernel import clock, execute
from minwon.kernel.types import Channel
from minwon.notices.models import InboxMessage
from minwon.registry.queries import person_detail
from minwon.sharing.commands import DiscloseDeferredReads
from minwon.sharing.models import Consent, SharingMessage
from minwon.sharing.queries import verify_messages
from tests.conftest import WONJU, actor_of

from .helpers import SYSTEM, agency, consent, request_body, resident, signed_post

pytestmark = pytest.mark.django_db


def _login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_citizen_gives_and_revokes_consent_online_and_sees_it(
    jurisdictions_loaded: None, make_citizen: Any
) -> None:
    who = resident(make_citizen)
    ag = agency()
    client = _login(who.user)
    until = (clock.now().date() + timedelta(days=90)).isoformat()
    page = client.post("/me/consents/", {"recipient_id": str(ag.client_id),
                                        "scope": "tax_clearance:tax_clearance", "valid_until": until})  # fmt: skip
    assert page.status_code == 302
    listed = client.get("/me/consents/").content.decode()
    assert ag.name in listed and "지방세 납세 여부" in listed and "유효" in listed
    assert signed_post(ag, request_body(who)).status_code == 200

    api = client.get("/api/me/consents").json()
    assert [c["state"] for c in api] == ["active"]
    reference = api[0]["reference"]
    revoked = client.post(f"/api/me/consents/{reference}/revoke")
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    assert signed_post(ag, request_body(who)).json()["code"] == "consent_revoked"
    assert "철회" in client.get("/me/consents/").content.decode()

    via_api = client.post(
        "/api/me/consents",
        json.dumps({"recipient_kind": "agency", "recipient_id": str(ag.client_id),
                    "items": ["tax_clearance"], "purpose": "주소 확인", "valid_until": until}),
        content_type="application/json",
    )  # fmt: skip
    assert via_api.status_code == 400 and via_api.json()["field"] == "purpose"
    past = client.post(
        "/api/me/consents",
        json.dumps({"recipient_kind": "agency", "recipient_id": str(ag.client_id),
                    "items": ["tax_clearance"], "purpose": "tax_clearance",
                    "valid_until": clock.now().date().isoformat()}),
        content_type="application/json",
    )  # fmt: skip
    assert past.status_code == 400 and past.json()["field"] == "valid_until"
    assert Consent.objects.count() == 1


def test_clerk_records_consent_at_the_counter(
    jurisdictions_loaded: None, make_citizen: Any, make_staff: Any
) -> None:
    who = resident(make_citizen)
    ag = agency()
    clerk = _login(make_staff("counter_clerk", WONJU))
    until = (clock.now().date() + timedelta(days=30)).isoformat()
    bad = clerk.post("/staff/sharing/consents/", {"rrn": "123", "recipient_id": str(ag.client_id),
                     "scope": "tax_clearance:tax_clearance", "valid_until": until})  # fmt: skip
    assert bad.status_code == 200 and "주민등록번호가 올바르지 않습니다" in bad.content.decode()
    done = clerk.post("/staff/sharing/consents/", {"rrn": who.number, "recipient_id": str(ag.client_id),
                      "scope": "tax_clearance:tax_clearance", "valid_until": until})  # fmt: skip
    assert done.status_code == 302
    consent_row = Consent.objects.get()
    assert consent_row.channel == "counter" and consent_row.subject_index == who.person.rrn_index
    assert signed_post(ag, request_body(who)).status_code == 200
    assert ag.name in _login(who.user).get("/me/consents/").content.decode()
    citizen_page = _login(who.user).get("/staff/sharing/consents/")
    assert citizen_page.status_code == 403


def test_every_read_is_in_the_history_with_a_notice(
    jurisdictions_loaded: None, make_citizen: Any, make_staff: Any
) -> None:
    who = resident(make_citizen)
    ag = agency("한국장학재단")
    consent(who, ag)
    assert signed_post(ag, request_body(who, case_reference="장학-2026-77")).status_code == 200
    officer = make_staff("officer", WONJU)
    person_detail(actor_of(officer), who.person.pk, purpose="전입 사실 조사")
    client = _login(who.user)
    history = client.get("/api/me/data-access").json()
    assert [h["source"] for h in history] == ["access_log", "sharing"]
    sharing = history[1]
    assert sharing["who"] == "한국장학재단" and sharing["item"] == "지방세 납세 여부"
    assert sharing["purpose"] == "납세 여부 확인" and sharing["ground"].startswith("정보주체 동의")
    assert sharing["case_reference"] == "장학-2026-77" and sharing["officer"]
    assert "원주시" in history[0]["who"] and history[0]["purpose"] == "전입 사실 조사"
    page = client.get("/me/access/").content.decode()
    assert "한국장학재단" in page and "전입 사실 조사" in page
    notices = InboxMessage.objects.filter(recipient_index=who.user.identity_index)
    assert [n.subject for n in notices if "공동이용" in n.subject]
    other = make_citizen()
    assert _login(other).get("/api/me/data-access").json() == []


def test_deferred_read_appears_after_its_deferral(
    jurisdictions_loaded: None, make_citizen: Any
) -> None:
    who = resident(make_citizen)
    police = agency("경찰청")
    until = clock.now().date() + timedelta(days=30)
    body = request_body(who, item="resident_record", purpose="범죄 수사",
                        defer_until=until.isoformat())  # fmt: skip
    response = signed_post(police, body)
    assert response.status_code == 200, response.content
    assert set(response.json()["answer"]["result"]) == {"name", "address", "moved_in_on"}
    client = _login(who.user)
    assert client.get("/api/me/data-access").json() == []
    assert not InboxMessage.objects.filter(subject__contains="경찰청").exists()
    too_long = request_body(who, item="resident_record", purpose="범죄 수사",
                            defer_until=(until + timedelta(days=400)).isoformat())  # fmt: skip
    assert signed_post(police, too_long).json()["code"] == "defer_not_allowed"
    not_deferrable = request_body(who, item="resident_record", purpose="주소 확인",
                                  inputs={"address": "x"}, defer_until=until.isoformat())  # fmt: skip
    assert signed_post(police, not_deferrable).json()["code"] == "defer_not_allowed"

    with clock.frozen_at(clock.now() + timedelta(days=31)):
        assert execute(DiscloseDeferredReads(actor=SYSTEM, channel=Channel.SYSTEM,
                                             jurisdiction="0000000000")).value == {"disclosed": 1}  # fmt: skip
        history = client.get("/api/me/data-access").json()
    assert [h["who"] for h in history] == ["경찰청"]
    assert InboxMessage.objects.filter(subject__contains="경찰청").count() == 1


def test_auditor_searches_the_message_log_and_edits_are_detected(
    jurisdictions_loaded: None, make_citizen: Any, make_staff: Any
) -> None:
    who = resident(make_citizen)
    ag = agency()
    signed_post(ag, request_body(who))  # no consent: denied
    consent(who, ag)
    signed_post(ag, request_body(who, case_reference="CASE-9"))
    auditor = _login(make_staff("auditor", "0000000000"))
    page = auditor.get("/staff/sharing/messages/", {"outcome": "denied"}).content.decode()
    assert "consent_missing" in page and "CASE-9" not in page
    found = auditor.get("/staff/sharing/messages/", {"case_reference": "CASE-9"}).content.decode()
    assert "CASE-9" in found
    from minwon.sharing.queries import sharing_stats

    [row] = sharing_stats(actor_of(make_staff("auditor", "0000000000")),
                          since=clock.now() - timedelta(hours=1))  # fmt: skip
    assert (row["requester"], row["answered"], row["denied"]) == (ag.name, 1, 1)
    assert _login(who.user).get("/staff/sharing/messages/").status_code == 403
    assert verify_messages() == []
    SharingMessage.objects.filter(case_reference="CASE-9").update(ground="형사소송법 제199조")
    assert [p.reason for p in verify_messages()] == ["content does not match its hash"]


def test_citizen_objects_to_a_read_and_the_auditor_sees_the_case(
    jurisdictions_loaded: None, make_citizen: Any, make_staff: Any
) -> None:
    who = resident(make_citizen)
    ag = agency("수상한 기관")
    consent(who, ag)
    signed_post(ag, request_body(who))
    officer = make_staff("officer", WONJU)
    person_detail(actor_of(officer), who.person.pk, purpose="호기심")
    client = _login(who.user)
    history = client.get("/api/me/data-access").json()
    staff_read = next(h for h in history if h["source"] == "access_log")
    sharing_read = next(h for h in history if h["source"] == "sharing")
    assert "이의 제기" in client.get("/me/access/").content.decode()
    for read, text in ((staff_read, "이 열람을 한 적이 없는 부서입니다."),
                       (sharing_read, "동의한 목적과 다른 것 같습니다.")):  # fmt: skip
        done = client.post("/me/access/objections/", {"source": read["source"],
                           "target": read["reference"], "text": text})  # fmt: skip
        assert done.status_code == 302
    assert client.get("/me/access/").content.decode().count("접수됨") == 2
    again = client.post("/me/access/objections/", {"source": "sharing",
                        "target": sharing_read["reference"], "text": "다시 한 번 제기"},
                        follow=True)  # fmt: skip
    assert "이미 이의를 제기한" in again.content.decode()
    other = _login(make_citizen())
    stolen = other.post("/me/access/objections/", {"source": "sharing",
                        "target": sharing_read["reference"], "text": "남의 기록"}, follow=True)  # fmt: skip
    assert "찾을 수 없습니다" in stolen.content.decode()
    auditor = _login(make_staff("auditor", WONJU))
    page = auditor.get("/staff/sharing/objections/").content.decode()
    assert (
        "이 열람을 한 적이 없는 부서입니다." in page and "동의한 목적과 다른 것 같습니다." in page
    )
    elsewhere = _login(make_staff("auditor", "4415000000"))
    assert "수상한 기관" not in elsewhere.get("/staff/sharing/objections/").content.decode()


def test_staff_reads_reach_the_subject_as_one_notice_per_sweep(
    jurisdictions_loaded: None, make_citizen: Any, make_staff: Any
) -> None:
    from django.core.management import call_command

    who = resident(make_citizen)
    ag = agency()
    consent(who, ag)
    signed_post(ag, request_body(who))  # notified by itself, not again by the sweep
    officer = make_staff("officer", WONJU)
    person_detail(actor_of(officer), who.person.pk, purpose="전입 사실 조사")
    person_detail(actor_of(officer), who.person.pk, purpose="과태료 부과 검토")
    call_command("sharing_sweep", stdout=open("/dev/null", "w"))  # noqa: SIM115
    inbox = InboxMessage.objects.filter(recipient_index=who.user.identity_index)
    [digest] = [m for m in inbox if m.subject.startswith("[열람 알림]")]
    assert "2건" in digest.subject
    assert [i["value"].split(" · ")[-1] for i in digest.items] == [
        "전입 사실 조사",
        "과태료 부과 검토",
    ]
    assert sum("공동이용" in m.subject for m in inbox) == 1
    call_command("sharing_sweep", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (
        InboxMessage.objects.filter(recipient_index=who.user.identity_index).count()
        == inbox.count()
    )
