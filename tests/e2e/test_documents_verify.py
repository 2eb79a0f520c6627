"""Browser test of the public verification page: by number and code, and by file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from minwon.documents import render, signing
from minwon.documents.commands import IssueCertificate
from minwon.documents.models import IssuedFile
from minwon.kernel import execute, rrn
from minwon.kernel.types import Actor, Channel
from tests.e2e.conftest import axe_violations
from tests.registry import factories

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def issued(jurisdictions_loaded: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("MINWON_KEYS_DIR", str(tmp_path / "keys"))
    signing.reset_cache()
    render._static.cache_clear()
    number = rrn.with_check_digit("800101100002")
    factories.register("최검증", number=number)
    value = execute(
        IssueCertificate(
            actor=Actor.anonymous(), channel=Channel.KIOSK, jurisdiction="5113000000",
            cert_type="resident_abstract", applicant_index=rrn.blind_index(rrn.parse(number)),
            kiosk_id="k-e2e", payment_method="cash",
        )
    ).value  # fmt: skip
    yield value
    signing.reset_cache()


def test_verify_by_number_and_by_file(page: Any, issued: Any, tmp_path: Path) -> None:
    number = issued["document_number"]
    page.goto(f"/verify/?n={number}")
    assert page.get_by_label("문서확인번호(16자리)").input_value() == number
    assert axe_violations(page) == []
    page.get_by_label("확인코드(8자리)").fill(issued["verification_code"])
    page.get_by_role("button", name="번호로 확인하기").click()
    assert page.get_by_role("heading", name="진본입니다").is_visible()
    assert "주민등록표 (초본)" in page.content() and "최*증" in page.content()
    assert axe_violations(page) == []
    pdf = bytearray(IssuedFile.objects.get(pk=number).content())
    pdf[400] ^= 1
    altered = tmp_path / "altered.pdf"
    altered.write_bytes(bytes(pdf))
    page.get_by_label("증명서 PDF 파일").set_input_files(str(altered))
    page.get_by_role("button", name="파일로 확인하기").click()
    assert page.get_by_role("heading", name="변조된 문서입니다").is_visible()
    assert axe_violations(page) == []
