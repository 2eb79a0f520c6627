"""주민등록번호 (resident registration numbers): parsing, validation, encryption at rest,
blind index and masking (DESIGN §3.4).

A number is stored only as AES-GCM ciphertext, with an HMAC-SHA256 blind index for exact
look-up; both keys derive from the data key, which lives outside the database. It is shown
masked (``900101-1******``) unless role and purpose allow more. Nothing here logs a number.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import hashlib
import hmac
import os
import re
from datetime import date
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from minwon.kernel.errors import ValidationFailed
from minwon.kernel.text import ascii_digits

_PATTERN = re.compile(r"^\s*([0-9]{6})\s*-?\s*([0-9]{7})\s*$")
# The check digit stopped being meaningful for numbers issued from 2020-10-05 (random back digits).
CHECK_DIGIT_UNTIL = date(2020, 10, 5)
_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)

# 7th digit: century and sex; 5–8 are foreign residents.
_CENTURY = {
    "9": (1800, "M"), "0": (1800, "F"),
    "1": (1900, "M"), "2": (1900, "F"), "5": (1900, "M"), "6": (1900, "F"),
    "3": (2000, "M"), "4": (2000, "F"), "7": (2000, "M"), "8": (2000, "F"),
}  # fmt: skip


@dataclasses.dataclass(frozen=True)
class RRN:
    """A parsed number. ``repr`` never shows the back digits."""

    front: str
    back: str
    birth_date: date
    sex: str  # "M" or "F"
    foreign: bool
    check_digit_ok: bool

    @property
    def warnings(self) -> list[str]:
        if self.check_digit_ok:
            return []
        return ["check_digit"]

    @property
    def normalized(self) -> str:
        return f"{self.front}-{self.back}"

    def masked(self) -> str:
        return mask(self.normalized)

    def __repr__(self) -> str:
        return f"RRN({self.masked()})"

    __str__ = __repr__


def _invalid(reason_ko: str, reason_en: str, field: str) -> ValidationFailed:
    return ValidationFailed(
        f"주민등록번호가 올바르지 않습니다: {reason_ko}",
        f"Invalid resident registration number: {reason_en}",
        field=field,
        code="invalid_rrn",
    )


def check_digit_valid(digits: str) -> bool:
    total = sum(int(d) * w for d, w in zip(digits[:12], _WEIGHTS, strict=True))
    return (11 - total % 11) % 10 == int(digits[12])


def parse(value: str, *, field: str = "rrn", today: date | None = None) -> RRN:
    """Parse and validate. A failing check digit is a warning (``check_digit_ok=False``),
    not a rejection: numbers issued since 2020-10-05 have random back digits. Full-width
    digits are read as ASCII; any other non-ASCII digit is refused (``kernel.text``), so one
    number has one spelling and one blind index."""
    match = _PATTERN.match(ascii_digits(value or ""))
    if not match:
        raise _invalid(
            "13자리 숫자(앞 6자리-뒤 7자리)로 입력하세요.", "expected 13 digits (6-7).", field
        )
    front, back = match.groups()
    code = back[0]
    if code not in _CENTURY:
        raise _invalid(
            "뒷자리 첫 숫자가 올바르지 않습니다.",
            "the 7th digit is not a valid sex/century code.",
            field,
        )
    century, sex = _CENTURY[code]
    try:
        born = date(century + int(front[:2]), int(front[2:4]), int(front[4:6]))
    except ValueError:
        raise _invalid(
            "생년월일이 올바르지 않습니다.", "the birth date is not a real date.", field
        ) from None
    if born > (today or date.today()):
        raise _invalid("생년월일이 미래입니다.", "the birth date is in the future.", field)
    return RRN(
        front=front,
        back=back,
        birth_date=born,
        sex=sex,
        foreign=code in "5678",
        check_digit_ok=check_digit_valid(front + back),
    )


def mask(normalized: str) -> str:
    """``900101-1234567`` → ``900101-1******``."""
    digits = normalized.replace("-", "")
    return f"{digits[:6]}-{digits[6]}******"


def with_check_digit(first12: str) -> str:
    """Complete 12 digits with their check digit (for demo data and tests)."""
    total = sum(int(d) * w for d, w in zip(first12, _WEIGHTS, strict=True))
    return first12 + str((11 - total % 11) % 10)


# --- keys ---------------------------------------------------------------------------------


def _decode_key(text: str) -> bytes:
    text = text.strip()
    for decoder in (bytes.fromhex, base64.b64decode, base64.urlsafe_b64decode):
        try:
            key = decoder(text)
        except ValueError:
            continue
        if len(key) == 32:
            return key
    raise RuntimeError("MINWON_DATA_KEY must be 32 bytes, hex or base64")


@functools.cache
def _master_key() -> bytes:
    env = os.environ.get("MINWON_DATA_KEY")
    if env:
        return _decode_key(env)
    from django.conf import settings

    path = Path(settings.MINWON_DATA_KEY_FILE)
    if not path.exists():
        from minwon.config.paths import secret_file

        if path.parent.name == "secrets":
            secret_file(path.name, nbytes=32)
        else:
            raise RuntimeError(f"data key file {path} not found")
    raw = path.read_bytes()
    return raw if len(raw) == 32 else _decode_key(raw.decode())


def _derive(purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(_master_key())


def derived_key(purpose: bytes) -> bytes:
    """A 32-byte key for ``purpose``, derived from the data key (HKDF-SHA256): other parts of
    the kernel (the audit chain's HMAC and checkpoint signing key) get keys that live outside
    the database without a second secret to distribute. Distinct ``purpose`` strings give
    independent keys; none of them reveals the data key."""
    return _derive(purpose)


@functools.cache
def _aead() -> AESGCM:
    return AESGCM(_derive(b"minwon rrn encryption v1"))


@functools.cache
def _index_key() -> bytes:
    return _derive(b"minwon rrn blind index v1")


def key_id() -> str:
    """A short fingerprint of the data key (never the key), stored beside ciphertexts."""
    return hashlib.sha256(_index_key()).hexdigest()[:8]


def encrypt(rrn: RRN) -> bytes:
    """AES-GCM with a random 96-bit nonce; the blind index is the associated data so a
    ciphertext cannot be moved to another row's index."""
    nonce = os.urandom(12)
    return (
        b"\x01" + nonce + _aead().encrypt(nonce, rrn.normalized.encode(), blind_index(rrn).encode())
    )


def decrypt(blob: bytes, index: str) -> str:
    if not blob or blob[0] != 1:
        raise ValueError("unknown ciphertext version")
    nonce, body = blob[1:13], blob[13:]
    return _aead().decrypt(nonce, body, index.encode()).decode()


def blind_index(rrn: RRN) -> str:
    return hmac.new(_index_key(), (rrn.front + rrn.back).encode(), hashlib.sha256).hexdigest()


def reset_keys_for_tests() -> None:
    _master_key.cache_clear()
    _aead.cache_clear()
    _index_key.cache_clear()


@dataclasses.dataclass(frozen=True)
class SealedRRN:
    """A resident registration number as a command carries it: encrypted, with its blind
    index, so the stored command payload never holds the number in clear. Equality and the
    command's content digest use the index only (the ciphertext's nonce is random)."""

    index: str
    ciphertext: str  # base64 of ``encrypt()``'s output
    sealed: str = "rrn"

    @classmethod
    def seal(cls, rrn: RRN) -> SealedRRN:
        return cls(index=blind_index(rrn), ciphertext=base64.b64encode(encrypt(rrn)).decode())

    @classmethod
    def from_text(cls, value: str, *, field: str = "rrn") -> SealedRRN:
        return cls.seal(parse(value, field=field))

    def open(self) -> RRN:
        """Decrypt and parse. Only handlers that store or show the number call this."""
        return parse(decrypt(base64.b64decode(self.ciphertext), self.index))

    def blob(self) -> bytes:
        return base64.b64decode(self.ciphertext)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SealedRRN) and other.index == self.index

    def __hash__(self) -> int:
        return hash(self.index)

    def __repr__(self) -> str:
        return "SealedRRN(…)"
