"""접수번호 and the tracking PIN.

A receipt number reads ``51130-260309-7K3QX9MZ-4``: the first five digits of the receiving
office's code (시·군·구 level, so numbers from two offices never collide), the business date
of reception, 8 random characters of Crockford base-32 (40 bits from ``secrets``, so a
neighbour's number cannot be guessed from one's own) and a check character (ISO 7064 mod
37,36 over the whole number) that catches a mistyped character before any database look-up.

The PIN printed on the receipt is derived from the number with a server key (HMAC), so it
is never stored and the office can print the receipt again.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Collection
from datetime import date

from django.conf import settings

from minwon.kernel.text import ascii_digits

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
_CHECK_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_SHAPE = re.compile(r"^[0-9]{5}-[0-9]{6}-[0-9A-HJKMNP-TV-Z]{8}-[0-9A-Z]$")


def _check_value(ch: str) -> int:
    return _CHECK_ALPHABET.index(ch)


def check_character(body: str) -> str:
    """ISO 7064 MOD 37,36 (hybrid system) over the digits and letters of ``body``."""
    m = 36
    p = m
    for ch in body:
        if ch == "-":
            continue
        s = (p % (m + 1)) + _check_value(ch)
        s %= m
        if s == 0:
            s = m
        p = (s * 2) % (m + 1)
    return _CHECK_ALPHABET[(m + 1 - p) % m]


def _no_reserved_prefixes(office_code: str) -> Collection[str]:
    return ()


#: The first two random characters reserved elsewhere for ``office_code``'s numbers: the
#: blocks office edge nodes number offline receipts from (``minwon.continuity`` installs
#: its cached look-up at start-up). A random draw landing in one is drawn again.
reserved_prefixes: Callable[[str], Collection[str]] = _no_reserved_prefixes


def _random_part(office_code: str) -> str:
    reserved = reserved_prefixes(office_code)
    while True:
        part = "".join(secrets.choice(ALPHABET) for _ in range(8))
        if part[:2] not in reserved:
            return part


def new_receipt_number(office_code: str, on: date, random_part: str | None = None) -> str:
    part = random_part or _random_part(office_code)
    body = f"{office_code[:5]}-{on:%y%m%d}-{part}"
    return f"{body}-{check_character(body)}"


def normalize(text: str) -> str:
    """Upper-case, spaces removed, and the Crockford look-alikes (O→0, I/L→1) mapped."""
    value = re.sub(r"\s+", "", ascii_digits(text or "")).upper()
    head, sep, tail = value.rpartition("-")
    if sep and len(head) >= 14:
        prefix, mid = head[:14], head[14:]
        mid = mid.replace("O", "0").replace("I", "1").replace("L", "1")
        value = f"{prefix}{mid}-{tail}"
    return value


def is_well_formed(number: str) -> bool:
    """Shape and check character: a typo is refused without touching the database."""
    if not _SHAPE.match(number):
        return False
    body, _, check = number.rpartition("-")
    return check_character(body) == check


def pin_for(number: str) -> str:
    """The 6-digit PIN printed on the receipt of ``number``."""
    key = hashlib.sha256(f"minwon receipt pin v1:{settings.SECRET_KEY}".encode()).digest()
    mac = hmac.new(key, number.encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(mac[:8], 'big') % 1_000_000:06d}"


def pin_matches(number: str, pin: str) -> bool:
    return hmac.compare_digest(pin_for(number), (pin or "").strip())
