"""Writing a signed one-page certificate PDF in one pass.

The page is the form's static part (drawn once per form and process, stored as a compressed
Form XObject with its own font subset — "one font subset per form") plus the document's
variable part (its data, number, QR code) in a small subset of its own. The signature
dictionary is written with a reserved ``/Contents`` placeholder and a fixed-width
``/ByteRange``; after the file is complete the ranges are patched, hashed, and the CMS from
``signing.Signer`` is written into the placeholder. There is no incremental update: the
signature covers the whole file except its own ``/Contents`` string (PAdES B-B, ISO 32000-1
§12.8), which both pdfsig and pyHanko validate.
"""

from __future__ import annotations

import dataclasses
import hashlib
import zlib
from datetime import datetime

from minwon.documents.pdf import font as font_mod
from minwon.documents.pdf.canvas import A4, Canvas
from minwon.documents.pdf.font import Subset
from minwon.documents.signing import Signer

SIGNATURE_SPACE = 4096  # bytes reserved for the CMS (two P-256 certificates need ~1.4 kB)
_BYTERANGE_PLACEHOLDER = b"/ByteRange [0 0000000000 0000000000 0000000000]"
NUMBER_KEY = b"/MinwonDocumentNumber"

# Object numbers: fixed, so pre-serialised static objects can be reused verbatim.
CATALOG, PAGES, PAGE, CONTENT, WIDGET, SIGNATURE, INFO, FORM = range(1, 9)
STATIC_REGULAR, STATIC_BOLD, DATA_REGULAR, DATA_BOLD = 9, 14, 19, 24
SIZE = 29


def pdf_text(value: str) -> bytes:
    """A PDF text string: UTF-16BE with BOM, hex-encoded (safe for any character)."""
    return b"<FEFF" + value.encode("utf-16-be").hex().upper().encode() + b">"


def pdf_date(at: datetime) -> bytes:
    offset = at.strftime("%z") or "+0000"
    return f"(D:{at:%Y%m%d%H%M%S}{offset[:3]}'{offset[3:]}')".encode()


def _obj(num: int, body: bytes) -> bytes:
    return b"%d 0 obj\n" % num + body + b"\nendobj\n"


def _stream(num: int, header: bytes, data: bytes) -> bytes:
    return _obj(
        num, b"<<" + header + b" /Length %d>>\nstream\n" % len(data) + data + b"\nendstream"
    )


def _to_unicode(subset: Subset) -> bytes:
    entries = sorted(subset.unicode_of.items())
    lines = [
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        b"/CMapName /Adobe-Identity-UCS def /CMapType 2 def",
        b"1 begincodespacerange <0000> <FFFF> endcodespacerange",
    ]
    for start in range(0, len(entries), 100):
        chunk = entries[start : start + 100]
        lines.append(b"%d beginbfchar" % len(chunk))
        lines.extend(
            f"<{gid:04X}> <{ch.encode('utf-16-be').hex().upper()}>".encode() for gid, ch in chunk
        )
        lines.append(b"endbfchar")
    lines.append(b"endcmap CMapName currentdict /CMap defineresource pop end end")
    return b"\n".join(lines)


def font_objects(
    subset: Subset, first: int, face: font_mod.Font, level: int = 6
) -> list[tuple[int, bytes]]:
    """The five objects of one embedded subset: Type0, CIDFontType2, descriptor, font
    program and ToUnicode CMap, numbered ``first`` … ``first + 4``."""
    tag = "".join(chr(65 + b % 26) for b in hashlib.sha256(subset.program).digest()[:6]).encode()
    name = tag + b"+" + face.name.encode()
    widths = b" ".join(b"%d" % w for w in subset.widths)
    scale = 1000 / face.units_per_em
    bbox = b" ".join(b"%d" % round(v * scale) for v in face.bbox)
    program = zlib.compress(subset.program, level)
    return list(
        enumerate(
            [
            _obj(
                first,
                b"<</Type /Font /Subtype /Type0 /BaseFont /" + name
                + b" /Encoding /Identity-H /DescendantFonts [%d 0 R] /ToUnicode %d 0 R>>"
                % (first + 1, first + 4),
            ),
            _obj(
                first + 1,
                b"<</Type /Font /Subtype /CIDFontType2 /BaseFont /" + name
                + b" /CIDSystemInfo <</Registry (Adobe) /Ordering (Identity) /Supplement 0>>"
                + b" /FontDescriptor %d 0 R /CIDToGIDMap /Identity /W [0 [" % (first + 2)
                + widths + b"]]>>",
            ),
            _obj(
                first + 2,
                b"<</Type /FontDescriptor /FontName /" + name
                + b" /Flags 4 /FontBBox [" + bbox + b"] /ItalicAngle 0"
                + b" /Ascent %d /Descent %d /CapHeight %d /StemV 80 /FontFile2 %d 0 R>>"
                % (
                    round(face.ascent * scale), round(face.descent * scale),
                    round(face.cap_height * scale), first + 3,
                ),
            ),
            _stream(
                first + 3,
                b"/Filter /FlateDecode /Length1 %d" % len(subset.program),
                program,
            ),
            _stream(first + 4, b"", _to_unicode(subset)),
            ],
            start=first,
        )
    )  # fmt: skip


@dataclasses.dataclass(frozen=True)
class StaticForm:
    """A form's static part, serialised once: its XObject and its two font subsets."""

    objects: list[tuple[int, bytes]]


def build_static(canvas: Canvas) -> StaticForm:
    regular = font_mod.regular().subset(canvas.chars(bold=False))
    bold = font_mod.bold().subset(canvas.chars(bold=True))
    stream = zlib.compress(canvas.content(regular, bold, ("FR", "FB")), 9)
    xobject = _stream(
        FORM,
        b"/Type /XObject /Subtype /Form /BBox [0 0 %.2f %.2f] /Filter /FlateDecode" % A4
        + b" /Resources <</Font <</FR %d 0 R /FB %d 0 R>>>>" % (STATIC_REGULAR, STATIC_BOLD),
        stream,
    )
    objects = [
        (FORM, xobject),
        *font_objects(regular, STATIC_REGULAR, font_mod.regular(), 9),
        *font_objects(bold, STATIC_BOLD, font_mod.bold(), 9),
    ]
    return StaticForm(objects=objects)


def write_signed(
    *,
    static: StaticForm,
    data: Canvas,
    extra_content: bytes,
    title: str,
    document_number: str,
    signed_at: datetime,
    reason: str,
    signer: Signer,
) -> bytes:
    """The complete signed PDF for one document."""
    regular_face, bold_face = font_mod.regular(), font_mod.bold()
    regular = regular_face.subset(data.chars(bold=False))
    bold = bold_face.subset(data.chars(bold=True))
    content = b"q /Form Do Q\n" + data.content(regular, bold, ("VR", "VB")) + b"\n" + extra_content
    doc_id = hashlib.sha256(document_number.encode()).hexdigest()[:32].encode()
    parts: list[tuple[int, bytes]] = [
        (
            CATALOG,
            _obj(
                CATALOG,
                b"<</Type /Catalog /Pages %d 0 R /AcroForm <</Fields [%d 0 R] /SigFlags 3>>>>"
                % (PAGES, WIDGET),
            ),
        ),
        (PAGES, _obj(PAGES, b"<</Type /Pages /Kids [%d 0 R] /Count 1>>" % PAGE)),
        (
            PAGE,
            _obj(
                PAGE,
                b"<</Type /Page /Parent %d 0 R /MediaBox [0 0 %.2f %.2f]" % ((PAGES, *A4))
                + b" /Resources <</Font <</VR %d 0 R /VB %d 0 R>> /XObject <</Form %d 0 R>>"
                % (DATA_REGULAR, DATA_BOLD, FORM)
                + b" /ProcSet [/PDF /Text]>> /Contents %d 0 R /Annots [%d 0 R]>>"
                % (CONTENT, WIDGET),
            ),
        ),
        (CONTENT, _stream(CONTENT, b"", content)),
        (
            WIDGET,
            _obj(
                WIDGET,
                b"<</Type /Annot /Subtype /Widget /FT /Sig /T (Signature1) /V %d 0 R"
                b" /Rect [0 0 0 0] /F 132 /P %d 0 R>>" % (SIGNATURE, PAGE),
            ),
        ),
        (
            INFO,
            _obj(
                INFO,
                b"<</Producer (minwon) /Title " + pdf_text(title)
                + b" /CreationDate " + pdf_date(signed_at)
                + b" " + NUMBER_KEY + b" (" + document_number.encode() + b")>>",
            ),
        ),
    ]  # fmt: skip
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for num, body in parts:
        offsets[num] = len(out)
        out += body
    for num, body in (
        static.objects
        + font_objects(regular, DATA_REGULAR, regular_face)
        + font_objects(bold, DATA_BOLD, bold_face)
    ):
        offsets[num] = len(out)
        out += body
    offsets[SIGNATURE] = len(out)
    out += b"%d 0 obj\n<</Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached " % (
        SIGNATURE
    )
    range_at = len(out)
    out += _BYTERANGE_PLACEHOLDER + b" /Contents "
    contents_start = len(out)
    out += b"<" + b"0" * (2 * SIGNATURE_SPACE) + b">"
    contents_end = len(out)
    out += b" /M " + pdf_date(signed_at) + b" /Reason " + pdf_text(reason) + b">>\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % SIZE
    for num in range(1, SIZE):
        out += b"%010d 00000 n \n" % offsets[num]
    out += (
        b"trailer\n<</Size %d /Root %d 0 R /Info %d 0 R /ID [<%s> <%s>]>>\nstartxref\n%d\n%%%%EOF\n"
        % (SIZE, CATALOG, INFO, doc_id, doc_id, xref_at)
    )
    byte_range = b"/ByteRange [0 %010d %010d %010d]" % (
        contents_start, contents_end, len(out) - contents_end,
    )  # fmt: skip
    out[range_at : range_at + len(byte_range)] = byte_range
    view = memoryview(out)
    hasher = hashlib.sha256(view[:contents_start])
    hasher.update(view[contents_end:])
    digest = hasher.digest()
    view.release()
    cms = signer.cms(digest).hex().upper().encode()
    if len(cms) > 2 * SIGNATURE_SPACE:
        raise RuntimeError("signature larger than the reserved space")
    out[contents_start + 1 : contents_start + 1 + len(cms)] = cms
    return bytes(out)
