"""A QR code encoder specialised for one job: the verification link printed on every
certificate (``<base>/verify/?n=<16 digits>``).

A general encoder (segno, qrcode) evaluates all eight masks and rebuilds the symbol from
scratch: 3–20 ms per code, more than the whole rest of a document. Every link has the same
length, so version, function patterns, data-module positions and mask are computed once per
template and a document only pays for its codewords, Reed–Solomon and one pass over the data
modules (about 0.2 ms). Byte mode, error-correction level M, mask 0 (ISO/IEC 18004); the test
suite checks the symbols against segno module for module.
"""

from __future__ import annotations

import functools
import operator
import re

# Level M: (data codewords per block, number of blocks) groups and EC codewords per block.
_BLOCKS_M: dict[int, tuple[int, list[tuple[int, int]]]] = {
    1: (10, [(16, 1)]),
    2: (16, [(28, 1)]),
    3: (26, [(44, 1)]),
    4: (18, [(32, 2)]),
    5: (24, [(43, 2)]),
    6: (16, [(27, 4)]),
    7: (18, [(31, 4)]),
    8: (22, [(38, 2), (39, 2)]),
    9: (22, [(36, 3), (37, 2)]),
    10: (26, [(43, 4), (44, 1)]),
}
_ALIGN = {
    1: [], 2: [6, 18], 3: [6, 22], 4: [6, 26], 5: [6, 30], 6: [6, 34],
    7: [6, 22, 38], 8: [6, 24, 42], 9: [6, 26, 46], 10: [6, 28, 50],
}  # fmt: skip

_BITS = [bytes((v >> (7 - k)) & 1 for k in range(8)) for v in range(256)]
_BOOL = (False, True)

_EXP = [0] * 512
_LOG = [0] * 256
_x = 1
for _i in range(255):
    _EXP[_i] = _x
    _LOG[_x] = _i
    _x <<= 1
    if _x & 0x100:
        _x ^= 0x11D
for _i in range(255, 512):
    _EXP[_i] = _EXP[_i - 255]


@functools.cache
def _generator(degree: int) -> tuple[int, ...]:
    poly = [1]
    for i in range(degree):
        nxt = [0] * (len(poly) + 1)
        for j, coef in enumerate(poly):
            nxt[j] ^= coef
            if coef:
                nxt[j + 1] ^= _EXP[_LOG[coef] + i]
        poly = nxt
    return tuple(poly[1:])


@functools.cache
def _products(degree: int) -> tuple[int, ...]:
    """For each byte value f, the generator's coefficients times f, packed big-endian into
    one integer: the remainder register below then advances a byte with one XOR."""
    log_gen = [_LOG[g] for g in _generator(degree)]
    table = [0]
    for f in range(1, 256):
        lf = _LOG[f]
        table.append(int.from_bytes(bytes(_EXP[lf + lg] for lg in log_gen), "big"))
    return tuple(table)


def _reed_solomon(data: list[int], degree: int) -> list[int]:
    """The ``degree`` error-correction codewords of ``data`` (polynomial division by the
    generator, the remainder kept as one integer of ``degree`` bytes)."""
    table = _products(degree)
    shift = 8 * (degree - 1)
    mask = (1 << 8 * degree) - 1
    rem = 0
    for byte in data:
        rem = ((rem << 8) & mask) ^ table[byte ^ (rem >> shift)]
    return list(rem.to_bytes(degree, "big"))


class Template:
    """Everything about a symbol that does not depend on the payload's bytes."""

    def __init__(self, length: int) -> None:
        for version in range(1, 11):
            ec, groups = _BLOCKS_M[version]
            capacity = sum(d * n for d, n in groups)
            count_bits = 8 if version < 10 else 16
            if 4 + count_bits + 8 * length <= capacity * 8:
                break
        else:
            raise ValueError("payload too long for this encoder")
        self.version, self.ec, self.groups = version, ec, groups
        self.capacity, self.count_bits, self.length = capacity, count_bits, length
        size = self.size = 17 + 4 * version
        modules = [[False] * size for _ in range(size)]
        function = [[False] * size for _ in range(size)]

        def put(x: int, y: int, dark: bool) -> None:
            modules[y][x] = dark
            function[y][x] = True

        for i in range(size):
            put(6, i, i % 2 == 0)
            put(i, 6, i % 2 == 0)
        for cx, cy in ((3, 3), (size - 4, 3), (3, size - 4)):
            for dy in range(-4, 5):
                for dx in range(-4, 5):
                    x, y = cx + dx, cy + dy
                    if 0 <= x < size and 0 <= y < size:
                        put(x, y, max(abs(dx), abs(dy)) not in (2, 4))
        align = _ALIGN[version]
        last = len(align) - 1
        for i, ax in enumerate(align):
            for j, ay in enumerate(align):
                if (i, j) in ((0, 0), (0, last), (last, 0)):
                    continue
                for dy in range(-2, 3):
                    for dx in range(-2, 3):
                        put(ax + dx, ay + dy, max(abs(dx), abs(dy)) != 1)
        data = 0 << 3 | 0  # level M is 0b00, mask 0
        rem = data
        for _ in range(10):
            rem = (rem << 1) ^ ((rem >> 9) * 0x537)
        bits = (data << 10 | rem) ^ 0x5412
        for i in range(6):
            put(8, i, bool(bits >> i & 1))
        put(8, 7, bool(bits >> 6 & 1))
        put(8, 8, bool(bits >> 7 & 1))
        put(7, 8, bool(bits >> 8 & 1))
        for i in range(9, 15):
            put(14 - i, 8, bool(bits >> i & 1))
        for i in range(8):
            put(size - 1 - i, 8, bool(bits >> i & 1))
        for i in range(8, 15):
            put(8, size - 15 + i, bool(bits >> i & 1))
        put(8, size - 8, True)
        if version >= 7:
            rem = version
            for _ in range(12):
                rem = (rem << 1) ^ ((rem >> 11) * 0x1F25)
            vbits = version << 12 | rem
            for i in range(18):
                bit = bool(vbits >> i & 1)
                a, b = size - 11 + i % 3, i // 3
                put(a, b, bit)
                put(b, a, bit)
        positions: list[tuple[int, int, bool]] = []
        right = size - 1
        while right >= 1:
            if right == 6:
                right = 5
            for vert in range(size):
                for j in range(2):
                    x = right - j
                    upward = (right + 1) & 2 == 0
                    y = size - 1 - vert if upward else vert
                    if not function[y][x]:
                        positions.append((y, x, (x + y) % 2 == 0))
            right -= 2
        self.base = modules
        self.positions = positions
        # Everything per document is a gather: the data bits (XOR the mask) and the fixed
        # modules in one sequence, and for each cell of the symbol, row-major, the index of
        # its value in that sequence. Remainder bits (after the last codeword) are 0, so
        # those modules are the mask's value, fixed like the function patterns.
        n_bits = 8 * (capacity + ec * sum(n for _, n in groups))
        for y, x, flip in positions[n_bits:]:
            modules[y][x] = flip
        self._n_bits = n_bits
        self._mask = int.from_bytes(bytes(flip for _, _, flip in positions[:n_bits]), "big")
        self._fixed = [dark for row in modules for dark in row]
        source = [n_bits + cell for cell in range(size * size)]
        for i, (y, x, _) in enumerate(positions[:n_bits]):
            source[y * size + x] = i
        self._gather = operator.itemgetter(*source)

    def codewords(self, payload: bytes) -> list[int]:
        return self.interleave(self.data_codewords(payload))

    def data_codewords(self, payload: bytes) -> list[int]:
        bits = "0100" + format(len(payload), f"0{self.count_bits}b")
        bits += "".join(format(b, "08b") for b in payload)
        total = self.capacity * 8
        bits += "0" * min(4, total - len(bits))
        bits += "0" * (-len(bits) % 8)
        data = [int(bits[i : i + 8], 2) for i in range(0, len(bits), 8)]
        pad = 0xEC
        while len(data) < self.capacity:
            data.append(pad)
            pad ^= 0xEC ^ 0x11
        return data

    def interleave(self, data: list[int]) -> list[int]:
        """Split the data codewords into blocks, add each block's Reed–Solomon codewords
        and interleave them as the symbol stores them."""
        blocks: list[list[int]] = []
        at = 0
        for size, count in self.groups:
            for _ in range(count):
                blocks.append(data[at : at + size])
                at += size
        ecs = [_reed_solomon(block, self.ec) for block in blocks]
        out: list[int] = []
        longest = max(len(b) for b in blocks)
        for i in range(longest):
            out.extend(block[i] for block in blocks if i < len(block))
        for i in range(self.ec):
            out.extend(ec[i] for ec in ecs)
        return out

    def matrix(self, payload: bytes) -> list[list[bool]]:
        """The symbol's modules (row-major, True = dark), without the quiet zone."""
        if len(payload) != self.length:
            raise ValueError("payload length differs from the template's")
        bits = b"".join([_BITS[cw] for cw in self.codewords(payload)])
        dark = (int.from_bytes(bits, "big") ^ self._mask).to_bytes(self._n_bits, "big")
        cells = self._gather([_BOOL[b] for b in dark] + self._fixed)
        size = self.size
        return [list(cells[at : at + size]) for at in range(0, size * size, size)]


@functools.lru_cache(maxsize=16)
def template(length: int) -> Template:
    return Template(length)


def encode(payload: str) -> list[list[bool]]:
    data = payload.encode()
    return template(len(data)).matrix(data)


@functools.lru_cache(maxsize=8)
def _grid(n: int, x: float, y: float, size: float) -> tuple[list[str], list[str], list[str], str]:
    """The formatted coordinates of a symbol's placement: left edge of each column, bottom
    of each row, width of each run length, module size."""
    unit = size / (n + 8)
    lefts = [f"{x + (col + 4) * unit:.2f}" for col in range(n)]
    tops = [f"{y + size - (row + 4 + 1) * unit:.2f}" for row in range(n)]
    widths = [f"{length * unit:.2f}" for length in range(n + 1)]
    return lefts, tops, widths, f"{unit:.2f}"


_RUN = re.compile(b"\x01+")


def pdf_path(modules: list[list[bool]], x: float, y: float, size: float) -> bytes:
    """PDF path operators drawing the symbol (with a 4-module quiet zone) as filled
    rectangles, one per horizontal run of dark modules; (x, y) is the lower-left corner.
    Coordinates are formatted once per placement (``_grid``), not per rectangle."""
    lefts, tops, widths, unit = _grid(len(modules), x, y, size)
    parts = []
    for row, line in enumerate(modules):
        top = tops[row]
        for run in _RUN.finditer(bytes(line)):
            start, end = run.span()
            parts.append(f"{lefts[start]} {top} {widths[end - start]} {unit} re")
    return ("0 g\n" + "\n".join(parts) + "\nf\n").encode()
