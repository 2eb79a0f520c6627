"""Resident registration numbers: validation, masking, encryption at rest, blind index."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from minwon.kernel import rrn
from minwon.kernel.errors import ValidationFailed
from minwon.testing.sqlite import stored_bytes

VALID_OLD = rrn.with_check_digit("900101123456")  # issued before 2020-10: check digit holds


def test_parse_valid_number() -> None:
    parsed = rrn.parse(VALID_OLD)
    assert parsed.birth_date == date(1990, 1, 1)
    assert parsed.sex == "M"
    assert parsed.check_digit_ok
    assert parsed.warnings == []


def test_failing_check_digit_is_a_warning_not_a_rejection() -> None:
    last = int(VALID_OLD[-1])
    wrong = VALID_OLD[:-1] + str((last + 1) % 10)
    parsed = rrn.parse(wrong)
    assert not parsed.check_digit_ok
    assert parsed.warnings == ["check_digit"]


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("12345", "13자리"),
        ("901301-1234567", "생년월일"),
        ("900230-1234567", "생년월일"),
        ("991231-3234567", "미래"),
        ("900101-X234567", "13자리"),
    ],
)
def test_invalid_numbers_are_refused_with_field(value: str, fragment: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        rrn.parse(value, field="applicant.rrn")
    assert info.value.field == "applicant.rrn"
    assert fragment in info.value.message_ko
    back = value.replace("-", "")[7:]
    if back:
        assert back not in str(info.value) and back not in info.value.message_ko


def test_century_and_foreigners() -> None:
    assert rrn.parse(rrn.with_check_digit("900101912345")).birth_date == date(1890, 1, 1)
    assert rrn.parse(rrn.with_check_digit("050505412345")).birth_date == date(2005, 5, 5)
    foreign = rrn.parse(rrn.with_check_digit("850505512345"))
    assert foreign.foreign and foreign.sex == "M" and foreign.birth_date.year == 1985


def test_masking() -> None:
    assert rrn.mask("900101-1234567") == "900101-1******"
    assert rrn.parse(VALID_OLD).masked() == "900101-1******"
    assert VALID_OLD[7:] not in repr(rrn.parse(VALID_OLD))


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2019, 12, 31)), st.integers(0, 99999))
def test_encrypt_round_trip_and_index_is_stable(born: date, tail: int) -> None:
    code = "1" if born.year < 2000 else "3"
    number = rrn.with_check_digit(f"{born:%y%m%d}{code}{tail:05d}")
    parsed = rrn.parse(number)
    blob = rrn.encrypt(parsed)
    assert number.encode() not in blob
    assert rrn.decrypt(blob, rrn.blind_index(parsed)) == parsed.normalized
    assert rrn.blind_index(parsed) == rrn.blind_index(rrn.parse(number))
    assert rrn.encrypt(parsed) != blob  # random nonce


def test_ciphertext_is_bound_to_its_index() -> None:
    a = rrn.parse(VALID_OLD)
    b = rrn.parse(rrn.with_check_digit("850515212345"))
    with pytest.raises(Exception):  # noqa: B017, PT011 - cryptography's InvalidTag
        rrn.decrypt(rrn.encrypt(a), rrn.blind_index(b))


def test_sealed_rrn_equality_uses_index() -> None:
    one = rrn.SealedRRN.from_text(VALID_OLD)
    two = rrn.SealedRRN.from_text(VALID_OLD)
    assert one == two and one.ciphertext != two.ciphertext
    assert one.open().normalized == rrn.parse(VALID_OLD).normalized
    assert VALID_OLD[7:] not in repr(one)


@pytest.mark.django_db(transaction=True)
def test_number_never_stored_in_clear(make_citizen) -> None:  # type: ignore[no-untyped-def]
    number = rrn.with_check_digit("770707112345")
    make_citizen(number=number)
    back = number[6:]
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')
            for row in cursor.fetchall():
                text = " ".join(str(v) for v in row)
                assert back not in text, table
                assert number not in text, table
    if connection.vendor == "sqlite":
        # The suite's SQLite test database is a file (MINWON_TEST_SQLITE_NAME), like production.
        path = Path(str(connection.settings_dict["NAME"]))
        assert path.exists(), path
        raw = stored_bytes(path)
        assert back.encode() not in raw
        assert number.encode() not in raw


# --- one number, one spelling (issue 14, finding 7) ---------------------------------------


def _spelled(number: str, zero: str) -> str:
    """``number`` with its digits written from the digit block that starts at ``zero``."""
    return "".join(chr(ord(zero) + int(d)) if d.isdigit() else d for d in number)


def test_full_width_digits_are_the_same_number() -> None:
    wide = _spelled(VALID_OLD, "０").replace("-", "－")
    assert rrn.parse(wide).normalized == rrn.parse(VALID_OLD).normalized
    assert rrn.SealedRRN.from_text(wide) == rrn.SealedRRN.from_text(VALID_OLD)


@pytest.mark.parametrize(
    "typed",
    [
        _spelled(VALID_OLD, "\u0660"),  # Arabic-Indic
        VALID_OLD[:8] + _spelled(VALID_OLD[8:], "\u0660"),  # mixed: the 7th digit ASCII
        _spelled(VALID_OLD, "\u0966"),  # Devanagari
        "²²²²²²-²²²²²²²",
        "١١١١١١-١١١١١١١",
        VALID_OLD.replace("1", "¹"),
    ],
)
def test_other_digits_are_refused_not_a_second_index(typed: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        rrn.parse(typed, field="applicant_rrn")
    assert refused.value.field == "applicant_rrn" and refused.value.code == "invalid_rrn"


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["²" * 16, "١" * 16, "²²²²-²²²²-²²²²-²²²²", "１" * 16])
def test_document_numbers_in_other_digits_are_400_not_500(
    typed: str, jurisdictions_loaded: None
) -> None:
    from tests.conftest import kiosk_client

    client = kiosk_client()
    assert client.get(f"/api/verify/{typed}").status_code == 400
    assert client.post("/verify/", {"number": typed}).status_code == 400
    assert client.get(f"/kiosk/print/{typed}.pdf").status_code in (302, 400, 404)
    assert client.get(f"/api/open311/v2/requests/{typed}-².json").status_code in (404, 429)
