"""Numbers as people type them: full-width digits and dashes (a Korean IME in full-width
mode gives ``８５０５１５－２…``) become ASCII; every other kind of digit stays what it is and
fails the ASCII patterns that follow.

Python's ``\\d`` and ``str.isdigit()`` accept Arabic-Indic, Devanagari, superscript and
other digits; ``int()`` then either reads them (a second spelling of the same number, so
a second blind index for one resident number) or raises (a 500). Identifiers are checked
with ``[0-9]`` or ``is_ascii_digits`` after ``ascii_digits``, never with ``\\d`` alone.
"""

from __future__ import annotations

_WIDE = {0xFF10 + i: ord("0") + i for i in range(10)}
_DASHES = dict.fromkeys((0xFF0D, 0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2212, 0xFE63), "-")
_TABLE: dict[int, int | str] = {**_WIDE, **_DASHES, 0x3000: " "}


def ascii_digits(text: str) -> str:
    """``text`` with full-width digits, dashes and the ideographic space made ASCII."""
    return (text or "").translate(_TABLE)


def is_ascii_digits(text: str) -> bool:
    """``text`` is non-empty and only ``0``–``9`` (unlike ``str.isdigit``)."""
    return text.isascii() and text.isdigit()
