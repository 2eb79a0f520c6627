"""Retention of the message log: entries past MINWON_SHARING_RETENTION_DAYS move into signed
archive files, and ``minwon audit verify`` still accounts for every entry a command wrote —
in the table or in an archive that is present, unaltered and signed."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from minwon.kernel import audit, clock, execute
from minwon.kernel.types import NATION, Channel
from minwon.sharing import archive
from minwon.sharing.commands import ArchiveSharingMessages, RecordSharingDenial
from minwon.sharing.commands import archive as archiving
from minwon.sharing.models import SharingArchive, SharingMessage

from .helpers import SYSTEM

pytestmark = pytest.mark.django_db

#: A Tuesday morning in Seoul, well before any retention horizon the test moves to.
T0 = datetime(2021, 3, 2, 10, 0, tzinfo=clock.SEOUL)
RETENTION = timedelta(days=1826)


@pytest.fixture
def folders(settings: Any, tmp_path: Path) -> Path:
    settings.MINWON_SHARING_ARCHIVE_DIR = str(tmp_path / "archive")
    settings.MINWON_AUDIT_ANCHOR_DIR = str(tmp_path / "anchors")
    settings.MINWON_SHARING_RETENTION_DAYS = RETENTION.days
    return tmp_path / "archive"


def deny(code: str) -> None:
    execute(
        RecordSharingDenial(
            actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=NATION, requester="ag-test",
            requester_name="국민건강보험공단", code=code, message="이용 목적이 목록에 없습니다.",
            purpose="알 수 없음", reference=uuid.uuid4(),
        )
    )  # fmt: skip


def archive_once() -> int:
    command = ArchiveSharingMessages(actor=SYSTEM, channel=Channel.SYSTEM, jurisdiction=NATION)
    return int(execute(command).value["archived"])


def ledger_problems() -> list[str]:
    return [str(p) for p in audit.verify() if p.ledger]


def test_entries_past_retention_move_to_signed_files_and_still_verify(
    folders: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(archiving, "BLOCK", 2)
    with clock.frozen_at(T0):
        for k in range(3):
            deny(f"old_{k}")
    with clock.frozen_at(T0 + timedelta(days=1000)):
        deny("recent")
    old = list(SharingMessage.objects.filter(denial_code__startswith="old_").order_by("id"))

    with clock.frozen_at(T0 + RETENTION - timedelta(hours=1)):
        assert archive_once() == 0  # not yet five years
    with clock.frozen_at(T0 + RETENTION + timedelta(hours=1)):
        assert [archive_once(), archive_once(), archive_once()] == [2, 1, 0]

    assert list(SharingMessage.objects.values_list("denial_code", flat=True)) == ["recent"]
    files = list(SharingArchive.objects.order_by("first_id"))
    assert [a.count for a in files] == [2, 1]
    assert sorted(p.name for p in folders.iterdir()) == [a.name for a in files]
    entries = [e for a in files for e in archive.load(a)]
    assert [e["reference"] for e in entries] == [str(m.reference) for m in old]
    assert [e["denial_code"] for e in entries] == ["old_0", "old_1", "old_2"]
    assert ledger_problems() == []


def test_an_altered_missing_or_skipped_archive_is_reported(folders: Path) -> None:
    with clock.frozen_at(T0):
        deny("old")
    with clock.frozen_at(T0 + timedelta(days=1000)):
        deny("kept")
    with clock.frozen_at(T0 + RETENTION + timedelta(hours=1)):
        assert archive_once() == 1
    (stored,) = SharingArchive.objects.all()
    path = folders / stored.name
    good = path.read_bytes()

    document = json.loads(good)
    document["entries"][0]["denial_code"] = "rewritten"
    path.chmod(0o600)
    path.write_bytes(json.dumps(document).encode())
    assert ledger_problems() == [
        f"sharing message log: {stored.name}: the file is not the one archived (SHA-256 differs)"
    ]
    # Even with its recorded digest updated to match, the signature gives it away.
    SharingArchive.objects.filter(pk=stored.pk).update(
        sha256=hashlib.sha256(path.read_bytes()).hexdigest()
    )
    assert ledger_problems() == [
        f"sharing message log: {stored.name}: the signature does not verify"
    ]
    path.unlink()
    assert ledger_problems() == [f"sharing message log: {stored.name}: the archive file is missing"]
    path.write_bytes(good)
    SharingArchive.objects.filter(pk=stored.pk).update(sha256=stored.sha256)
    assert ledger_problems() == []

    # An entry deleted from the table without an archive: its command still names it.
    kept = SharingMessage.objects.get(denial_code="kept")
    SharingMessage.objects.filter(pk=kept.pk).delete()
    (problem,) = ledger_problems()
    assert (
        f"command {kept.command_id}" in problem
        and "neither in the log nor in an archive" in problem
    )
