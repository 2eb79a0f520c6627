"""송달 증명: a signed PDF of a notice's lifecycle that pyHanko and pdfsig accept and the
app verifies byte for byte; one flipped byte fails both."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from minwon.kernel import execute
from minwon.kernel.types import Channel
from minwon.notices.campaigns import IssueTaxCampaign
from minwon.notices.models import DeliveryReceipt, InboxMessage
from minwon.notices.receipts import verify_receipt
from tests.documents.conftest import pyhanko_status
from tests.notices.conftest import PERIOD, resident, vehicle_bills
from tests.registry.factories import SYSTEM, WONJU

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("jurisdictions_loaded")]


def test_receipt_is_signed_verifies_and_a_flipped_byte_fails(
    anchored: Any, key_dir: Path, tmp_path: Path
) -> None:
    person, user = resident()
    assert user is not None
    vehicle_bills([person])
    execute(
        IssueTaxCampaign(actor=SYSTEM, channel=Channel.ONLINE, jurisdiction=WONJU, period=PERIOD)
    )
    client = Client()
    client.force_login(user)
    message = InboxMessage.objects.get(recipient_index=person.rrn_index)
    client.get(f"/inbox/{message.pk}/")
    response = client.post(f"/inbox/{message.pk}/receipt")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    data = response.content
    receipt = DeliveryReceipt.objects.get()
    assert receipt.notice_id == message.notice_id
    assert verify_receipt(data) == "genuine"
    status = pyhanko_status(data)
    assert status.intact and status.valid and status.trusted
    path = tmp_path / "receipt.pdf"
    path.write_bytes(data)
    assert (
        "Signature is Valid"
        in subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    )
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "송달증명서" in text and "열람" in text and "2026-06-02 10:00:00" in text
    at = len(data) // 2  # inside the signed range (font program), outside the signature
    assert not data.index(b"/Contents <") <= at <= data.index(b">", data.index(b"/Contents <"))
    flipped = data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]
    assert verify_receipt(flipped) == "altered"
    path.write_bytes(flipped)
    report = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    assert "Signature is Valid" not in report
    assert not pyhanko_status(flipped).bottom_line
    from django.core.files.uploadedfile import SimpleUploadedFile

    public = Client()
    for content, expected in ((data, "genuine"), (flipped, "altered"), (b"%PDF-1.7 x", "unknown")):
        page = public.post(
            "/verify/notice-receipt/", {"file": SimpleUploadedFile("r.pdf", content)}
        )
        assert f'data-result="{expected}"' in page.content.decode()
    missing = public.post("/verify/notice-receipt/", {})
    assert missing.status_code == 400 and "송달 증명서 PDF" in missing.content.decode()
    other = resident()[1]
    assert other is not None
    stranger = Client()
    stranger.force_login(other)
    assert stranger.post(f"/inbox/{message.pk}/receipt").status_code == 404
