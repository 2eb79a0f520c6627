"""The print batch as one PDF of letters (우편 발송용), one A4 page per notice: the sender,
the recipient's address block placed for a window envelope, the notice text, its items and
the deadline, in Korean time.

Built on the project's own PDF path (``documents.pdf``): one font subset per batch for all
pages, each page a compressed content stream. Not signed: the letter is what the post
carries; the 송달 증명 is the signed record.
"""

from __future__ import annotations

import textwrap
import zlib
from collections.abc import Iterable

from minwon.documents.pdf import font as font_mod
from minwon.documents.pdf.canvas import A4, Canvas
from minwon.documents.pdf.writer import _obj, _stream, font_objects, pdf_text
from minwon.kernel import clock
from minwon.notices.models import Notice, PrintBatch

LEFT = 56.0


def _letter(n: Notice, office: str) -> Canvas:
    c = Canvas()
    c.text(LEFT, 800, f"{office} (발신)", size=10, bold=True)
    c.text(LEFT, 786, "전자고지 미열람분 우편 발송", size=8)
    # The address block, where a window envelope shows it (bottom-left of the upper third).
    c.rect(LEFT + 240, 650, 240, 80, width=0.4)
    c.fit_text(LEFT + 250, 710, n.address, 220, size=10)
    c.text(LEFT + 250, 690, f"{n.recipient_name} 귀하", size=12, bold=True)
    c.text(LEFT + 250, 660, f"고지번호 {n.pk:010d}", size=7)
    c.text(LEFT, 610, n.subject, size=13, bold=True)
    y = 585.0
    for paragraph in n.body.split("\n"):
        for line in textwrap.wrap(paragraph, 44) or [""]:
            c.text(LEFT, y, line, size=10)
            y -= 16
    y -= 10
    rows = [*((i.get("label", ""), i.get("value", "")) for i in n.items),
            (n.deadline_label, f"{n.deadline_on:%Y년 %m월 %d일}"),
            ("전자 발송", f"{clock.local(n.issued_at):%Y-%m-%d %H:%M} (한국 시간)")]  # fmt: skip
    for label, value in rows:
        c.rect(LEFT, y - 6, 110, 20, width=0.3, fill=0.93)
        c.rect(LEFT + 110, y - 6, 370, 20, width=0.3)
        c.text(LEFT + 6, y, str(label), size=9, bold=True)
        c.fit_text(LEFT + 116, y, str(value), 358, size=9)
        y -= 20
    c.text(LEFT, 90, "이 고지서는 전자고지함에서 열람되지 않아 우편으로 보내 드립니다.", size=8)
    c.text(A4[0] / 2, 60, office, size=14, bold=True, align="center")
    return c


def letters_pdf(batch: PrintBatch) -> bytes:
    notices = list(batch.notices.select_related("jurisdiction").order_by("pk"))
    office = batch.campaign.jurisdiction.full_name
    return write_pages([_letter(n, office) for n in notices], title=f"우편 발송 묶음 {batch.pk}")


def write_pages(pages: Iterable[Canvas], *, title: str) -> bytes:
    """A plain multi-page PDF of ``pages`` sharing one regular and one bold subset."""
    canvases = list(pages)
    regular_face, bold_face = font_mod.regular(), font_mod.bold()
    regular = regular_face.subset(set().union(*(c.chars(bold=False) for c in canvases)) or {" "})
    bold = bold_face.subset(set().union(*(c.chars(bold=True) for c in canvases)) or {" "})
    catalog, pages_num, info, fr, fb = 1, 2, 3, 4, 9
    first_page = 14
    kids = [first_page + 2 * i for i in range(len(canvases))]
    objects: list[tuple[int, bytes]] = [
        (catalog, _obj(catalog, b"<</Type /Catalog /Pages %d 0 R>>" % pages_num)),
        (pages_num, _obj(pages_num, b"<</Type /Pages /Kids [%s] /Count %d>>"
                         % (b" ".join(b"%d 0 R" % k for k in kids), len(kids)))),
        (info, _obj(info, b"<</Producer (minwon) /Title " + pdf_text(title) + b">>")),
        *font_objects(regular, fr, regular_face),
        *font_objects(bold, fb, bold_face),
    ]  # fmt: skip
    for num, canvas in zip(kids, canvases, strict=True):
        content = zlib.compress(canvas.content(regular, bold, ("FR", "FB")), 6)
        objects.append((num, _obj(num,
            b"<</Type /Page /Parent %d 0 R /MediaBox [0 0 %.2f %.2f]" % (pages_num, *A4)
            + b" /Resources <</Font <</FR %d 0 R /FB %d 0 R>> /ProcSet [/PDF /Text]>>" % (fr, fb)
            + b" /Contents %d 0 R>>" % (num + 1))))  # fmt: skip
        objects.append((num + 1, _stream(num + 1, b"/Filter /FlateDecode", content)))
    size = max(n for n, _ in objects) + 1
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for num, body in sorted(objects):
        offsets[num] = len(out)
        out += body
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for num in range(1, size):
        out += b"%010d 00000 n \n" % offsets[num]
    out += b"trailer\n<</Size %d /Root %d 0 R /Info %d 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (
        size, catalog, info, xref_at,
    )  # fmt: skip
    return bytes(out)
