"""Laying out a certificate on A4 like the paper form: title, a label/value grid, tables with
ruled rows, the attestation sentence, date, issuing head and seal, and the verification
block (QR code, 문서확인번호, 확인코드).

The layout of a form depends only on its type, its labels and the number of table rows, so
the static part (grid, labels, column heads, attestation, instructions) is drawn once per
layout and cached as a ready-serialised XObject (``writer.StaticForm``); a document only
draws its values.
"""

from __future__ import annotations

import functools
import os
import threading
from datetime import datetime

from minwon.documents.catalog import CATALOG, CertType
from minwon.documents.keys import Mode
from minwon.documents.pdf import qr, writer
from minwon.documents.pdf.canvas import A4, Canvas
from minwon.documents.providers import FormData
from minwon.documents.signing import Signer
from minwon.kernel import formats

LEFT, RIGHT = 40.0, A4[0] - 40.0
WIDTH = RIGHT - LEFT
LABEL_W = 110.0
FIELD_H = 20.0
ROW_H = 15.0
TABLE_BOTTOM = 250.0  # tables stop above the attestation block
MIN_SLOTS = 3


def public_base_url() -> str:
    """Where the verification page lives, as printed and encoded in the QR code:
    ``MINWON_PUBLIC_URL`` (the address citizens reach, e.g. ``https://minwon.wonju.go.kr``;
    ``make run`` sets it to the address it serves), else this machine on ``PORT``."""
    configured = os.environ.get("MINWON_PUBLIC_URL", "").strip()
    if configured:
        return configured.rstrip("/")
    return f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"


def verify_url(number: str) -> str:
    return f"{public_base_url()}/verify/?n={number}"


def format_number(number: str) -> str:
    return "-".join(number[i : i + 4] for i in range(0, 16, 4))


def _slots(data: FormData) -> tuple[int, ...]:
    """Row slots per table: enough for the rows, bounded by the space on the page."""
    top = 735.0 - FIELD_H * len(data.fields) - 16
    room = top - TABLE_BOTTOM - len(data.tables) * (18 + ROW_H + 8)
    max_rows = max(MIN_SLOTS, int(room // ROW_H))
    wanted = [max(MIN_SLOTS, len(t.rows)) for t in data.tables]
    while sum(wanted) > max_rows:
        i = wanted.index(max(wanted))
        wanted[i] -= 1
    return tuple(wanted)


def _layout_key(cert_type: CertType, data: FormData) -> tuple[object, ...]:
    return (
        cert_type,
        tuple(label for label, _ in data.fields),
        tuple((t.title, tuple(t.columns)) for t in data.tables),
        _slots(data),
        public_base_url(),
    )


_static_lock = threading.Lock()


@functools.lru_cache(maxsize=256)
def _static(key: tuple[object, ...]) -> writer.StaticForm:
    cert_type, labels, tables, slots, base = key
    spec = CATALOG[CertType(str(cert_type))]
    c = Canvas()
    c.text(LEFT, 812, "문서확인번호", size=8)
    c.text(RIGHT - 150, 812, "발급일시", size=8)
    c.text(A4[0] / 2, 765, spec.title, size=20, bold=True, align="center")
    y = 735.0
    for label in labels:  # type: ignore[attr-defined]
        c.rect(LEFT, y - FIELD_H, LABEL_W, FIELD_H, fill=0.93)
        c.rect(LEFT + LABEL_W, y - FIELD_H, WIDTH - LABEL_W, FIELD_H)
        c.text(LEFT + 6, y - 14, label, size=9)
        y -= FIELD_H
    y -= 16
    for (title, columns), n_rows in zip(tables, slots, strict=True):  # type: ignore[call-overload]
        c.text(LEFT, y - 12, title, size=10, bold=True)
        y -= 18
        x = LEFT
        for label, share in columns:
            w = WIDTH * share
            c.rect(x, y - ROW_H, w, ROW_H, fill=0.93)
            c.text(x + 4, y - 11, label, size=8)
            x += w
        y -= ROW_H
        for _ in range(n_rows):
            x = LEFT
            for _label, share in columns:
                c.rect(x, y - ROW_H, WIDTH * share, ROW_H, width=0.3)
                x += WIDTH * share
            y -= ROW_H
        y -= 8
    c.text(A4[0] / 2, 215, spec.attestation, size=10, align="center")
    c.raw("0.80 0.10 0.10 RG 1.5 w 380 120 44 44 re S 0 G")
    c.text(402, 137, "(전자서명)", size=7, align="center")
    c.line(LEFT, 108, RIGHT, 108, width=0.3)
    c.text(
        LEFT + 100,
        88,
        "이 문서는 전자서명(PAdES)된 문서로, 위조·변조 여부를 아래에서 확인할 수 있습니다.",
        size=7.5,
    )
    c.text(LEFT + 100, 74, f"진위확인: {base}/verify/ 에서 문서확인번호와 확인코드 입력,", size=7.5)
    c.text(LEFT + 100, 62, "또는 QR 코드를 스캔하거나 PDF 파일을 올려 확인하세요.", size=7.5)
    c.text(LEFT + 100, 46, "확인코드", size=8)
    return writer.build_static(c)


def static_for(cert_type: CertType, data: FormData) -> writer.StaticForm:
    key = _layout_key(cert_type, data)
    with _static_lock:
        return _static(key)


def render(
    *,
    cert_type: CertType,
    data: FormData,
    number: str,
    code: str,
    issued_at: datetime,
    issuer_name: str,
    mode: Mode,
    signer: Signer,
) -> bytes:
    """The signed PDF of one certificate."""
    static = static_for(cert_type, data)
    spec = CATALOG[cert_type]
    c = Canvas()
    c.text(LEFT + 52, 812, format_number(number), size=8, bold=True)
    c.text(RIGHT - 108, 812, formats.compact(issued_at), size=8)
    if mode == Mode.CONTINUITY:
        c.text(A4[0] / 2, 745, "[연속성 모드 발급 — 기관 비상 서명]", size=8, align="center")
    y = 735.0
    for _label, value in data.fields:
        c.fit_text(LEFT + LABEL_W + 6, y - 14, value, WIDTH - LABEL_W - 12, size=9)
        y -= FIELD_H
    y -= 16
    for table, n_rows in zip(data.tables, _slots(data), strict=True):
        y -= 18 + ROW_H
        rows = table.rows
        if len(rows) > n_rows:
            hidden = len(rows) - n_rows + 1
            rows = [*rows[: n_rows - 1], ["", f"… 외 {hidden}건 (전체 내역은 창구에서 발급)"]]
        if not rows:
            c.text(LEFT + 6, y - 11, "(해당 없음)", size=8)
        for n, row in enumerate(rows):
            x = LEFT
            for value, (_label, share) in zip(row, table.columns, strict=False):
                c.fit_text(x + 4, y - 11 - n * ROW_H, value, WIDTH * share - 8, size=8)
                x += WIDTH * share
        y -= ROW_H * n_rows + 8
    c.text(A4[0] / 2, 185, formats.day(issued_at, "ko"), size=11, align="center")
    c.text(360, 135, issuer_name, size=18, bold=True, align="right")
    c.text(LEFT + 140, 46, code, size=10, bold=True)
    modules = qr.encode(verify_url(number))
    return writer.write_signed(
        static=static,
        data=c,
        extra_content=qr.pdf_path(modules, LEFT, 30, 76),
        title=spec.title,
        document_number=number,
        signed_at=issued_at,
        reason=f"{spec.title} 발급 (문서확인번호 {format_number(number)})",
        signer=signer,
    )
