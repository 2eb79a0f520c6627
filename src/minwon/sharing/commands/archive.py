"""Retention of the message log (``sharing.archive``): entries past the retention period
move into signed archive files, a block per command."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.conf import settings

from minwon.kernel import audit
from minwon.kernel.bus import Context
from minwon.kernel.registry import handler
from minwon.kernel.types import Command

from .. import archive, policies
from ..models import SharingArchive, SharingMessage

#: Entries per archive file (one command): a file an operator can still open and read.
BLOCK = 5000


@dataclasses.dataclass(frozen=True, kw_only=True)
class ArchiveSharingMessages(Command):
    """Move the oldest block of entries older than ``MINWON_SHARING_RETENTION_DAYS`` out of
    the database into a signed archive file (``minwon sharing_sweep`` repeats it until none
    is due). A command with no entry due changes nothing."""

    permission = policies.DISCLOSE


@handler(ArchiveSharingMessages)
def archive_sharing_messages(cmd: ArchiveSharingMessages, *, ctx: Context) -> dict[str, Any]:
    cutoff = ctx.recorded_at - timedelta(days=settings.MINWON_SHARING_RETENTION_DAYS)
    due = list(
        SharingMessage.objects.select_for_update().filter(at__lt=cutoff).order_by("id")[:BLOCK]
    )
    if not due:
        return {"archived": 0}
    name = archive.file_name(due[0].pk, due[-1].pk)
    raw = archive.render(due)
    archive.write(name, raw)  # on disk, fsynced, before the rows go
    sha256 = hashlib.sha256(raw).hexdigest()
    SharingArchive.objects.create(
        name=name, sha256=sha256, count=len(due), first_id=due[0].pk, last_id=due[-1].pk,
        first_at=min(m.at for m in due), last_at=max(m.at for m in due),
        entry_hashes=[m.entry_hash for m in due], command_id=ctx.command.command_id,
        created_at=ctx.recorded_at,
    )  # fmt: skip
    SharingMessage.objects.filter(pk__in=[m.pk for m in due]).delete()
    return {"archived": len(due), "file": name, "sha256": sha256}


@audit.register_verifier("sharing message log")
def _verify() -> Iterator[tuple[str, str]]:
    """Entries against their hashes and command records (``queries.verify_messages``), the
    archive files, and the other way round: every command that wrote an entry finds it in
    the table or in an archive (an entry deleted without archiving shows here)."""
    from django.db import connection

    from minwon.kernel.models import CommandRecord

    from ..queries import verify_messages

    if SharingMessage._meta.db_table not in connection.introspection.table_names():
        return  # a database without this app's schema (the chaos cluster) has no log
    for problem in verify_messages():
        yield problem.reference, problem.reason
    yield from archive.problems()
    kept = set(SharingMessage.objects.values_list("entry_hash", flat=True))
    for hashes in SharingArchive.objects.values_list("entry_hashes", flat=True):
        kept.update(hashes)
    written = CommandRecord.objects.filter(result__has_key="entry_hash").values_list(
        "command_id", "result"
    )
    for command_id, result in written.iterator(chunk_size=2000):
        if (result or {}).get("entry_hash") not in kept:
            yield f"command {command_id}", "its entry is neither in the log nor in an archive"
