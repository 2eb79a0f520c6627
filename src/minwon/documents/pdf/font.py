"""TrueType subsetting for certificate PDFs, fast enough to run per document.

Certificates print Korean text in Pretendard GOV (SIL OFL 1.1, shipped with the package under
``web/static/vendor/pretendard-gov/``; the OFL allows embedding). The full font is 5.6 MB, so
each PDF embeds only the glyphs it uses. General-purpose subsetters (fontTools, reportlab)
take tens of milliseconds; issuance is the hottest path in the system, so this module parses
the font once per process and then builds a subset by slicing pre-split glyph records:

* glyphs are renumbered densely (0 = .notdef, then the used ones), composite glyphs pull in
  their components with their indices rewritten;
* only the tables a PDF viewer needs for a CIDFontType2 with ``CIDToGIDMap /Identity`` are
  written (``head hhea maxp hmtx loca glyf``) — ISO 32000-1 §9.9 — so there is no ``cmap``
  to build: text is shown by glyph id and made searchable through a ToUnicode CMap.
"""

from __future__ import annotations

import dataclasses
import functools
import struct
from collections.abc import Iterable
from pathlib import Path

from minwon.config.paths import PACKAGE_DIR

FONT_DIR = PACKAGE_DIR / "web" / "static" / "vendor" / "pretendard-gov" / "ttf"
REGULAR = FONT_DIR / "PretendardGOV-Regular.ttf"
BOLD = FONT_DIR / "PretendardGOV-Bold.ttf"

_ARG_WORDS = 0x0001
_HAVE_SCALE = 0x0008
_MORE = 0x0020
_XY_SCALE = 0x0040
_TWO_BY_TWO = 0x0080


def _checksum(data: bytes) -> int:
    padded = data + b"\0" * (-len(data) % 4)
    return sum(struct.unpack(f">{len(padded) // 4}I", padded)) & 0xFFFFFFFF


@dataclasses.dataclass(frozen=True)
class Subset:
    """One embedded subset: the font program, the glyph id of each character, widths in
    PDF units (1/1000 em) and the characters each new glyph id stands for."""

    program: bytes
    gid_of: dict[str, int]
    widths: list[int]
    unicode_of: dict[int, str]

    def encode(self, text: str) -> bytes:
        """Text as 2-byte glyph ids (the content stream's hex string body)."""
        gid_of = self.gid_of
        return "".join(f"{gid_of.get(ch, 0):04X}" for ch in text).encode()


class Font:
    """A TrueType font parsed once: its glyph records, metrics and character map."""

    def __init__(self, path: Path) -> None:
        data = path.read_bytes()
        tables: dict[str, tuple[int, int]] = {}
        (count,) = struct.unpack(">H", data[4:6])
        for i in range(count):
            tag, _, offset, length = struct.unpack(">4sIII", data[12 + 16 * i : 28 + 16 * i])
            tables[tag.decode("latin-1")] = (offset, length)
        self.name = path.stem
        head_off, head_len = tables["head"]
        self.head = bytearray(data[head_off : head_off + head_len])
        self.units_per_em = struct.unpack(">H", self.head[18:20])[0]
        long_loca = struct.unpack(">h", self.head[50:52])[0] == 1
        maxp_off, maxp_len = tables["maxp"]
        self.maxp = bytearray(data[maxp_off : maxp_off + maxp_len])
        (self.num_glyphs,) = struct.unpack(">H", self.maxp[4:6])
        hhea_off, hhea_len = tables["hhea"]
        self.hhea = bytearray(data[hhea_off : hhea_off + hhea_len])
        (n_metrics,) = struct.unpack(">H", self.hhea[34:36])
        hmtx_off, _ = tables["hmtx"]
        advances = list(
            struct.unpack(f">{2 * n_metrics}H", data[hmtx_off : hmtx_off + 4 * n_metrics])
        )
        self.advance = advances[0::2] + [advances[-2]] * (self.num_glyphs - n_metrics)
        lsb = list(struct.unpack(f">{2 * n_metrics}h", data[hmtx_off : hmtx_off + 4 * n_metrics]))[
            1::2
        ]
        extra = self.num_glyphs - n_metrics
        lsb += list(
            struct.unpack(
                f">{extra}h", data[hmtx_off + 4 * n_metrics : hmtx_off + 4 * n_metrics + 2 * extra]
            )
        )
        self.lsb = lsb
        loca_off, _ = tables["loca"]
        n = self.num_glyphs + 1
        if long_loca:
            loca = struct.unpack(f">{n}I", data[loca_off : loca_off + 4 * n])
        else:
            loca = tuple(2 * x for x in struct.unpack(f">{n}H", data[loca_off : loca_off + 2 * n]))
        glyf_off, _ = tables["glyf"]
        self.glyphs: list[bytes] = [
            data[glyf_off + loca[g] : glyf_off + loca[g + 1]] for g in range(self.num_glyphs)
        ]
        self.cmap = self._read_cmap(data, *tables["cmap"])
        os2_off, _ = tables["OS/2"]
        self.ascent = struct.unpack(">h", data[os2_off + 68 : os2_off + 70])[0]
        self.descent = struct.unpack(">h", data[os2_off + 70 : os2_off + 72])[0]
        self.cap_height = self.ascent
        self.bbox = struct.unpack(">4h", self.head[36:44])

    @staticmethod
    def _read_cmap(data: bytes, offset: int, _length: int) -> dict[int, int]:
        """Unicode → glyph id from the (3,10) format-12 subtable, else (3,1) format 4."""
        (count,) = struct.unpack(">H", data[offset + 2 : offset + 4])
        subtables = {}
        for i in range(count):
            pid, eid, sub = struct.unpack(">HHI", data[offset + 4 + 8 * i : offset + 12 + 8 * i])
            subtables[(pid, eid)] = offset + sub
        mapping: dict[int, int] = {}
        if (3, 10) in subtables:
            at = subtables[(3, 10)]
            (n_groups,) = struct.unpack(">I", data[at + 12 : at + 16])
            for i in range(n_groups):
                start, end, gid = struct.unpack(">III", data[at + 16 + 12 * i : at + 28 + 12 * i])
                for code in range(start, end + 1):
                    mapping[code] = gid + code - start
            return mapping
        at = subtables[(3, 1)]
        seg2 = struct.unpack(">H", data[at + 6 : at + 8])[0]
        ends = struct.unpack(f">{seg2 // 2}H", data[at + 14 : at + 14 + seg2])
        starts_at = at + 16 + seg2
        starts = struct.unpack(f">{seg2 // 2}H", data[starts_at : starts_at + seg2])
        deltas = struct.unpack(f">{seg2 // 2}h", data[starts_at + seg2 : starts_at + 2 * seg2])
        range_at = starts_at + 2 * seg2
        offsets = struct.unpack(f">{seg2 // 2}H", data[range_at : range_at + seg2])
        for i, (start, end) in enumerate(zip(starts, ends, strict=True)):
            for code in range(start, end + 1):
                if code == 0xFFFF:
                    continue
                if offsets[i] == 0:
                    gid = (code + deltas[i]) & 0xFFFF
                else:
                    ptr = range_at + 2 * i + offsets[i] + 2 * (code - start)
                    gid = struct.unpack(">H", data[ptr : ptr + 2])[0]
                    gid = (gid + deltas[i]) & 0xFFFF if gid else 0
                mapping[code] = gid
        return mapping

    def width(self, text: str, size: float) -> float:
        """Advance width of ``text`` at ``size`` points."""
        cmap, advance = self.cmap, self.advance
        total = sum(advance[cmap.get(ord(ch), 0)] for ch in text)
        return total * size / self.units_per_em

    def _components(self, gid: int) -> list[int]:
        glyph = self.glyphs[gid]
        if len(glyph) < 10 or struct.unpack(">h", glyph[:2])[0] >= 0:
            return []
        found, at = [], 10
        while True:
            flags, component = struct.unpack(">HH", glyph[at : at + 4])
            found.append(component)
            at += 4 + (4 if flags & _ARG_WORDS else 2)
            if flags & _HAVE_SCALE:
                at += 2
            elif flags & _XY_SCALE:
                at += 4
            elif flags & _TWO_BY_TWO:
                at += 8
            if not flags & _MORE:
                return found

    def _renumbered(self, gid: int, new_of: dict[int, int]) -> bytes:
        glyph = self.glyphs[gid]
        if len(glyph) < 10 or struct.unpack(">h", glyph[:2])[0] >= 0:
            return glyph
        out, at = bytearray(glyph), 10
        while True:
            flags, component = struct.unpack(">HH", glyph[at : at + 4])
            struct.pack_into(">H", out, at + 2, new_of[component])
            at += 4 + (4 if flags & _ARG_WORDS else 2)
            if flags & _HAVE_SCALE:
                at += 2
            elif flags & _XY_SCALE:
                at += 4
            elif flags & _TWO_BY_TWO:
                at += 8
            if not flags & _MORE:
                return bytes(out)

    def subset(self, chars: Iterable[str]) -> Subset:
        """A dense subset holding ``chars`` (and the components of composite glyphs)."""
        cmap = self.cmap
        wanted = sorted({ch for ch in chars if ch not in "\n\r\t"})
        order = [0]
        new_of = {0: 0}
        gid_of: dict[str, int] = {}
        unicode_of: dict[int, str] = {}
        pending = []
        for ch in wanted:
            old = cmap.get(ord(ch), 0)
            if old not in new_of:
                new_of[old] = len(order)
                order.append(old)
                pending.append(old)
            gid_of[ch] = new_of[old]
            unicode_of.setdefault(new_of[old], ch)
        while pending:
            for component in self._components(pending.pop()):
                if component not in new_of:
                    new_of[component] = len(order)
                    order.append(component)
                    pending.append(component)
        glyf = bytearray()
        loca = [0]
        for old in order:
            record = self._renumbered(old, new_of)
            glyf += record
            glyf += b"\0" * (-len(record) % 4)
            loca.append(len(glyf))
        count = len(order)
        hmtx = struct.pack(
            ">" + "Hh" * count, *[v for old in order for v in (self.advance[old], self.lsb[old])]
        )
        head = bytearray(self.head)
        struct.pack_into(">I", head, 8, 0)
        struct.pack_into(">h", head, 50, 1)
        hhea = bytearray(self.hhea)
        struct.pack_into(">H", hhea, 34, count)
        maxp = bytearray(self.maxp)
        struct.pack_into(">H", maxp, 4, count)
        program = _assemble(
            {
                "glyf": bytes(glyf),
                "head": bytes(head),
                "hhea": bytes(hhea),
                "hmtx": hmtx,
                "loca": struct.pack(f">{count + 1}I", *loca),
                "maxp": bytes(maxp),
            }
        )
        scale = 1000 / self.units_per_em
        widths = [round(self.advance[old] * scale) for old in order]
        return Subset(program=program, gid_of=gid_of, widths=widths, unicode_of=unicode_of)


def _assemble(tables: dict[str, bytes]) -> bytes:
    """An sfnt file from its tables (sorted tags, 4-byte aligned, checksums filled)."""
    tags = sorted(tables)
    n = len(tags)
    entry_selector = max(i for i in range(16) if 2**i <= n)
    search_range = 16 * 2**entry_selector
    header = struct.pack(
        ">IHHHH", 0x00010000, n, search_range, entry_selector, n * 16 - search_range
    )
    offset = 12 + 16 * n
    directory = bytearray()
    body = bytearray()
    for tag in tags:
        data = tables[tag]
        directory += struct.pack(
            ">4sIII", tag.encode("latin-1"), _checksum(data), offset + len(body), len(data)
        )
        body += data + b"\0" * (-len(data) % 4)
    return header + bytes(directory) + bytes(body)


@functools.cache
def regular() -> Font:
    return Font(REGULAR)


@functools.cache
def bold() -> Font:
    return Font(BOLD)
