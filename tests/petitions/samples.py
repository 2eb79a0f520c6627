"""Small real files of every type an office takes, made here rather than kept as binaries:
a one-page PDF, an 8×8 grey JPEG (baseline, one Huffman code per table), a 2×2 PNG, an
HWP-like OLE compound file holding the ``FileHeader`` stream, and an HWPX package."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib


def pdf(text: str = "minwon") -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R >>",
    ]
    stream = f"BT /F1 12 Tf 20 50 Td ({text}) Tj ET".encode()
    objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def jpeg() -> bytes:
    """An 8×8 mid-grey baseline JPEG: every coefficient zero, so one DC code and one EOB."""

    def segment(marker: int, body: bytes) -> bytes:
        return struct.pack(">BBH", 0xFF, marker, len(body) + 2) + body

    one_code = bytes([1] + [0] * 15) + b"\x00"  # one code of length 1, for symbol 0
    return b"".join([
        b"\xff\xd8",
        segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
        segment(0xDB, b"\x00" + bytes([1] * 64)),
        segment(0xC0, b"\x08\x00\x08\x00\x08\x01\x01\x11\x00"),
        segment(0xC4, b"\x00" + one_code),
        segment(0xC4, b"\x10" + one_code),
        segment(0xDA, b"\x01\x01\x00\x00\x3f\x00"),
        b"\x3f",  # DC category 0 ('0'), EOB ('0'), padded with ones
        b"\xff\xd9",
    ])  # fmt: skip


def png(width: int = 2, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    rows = b"".join(b"\x00" + b"\x20\x60\xc0" * width for _ in range(height))
    return b"".join([
        b"\x89PNG\r\n\x1a\n",
        chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)),
        chunk(b"IDAT", zlib.compress(rows)),
        chunk(b"IEND", b""),
    ])  # fmt: skip


def ole(stream_name: str = "FileHeader", content: bytes = b"HWP Document File") -> bytes:
    """A compound file (CFB v3, 512-byte sectors) with one stream ``stream_name``. The
    stream is padded to 4096 bytes so it lives in ordinary sectors, not the mini stream."""
    free, end, fat_sector, no_stream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    data = content.ljust(4096, b"\x00")
    data_sectors = len(data) // 512
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 40, 0, 1, 1, 0, 4096, end, 0, end, 0)
    difat = [0] + [free] * 108
    struct.pack_into("<109I", header, 76, *difat)
    fat = [fat_sector, end, *range(3, 2 + data_sectors), end]
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat) + b"\xff" * (512 - 4 * len(fat))

    def entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        return (
            encoded.ljust(64, b"\x00")
            + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", no_stream, no_stream, child)
            + b"\x00" * 16
            + b"\x00" * 4
            + b"\x00" * 16
            + struct.pack("<IQ", start, size)
        )

    empty = b"\x00" * 64 + struct.pack("<HBB", 0, 0, 0) + struct.pack("<III", *[no_stream] * 3)
    empty = empty.ljust(128, b"\x00")
    directory = (
        entry("Root Entry", 5, 1, end, 0)
        + entry(stream_name, 2, no_stream, 2, len(data))
        + empty
        + empty
    )
    return bytes(header) + fat_bytes + directory + data


def hwp() -> bytes:
    return ole("FileHeader", b"HWP Document File" + b"\x00" * 15 + b"\x00\x00\x05\x05")


def hwpx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), b"application/hwp+zip", compress_type=zipfile.ZIP_STORED
        )
        archive.writestr("Contents/section0.xml", "<hs:sec/>", compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", "<manifest/>")
    return out.getvalue()


def other_zip() -> bytes:
    """A zip that is no HWPX (a .docx-like package)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def exe() -> bytes:
    """A Windows executable's first bytes (MZ header, PE signature)."""
    head = bytearray(b"MZ" + b"\x90\x00" + b"\x00" * 56 + struct.pack("<I", 64))
    return bytes(head) + b"PE\x00\x00" + b"\x4c\x01" + b"\x00" * 400


def html() -> bytes:
    return b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
