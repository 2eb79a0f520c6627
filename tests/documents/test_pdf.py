"""The PDF engine: font subsets, the QR encoder, each certificate type's fields and options,
and signatures that pdfsig and pyHanko accept — and reject after any change."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import segno

from minwon.documents import render
from minwon.documents.models import IssuedFile
from minwon.documents.pdf import font, qr
from minwon.kernel import execute
from minwon.land.commands import RegisterParcel
from tests.documents.conftest import (
    HEAD_RRN,
    SPOUSE_RRN,
    kiosk,
    pdf_text,
    pdfsig,
    pyhanko_status,
)
from tests.registry import factories

pytestmark = pytest.mark.django_db


def pdf_of(result: Any) -> bytes:
    return IssuedFile.objects.get(pk=result.value["document_number"]).content()


def test_font_subset_keeps_only_used_glyphs_and_composites() -> None:
    face = font.regular()
    subset = face.subset("주민등록표 Ä1")
    assert subset.gid_of["주"] != 0 and subset.gid_of["1"] != 0
    assert len(subset.widths) >= 8
    assert len(subset.program) < 20_000  # the full font is 5.6 MB


@pytest.mark.parametrize("payload", ["https://minwon.example.kr/verify/?n=9876543210987654", "ab"])
def test_qr_path_fills_exactly_the_dark_modules(payload: str) -> None:
    """Read the rectangles of the drawn path back onto the module grid: every dark module
    is covered once, no light one is."""
    modules = qr.encode(payload)
    n = len(modules)
    x0, y0, size = 56.7, 30.0, 76.0
    unit = size / (n + 8)
    drawn = [[0] * n for _ in range(n)]
    ops = qr.pdf_path(modules, x0, y0, size).decode().split("\n")
    assert ops[0] == "0 g" and ops[-2:] == ["f", ""]
    for op in ops[1:-2]:
        left, bottom, width, height, name = op.split()
        assert name == "re" and abs(float(height) - unit) < 0.01
        col = round((float(left) - x0) / unit) - 4
        row = round((y0 + size - float(bottom)) / unit) - 5
        for c in range(col, col + round(float(width) / unit)):
            drawn[row][c] += 1
    assert drawn == [[int(dark) for dark in line] for line in modules]


@pytest.mark.parametrize(
    "payload", ["https://minwon.example.kr/verify/?n=1234567890123452", "x" * 100]
)
def test_qr_matches_segno_module_for_module(payload: str) -> None:
    template = qr.template(len(payload))
    ours = qr.encode(payload)
    theirs = segno.make(
        payload, error="m", mode="byte", version=template.version, mask=0, boost_error=False
    )
    reference = [[bool(v) for v in row] for row in theirs.matrix]
    data_positions = {(y, x) for y, x, _ in template.positions}
    # Function patterns, format and version information: identical.
    for y, row in enumerate(reference):
        for x, dark in enumerate(row):
            if (y, x) not in data_positions:
                assert ours[y][x] == dark, (y, x)
    # Data: segno's codewords, read back through our module order, get the same
    # Reed–Solomon codewords and interleaving from our encoder.
    bits = [int(reference[y][x] ^ flip) for y, x, flip in template.positions]
    codewords = [int("".join(map(str, bits[i : i + 8])), 2) for i in range(0, len(bits) - 7, 8)]
    sizes = [size for size, count in template.groups for _ in range(count)]
    blocks: list[list[int]] = [[] for _ in sizes]
    stream = iter(codewords)
    for i in range(max(sizes)):
        for block, size in zip(blocks, sizes, strict=True):
            if i < size:
                block.append(next(stream))
    data = [c for block in blocks for c in block]
    assert template.interleave(data) == codewords[: len(template.interleave(data))]
    assert (
        data[: len(template.data_codewords(payload.encode())) - 1][:3]
        == template.data_codewords(payload.encode())[:3]
    )


def test_signature_valid_in_pdfsig_and_pyhanko(
    household: dict[str, Any], tmp_path: Path, nss_dir: Path | None
) -> None:
    pdf = pdf_of(kiosk("resident_copy", HEAD_RRN))
    path = tmp_path / "copy.pdf"
    path.write_bytes(pdf)
    report = pdfsig(path, nss_dir)
    assert "Signature Validation: Signature is Valid." in report
    assert "Total document signed" in report
    if nss_dir is not None:
        assert "Certificate Validation: Certificate is Trusted." in report
    status = pyhanko_status(pdf)
    assert status.intact and status.valid and status.trusted
    assert status.bottom_line


@pytest.mark.parametrize("where", [0.2, 0.5, 0.98])
def test_flipped_byte_fails_both_validators(
    household: dict[str, Any], tmp_path: Path, where: float, nss_dir: Path | None
) -> None:
    pdf = bytearray(pdf_of(kiosk("resident_copy", HEAD_RRN)))
    start = pdf.index(b"/Contents <")
    end = pdf.index(b">", start + 11)
    at = int(len(pdf) * where)
    if start <= at <= end:  # keep inside the signed range, outside the signature itself
        at = start - 20
    pdf[at] ^= 0x01
    path = tmp_path / "flipped.pdf"
    path.write_bytes(bytes(pdf))
    report = pdfsig(path, nss_dir)
    assert "Signature Validation: Signature is Valid." not in report
    try:
        status = pyhanko_status(bytes(pdf))
    except Exception:
        return
    assert not status.bottom_line


def test_resident_copy_fields_and_hidden_back_digits(
    household: dict[str, Any], tmp_path: Path
) -> None:
    text = pdf_text(pdf_of(kiosk("resident_copy", HEAD_RRN)), tmp_path)
    assert "주민등록표 (등본)" in text
    assert "김세대" in text and "이배우" in text and "세대주" in text and "배우자" in text
    assert HEAD_RRN[:6] + "-" + HEAD_RRN[6] in text
    assert HEAD_RRN[7:] not in text and SPOUSE_RRN[7:] not in text
    # A kiosk that proved the person at the high level (지문) may print the back digits.
    shown = pdf_text(
        pdf_of(kiosk("resident_copy", HEAD_RRN, show_rrn_back=True, assurance="high")), tmp_path
    )
    assert f"{HEAD_RRN[:6]}-{HEAD_RRN[6:]}" in shown


def test_resident_copy_without_relationship(household: dict[str, Any], tmp_path: Path) -> None:
    text = pdf_text(pdf_of(kiosk("resident_copy", HEAD_RRN, include_relationship=False)), tmp_path)
    assert "배우자" not in text and "이배우" in text


def test_resident_abstract_history_period(household: dict[str, Any], tmp_path: Path) -> None:
    head = household["head"]
    factories.move_in(
        [(head, "head"), (household["spouse"], "spouse")],
        moved_in_on=factories.today() - timedelta(days=3),
    )
    full = pdf_text(pdf_of(kiosk("resident_abstract", HEAD_RRN)), tmp_path)
    assert "단구로 170" in full and "무실로 55" in full
    recent = pdf_text(
        pdf_of(
            kiosk("resident_abstract", HEAD_RRN, history_from=factories.today() - timedelta(days=2))
        ),
        tmp_path,
    )
    assert "무실로 55" in recent and "단구로 170" not in recent
    assert "세대주와의 관계" in recent


def test_land_vehicle_business_tax_render(household: dict[str, Any], tmp_path: Path) -> None:
    head = household["head"]
    from minwon.kernel.types import Channel

    parcel = execute(
        RegisterParcel(
            actor=factories.SYSTEM,
            channel=Channel.COUNTER,
            jurisdiction=factories.WONJU,
            legal_dong_code="5113010100",
            legal_dong_name="원주시 중앙동",
            main_no=12,
            sub_no=3,
            category="대",
            area_m2="330.50",
            owner_id=head.pk,
            acquired_on=date(2020, 1, 2),
        )
    ).value
    pnu = "5113010100100120003"
    assert parcel
    land = pdf_text(pdf_of(kiosk("land_register", HEAD_RRN, subject=pnu)), tmp_path)
    assert "토지대장" in land and "중앙동 12-3" in land and "330.50" in land
    factories.vehicle(head, plate="34나5678")
    car = pdf_text(pdf_of(kiosk("vehicle_register", HEAD_RRN, subject="34나5678")), tmp_path)
    assert "자동차등록원부 (갑)" in car and "34나5678" in car and "아반떼" in car
    factories.permit(head)
    from minwon.licensing.models import Permit

    number = Permit.objects.get(holder=head).number
    biz = pdf_text(pdf_of(counter_issue("business_report", HEAD_RRN, subject=number)), tmp_path)
    assert "영업신고증" in biz and "길동상회" in biz
    tax = pdf_text(
        pdf_of(kiosk("tax_payment", HEAD_RRN, purpose="대금 수령", payment_method="")), tmp_path
    )
    assert "지방세 납세증명서" in tax and "체납액" in tax and "대금 수령" in tax


def counter_issue(cert_type: str, applicant_rrn: str, **fields: Any) -> Any:
    from minwon.documents.commands import IssueCertificate
    from minwon.kernel.types import Actor, Channel
    from tests.conftest import WONJU
    from tests.documents.conftest import index_of

    return execute(
        IssueCertificate(
            actor=Actor.system("counter-test"),
            channel=Channel.COUNTER,
            jurisdiction=WONJU,
            cert_type=cert_type,
            applicant_index=index_of(applicant_rrn),
            **fields,
        )
    )


def test_the_public_address_is_printed_and_in_the_qr_code(
    household: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MINWON_PUBLIC_URL", "https://minwon.wonju.example:8443/")
    result = kiosk("resident_copy", HEAD_RRN)
    data, number = pdf_of(result), result.value["document_number"]
    url = f"https://minwon.wonju.example:8443/verify/?n={number}"
    assert render.verify_url(number) == url
    assert "https://minwon.wonju.example:8443" in pdf_text(data, tmp_path)
    assert qr.pdf_path(qr.encode(url), render.LEFT, 30, 76) in data
    assert b"127.0.0.1" not in data


def test_without_configuration_the_address_is_this_machine_on_its_port(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MINWON_PUBLIC_URL")
    monkeypatch.setenv("PORT", "8121")
    assert render.public_base_url() == "http://127.0.0.1:8121"
