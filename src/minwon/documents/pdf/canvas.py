"""A tiny drawing surface that records text and lines, then writes PDF content operators.

Text is recorded first and encoded later, because the glyph ids depend on the font subset,
which is known only once every character of the page part is known. Coordinates are PDF
points from the lower-left corner of an A4 page (595.28 × 841.89).
"""

from __future__ import annotations

import dataclasses

from minwon.documents.pdf import font as font_mod
from minwon.documents.pdf.font import Subset

A4 = (595.28, 841.89)


@dataclasses.dataclass(frozen=True)
class TextItem:
    x: float
    y: float
    text: str
    size: float
    bold: bool


class Canvas:
    """Records drawing for one part of a page (the static form, or one document's data)."""

    def __init__(self) -> None:
        self.graphics: list[str] = []
        self.texts: list[TextItem] = []

    def text(
        self, x: float, y: float, text: str, *, size: float = 9, bold: bool = False,
        align: str = "left",
    ) -> None:  # fmt: skip
        if not text:
            return
        if align != "left":
            face = font_mod.bold() if bold else font_mod.regular()
            width = face.width(text, size)
            x = x - width if align == "right" else x - width / 2
        self.texts.append(TextItem(x, y, text, size, bold))

    def fit_text(
        self, x: float, y: float, text: str, width: float, *, size: float = 9, bold: bool = False
    ) -> None:
        """Text shrunk (down to 6 pt) so it fits ``width`` points."""
        face = font_mod.bold() if bold else font_mod.regular()
        while size > 6 and face.width(text, size) > width:
            size -= 0.5
        self.text(x, y, text, size=size, bold=bold)

    def line(self, x1: float, y1: float, x2: float, y2: float, *, width: float = 0.5) -> None:
        self.graphics.append(f"{width:.2f} w {x1:.2f} {y1:.2f} m {x2:.2f} {y2:.2f} l S")

    def rect(
        self, x: float, y: float, w: float, h: float, *, width: float = 0.5,
        fill: float | None = None,
    ) -> None:  # fmt: skip
        if fill is not None:
            self.graphics.append(f"{fill:.2f} g {x:.2f} {y:.2f} {w:.2f} {h:.2f} re f 0 g")
        self.graphics.append(f"{width:.2f} w {x:.2f} {y:.2f} {w:.2f} {h:.2f} re S")

    def raw(self, operators: str) -> None:
        self.graphics.append(operators)

    def chars(self, *, bold: bool) -> set[str]:
        return {ch for item in self.texts if item.bold == bold for ch in item.text}

    def content(self, regular: Subset | None, bold: Subset | None, names: tuple[str, str]) -> bytes:
        """Content operators; ``names`` are the resource names of the regular and bold
        subsets (e.g. ``("FR", "FB")``)."""
        out = ["0 g 0 G"]
        out.extend(self.graphics)
        if self.texts:
            out.append("BT")
            for item in self.texts:
                subset = bold if item.bold else regular
                name = names[1] if item.bold else names[0]
                assert subset is not None
                out.append(
                    f"/{name} {item.size:g} Tf 1 0 0 1 {item.x:.2f} {item.y:.2f} Tm "
                    f"<{subset.encode(item.text).decode()}> Tj"
                )
            out.append("ET")
        return "\n".join(out).encode()
