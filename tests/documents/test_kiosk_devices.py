"""Certificates at an enrolled kiosk: the issuing office and the ledger's kiosk id are the
device's (a request cannot name another), and the per-device and per-identity throttles of
the identity check and of issuance (``kernel.throttle``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from minwon.documents.models import Issuance
from minwon.kernel.models import Throttle
from tests.conftest import GONGJU, kiosk_client, prove

from .conftest import HEAD_RRN, SPOUSE_RRN, card

pytestmark = pytest.mark.django_db


def _issue(client: Client, number: str, name: str, **extra: str) -> Any:
    assert prove(client, "/kiosk/identity/", number, name).status_code == 302
    client.post("/kiosk/certificates/resident_copy/", {"subject": "self", **extra})
    return client.post("/kiosk/pay/", {**card(), **extra})


def test_the_office_is_the_devices_never_the_requests(
    household: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MINWON_KIOSK_JURISDICTION", "5113000000")  # the former setting
    gongju = kiosk_client(GONGJU)
    done = _issue(gongju, HEAD_RRN, "김세대", jurisdiction="5113000000", kiosk_id="forged")
    assert done.status_code == 302, done.content.decode()[:800]
    row = Issuance.objects.get()
    assert (row.jurisdiction_id, row.channel) == (GONGJU, "kiosk")
    assert row.kiosk_id == gongju.kiosk_device_id


def test_identity_checks_are_throttled_per_device(
    household: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MINWON_RATE_KIOSK_DEVICE_PROOF", "2/3600")
    busy = kiosk_client()
    for n, number in enumerate((HEAD_RRN, SPOUSE_RRN)):
        busy.defaults["REMOTE_ADDR"] = f"198.51.100.{n + 1}"  # the address does not matter
        assert busy.post("/kiosk/identity/", {"name": "가", "rrn": number}).status_code == 200
    busy.defaults["REMOTE_ADDR"] = "198.51.100.9"
    refused = busy.post("/kiosk/identity/", {"name": "가", "rrn": HEAD_RRN})
    assert refused.status_code == 429 and "이 무인민원발급기에서" in refused.content.decode()
    other = kiosk_client()
    assert other.post("/kiosk/identity/", {"name": "가", "rrn": HEAD_RRN}).status_code == 200


def test_identity_checks_are_throttled_per_identity_across_kiosks(
    household: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MINWON_RATE_KIOSK_IDENTITY_PROOF", "2/3600")
    for n in range(2):
        kiosk = kiosk_client(client=Client(REMOTE_ADDR=f"198.51.100.{n + 1}"))
        assert kiosk.post("/kiosk/identity/", {"name": "가", "rrn": HEAD_RRN}).status_code == 200
    third = kiosk_client(client=Client(REMOTE_ADDR="198.51.100.3"))
    refused = third.post("/kiosk/identity/", {"name": "가", "rrn": HEAD_RRN})
    assert refused.status_code == 429 and "이 주민등록번호로" in refused.content.decode()
    assert third.post("/kiosk/identity/", {"name": "가", "rrn": SPOUSE_RRN}).status_code == 200
    # Counted under digests of the blind index, never the number.
    assert not Throttle.objects.filter(key__contains=HEAD_RRN).exists()


def test_wrong_codes_are_throttled_per_device_and_identity(
    household: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MINWON_RATE_PROOF_CODE", "2/600")
    kiosk = kiosk_client()
    for n in range(3):
        kiosk.defaults["REMOTE_ADDR"] = f"198.51.100.{n + 1}"
        kiosk.post("/kiosk/identity/", {"name": "김세대", "rrn": HEAD_RRN})
        answer = kiosk.post("/kiosk/identity/", {"code": "000000"})
        assert answer.status_code == (400 if n < 2 else 429)


def test_issuance_is_throttled_per_identity_and_per_device(
    household: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MINWON_RATE_KIOSK_IDENTITY_ISSUE", "1/86400")
    kiosk = kiosk_client()
    assert _issue(kiosk, HEAD_RRN, "김세대").status_code == 302
    elsewhere = kiosk_client()
    refused = _issue(elsewhere, HEAD_RRN, "김세대")
    assert refused.status_code == 429 and "오늘 무인민원발급기에서" in refused.content.decode()
    assert Issuance.objects.count() == 1
    monkeypatch.setenv("MINWON_RATE_KIOSK_IDENTITY_ISSUE", "10/86400")
    monkeypatch.setenv("MINWON_RATE_KIOSK_DEVICE_ISSUE", "1/3600")
    assert _issue(elsewhere, SPOUSE_RRN, "이배우").status_code == 302
    again = _issue(elsewhere, HEAD_RRN, "김세대")
    assert again.status_code == 429 and "이 무인민원발급기의" in again.content.decode()
    assert Issuance.objects.count() == 2


def test_a_refused_issuance_costs_no_attempt(
    household: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MINWON_RATE_KIOSK_IDENTITY_ISSUE", "1/86400")
    kiosk = kiosk_client()
    refused = _issue(kiosk, HEAD_RRN, "김세대", show_rrn_back="on")  # needs high assurance
    assert refused.status_code == 403 and not Issuance.objects.exists()
    kiosk.post("/kiosk/certificates/resident_copy/", {"subject": "self"})
    assert kiosk.post("/kiosk/pay/", card()).status_code == 302
