"""Central's check of a continuity-mode certificate sent for 소급 적용: the PDF's own
signature must verify with the continuity key central trusts; a changed byte or another
key is refused (and, on replay, queued)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from minwon.documents import render, signing
from minwon.documents.catalog import CertType
from minwon.documents.commands import _signed_by
from minwon.documents.keys import Mode
from minwon.documents.providers import FormData
from minwon.kernel import clock

WONJU = "5113000000"


@pytest.fixture
def keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("MINWON_KEYS_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("MINWON_PUBLIC_URL", "https://minwon.example.kr")
    signing.reset_cache()
    yield
    signing.reset_cache()


def _pdf(signer: signing.Signer) -> bytes:
    data = FormData(subject_name="홍길동", fields=[("성명", "홍길동")], tables=[], summary={})
    return render.render(
        cert_type=CertType.RESIDENT_COPY, data=data, number="1234567890123452", code="ABCDEFGH",
        issued_at=datetime(2026, 11, 18, 9, 0, tzinfo=clock.SEOUL), issuer_name="강원특별자치도 원주시장",
        mode=Mode.CONTINUITY, signer=signer,
    )  # fmt: skip


def test_only_the_trusted_continuity_key_and_unchanged_bytes_pass(keys: None) -> None:
    trusted = signing.signer_for(WONJU, mode=Mode.CONTINUITY, display="원주시")
    pdf = _pdf(trusted)
    assert _signed_by(pdf, trusted)
    at = pdf.index(b"/Type /Page")  # a byte the signature covers
    assert not _signed_by(pdf[:at] + b"X" + pdf[at + 1 :], trusted)
    other = signing.signer_for(WONJU, mode=Mode.NORMAL, display="원주시")
    assert not _signed_by(_pdf(other), trusted)
    assert not _signed_by(b"%PDF-1.7 not signed", trusted)
