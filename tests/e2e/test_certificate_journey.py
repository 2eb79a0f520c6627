"""Browser: a citizen gets a 등본 for a member of their household chosen from a list, the
PDF carries the site's configured public address (text and QR), and that printed address
verifies the document; times are in Korean words, no raw code on the way."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from minwon.accounts.models import User
from minwon.documents import render, signing
from minwon.documents.models import Issuance
from minwon.documents.pdf import qr
from minwon.kernel import rrn
from minwon.registry import queries as registry_queries
from tests.conftest import PASSWORD
from tests.e2e.conftest import axe_violations, log_in
from tests.e2e.controls import screenshot
from tests.registry import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEAD_RRN = rrn.with_check_digit("830606100004")


def test_household_copy_for_a_chosen_member_verifies_at_the_printed_address(
    page: Any, live_server: Any, jurisdictions_loaded: None, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, make_citizen: Callable[..., User],
) -> None:  # fmt: skip
    monkeypatch.setenv("MINWON_KEYS_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("MINWON_PUBLIC_URL", live_server.url)
    signing.reset_cache()
    render._static.cache_clear()
    head = factories.register("정세대", number=HEAD_RRN)
    household = registry_queries.household_of(head)
    assert household is not None
    child = factories.register("정하나", household_id=household.pk, relationship="child")
    citizen = make_citizen(number=HEAD_RRN, name="정세대")

    log_in(page, citizen.username, PASSWORD)
    page.goto("/certificates/")
    page.get_by_label("증명서 종류").select_option("resident_copy")
    page.get_by_label("발급 대상").select_option(str(child.pk))
    screenshot(page, "certificate-01-choose-member")
    assert axe_violations(page) == []
    page.get_by_role("button", name="발급하기").click()
    result = page.locator("section.issued-result").inner_text()
    assert "발급되었습니다" in result and "무료" in result and "free" not in result
    row = Issuance.objects.get()
    assert row.subject_ref == str(child.pk)
    history = page.locator("table.data-table").inner_text()
    assert re.search(r"\d{4}년 \d{1,2}월 \d{1,2}일 \([월화수목금토일]\) \d{2}:\d{2}", history)
    screenshot(page, "certificate-02-issued")

    pdf = page.request.get(f"/certificates/{row.document_number}.pdf").body()
    path = tmp_path / "copy.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert live_server.url in text
    printed = f"{live_server.url}/verify/?n={row.document_number}"
    assert qr.pdf_path(qr.encode(printed), render.LEFT, 30, 76) in pdf

    page.goto(printed)
    assert page.get_by_label("문서확인번호(16자리)").input_value() == row.document_number
    page.get_by_label("확인코드(8자리)").fill(row.verification_code)
    page.get_by_role("button", name="번호로 확인하기").click()
    verdict = page.locator("section.verify-result").inner_text()
    assert "진본입니다" in verdict and "온라인" in verdict and "online" not in verdict
    assert re.search(r"\d{4}년 \d{1,2}월 \d{1,2}일 \([월화수목금토일]\) \d{2}:\d{2}", verdict)
    screenshot(page, "certificate-03-verified")
    assert axe_violations(page) == []
