"""Personal data at rest (issue 14, finding 2): a certificate issued with the back digits
revealed is stored encrypted, served as issued, and the database file holds no resident
number in clear; the database file and ``var/`` are the service's own (0600/0700)."""

from __future__ import annotations

import re
import stat
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from minwon.config.paths import private_file, var_dir
from minwon.documents import sealing
from minwon.documents.models import IssuedFile
from minwon.testing.sqlite import stored_bytes
from tests.documents.conftest import HEAD_RRN, SPOUSE_RRN, kiosk, pdf_text

#: Thirteen digits (with or without the dash) not inside a longer hex or digit run, so a
#: hex digest that happens to hold thirteen digits in a row does not count.
RRN_SHAPED = re.compile(rb"(?<![0-9A-Fa-f])\d{6}-?[1-8]\d{6}(?![0-9A-Fa-f])")


def _raw_database() -> bytes:
    """Every byte SQLite keeps for the database: the file and its write-ahead log."""
    return stored_bytes(Path(connection.settings_dict["NAME"]))


def _stored(number: str) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pdf FROM documents_issuedfile WHERE issuance_id = %s", [number])
        return bytes(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)
def test_revealed_numbers_are_not_in_clear_in_the_database(
    household: dict[str, Any], tmp_path: Path
) -> None:
    result = kiosk("resident_copy", HEAD_RRN, show_rrn_back=True, assurance="high")
    number = result.value["document_number"]
    served = IssuedFile.objects.get(pk=number).content()
    text = pdf_text(served, tmp_path)
    assert f"{HEAD_RRN[:6]}-{HEAD_RRN[6:]}" in text and f"{SPOUSE_RRN[:6]}-{SPOUSE_RRN[6:]}" in text
    stored = _stored(number)
    assert stored.startswith(sealing.MAGIC) and served not in stored
    if connection.vendor == "sqlite":
        raw = _raw_database()
        # Any 200-byte stretch of the issued file would be on some page if it were stored.
        stretches = [served[at : at + 200] for at in range(0, len(served) - 200, 997)]
        assert not [s for s in stretches if s in raw]
        for full in (HEAD_RRN, SPOUSE_RRN):
            assert full.encode() not in raw
            assert f"{full[:6]}-{full[6:]}".encode() not in raw
        assert RRN_SHAPED.findall(raw) == []


def test_masked_certificates_stay_as_issued_and_old_rows_still_serve(
    household: dict[str, Any],
) -> None:
    number = kiosk("resident_copy", HEAD_RRN).value["document_number"]
    assert _stored(number).startswith(b"%PDF-")
    assert sealing.open_pdf(number, b"%PDF-1.7 plain") == b"%PDF-1.7 plain"


def test_a_sealed_file_cannot_be_moved_to_another_ledger_row() -> None:
    from cryptography.exceptions import InvalidTag

    sealed = sealing.seal_pdf("1111222233334444", b"%PDF-1.7 revealed")
    assert sealing.open_pdf("1111222233334444", sealed) == b"%PDF-1.7 revealed"
    with pytest.raises(InvalidTag):
        sealing.open_pdf("5555666677778888", sealed)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_var_database_and_secrets_are_the_services_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from minwon.config import settings as preset
    from minwon.config.paths import secret_file

    fresh = tmp_path / "fresh-var"
    monkeypatch.setenv("MINWON_VAR_DIR", str(fresh))
    assert _mode(var_dir()) == 0o700
    secret_file("probe")
    assert _mode(fresh / "secrets") == 0o700 and _mode(fresh / "secrets" / "probe") == 0o600
    database = fresh / "db" / "minwon.sqlite3"
    preset._database(f"sqlite:///{database}")
    assert _mode(database.parent) == 0o700 and _mode(database) == 0o600

    # An installation made before: a world-readable var/ and database are narrowed.
    old = tmp_path / "old-var"
    old.mkdir(mode=0o755)
    old.chmod(0o755)
    monkeypatch.setenv("MINWON_VAR_DIR", str(old))
    (old / "minwon.sqlite3").write_bytes(b"")
    (old / "minwon.sqlite3-wal").write_bytes(b"")
    for path in old.iterdir():
        path.chmod(0o644)
    assert _mode(var_dir()) == 0o700
    private_file(old / "minwon.sqlite3")
    assert _mode(old / "minwon.sqlite3") == 0o600 and _mode(old / "minwon.sqlite3-wal") == 0o600


@pytest.mark.django_db(transaction=True)
def test_the_migration_seals_revealing_files_written_before(household: dict[str, Any]) -> None:
    import importlib

    from django.apps import apps
    from django.db import DatabaseError

    triggers = importlib.import_module("minwon.documents.migrations.0002_ledger_triggers")
    migration = importlib.import_module("minwon.documents.migrations.0004_seal_revealed_pdfs")
    revealed = kiosk("resident_copy", HEAD_RRN, show_rrn_back=True, assurance="high").value[
        "document_number"
    ]
    masked = kiosk("resident_copy", HEAD_RRN).value["document_number"]
    issued = IssuedFile.objects.get(pk=revealed).content()
    with connection.schema_editor(atomic=False) as editor:  # as the previous release stored it
        triggers.remove(apps, editor)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE documents_issuedfile SET pdf = %s WHERE issuance_id = %s",
                [issued, revealed],
            )
        triggers.install(apps, editor)
    with connection.schema_editor(atomic=False) as editor:
        migration.seal_existing(apps, editor)
    assert _stored(revealed).startswith(sealing.MAGIC) and _stored(masked).startswith(b"%PDF-")
    assert IssuedFile.objects.get(pk=revealed).content() == issued
    with pytest.raises(DatabaseError), connection.cursor() as cursor:  # still append-only
        cursor.execute("UPDATE documents_issuedfile SET pdf = %s", [b"forged"])


def test_without_a_database_url_the_database_is_in_the_var_directory(tmp_path: Path) -> None:
    """Started from another directory, the embedded database is still MINWON_VAR_DIR's."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "MINWON_DATABASE_URL"}
    env["MINWON_VAR_DIR"] = str(tmp_path / "var")
    env["DJANGO_SETTINGS_MODULE"] = "minwon.config.settings"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    name = subprocess.run(
        [sys.executable, "-c",
         "from django.conf import settings; print(settings.DATABASES['default']['NAME'])"],
        env=env, cwd=elsewhere, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    assert name == str(tmp_path / "var" / "minwon.sqlite3")
    assert not (elsewhere / "var").exists()
