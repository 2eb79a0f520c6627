"""Retention of the message log: entries past ``MINWON_SHARING_RETENTION_DAYS`` leave the
database for signed archive files, as X-Road's message log archives and then cleans.

An archive file is one JSON document: every field of each entry (the content its
``entry_hash`` covers, and the hash), in id order, signed with the audit checkpoints'
Ed25519 key (``kernel.anchors``; another site checks it with the published public key). It is
written and fsynced before the command that removes the rows commits, under a name that says
which entries it holds, so a crash leaves at worst a file whose rows are still in the
database, and a rerun writes the same file again. Nothing is lost by archiving: the command
records that anchored each entry stay, and ``minwon audit verify`` demands that every one
of them is either still in the table or in an archive file that is present, unaltered and
signed (``problems``).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature

from minwon.kernel import anchors
from minwon.kernel.types import canonical

from .commands.common import entry_hash, hashed_fields, plain
from .models import SharingArchive, SharingMessage

FORMAT = "minwon-sharing-archive/1"


def archive_dir() -> Path:
    from django.conf import settings

    return Path(settings.MINWON_SHARING_ARCHIVE_DIR)


def file_name(first_id: int, last_id: int) -> str:
    return f"messages-{first_id:012d}-{last_id:012d}.json"


def render(messages: Sequence[SharingMessage]) -> bytes:
    """The signed archive document for ``messages`` (in id order)."""
    key = anchors.signing_key()
    document: dict[str, Any] = {
        "format": FORMAT,
        "key_id": anchors.key_id(key.public_key()),
        "entries": [
            {k: plain(v) for k, v in hashed_fields(m).items()} | {"entry_hash": m.entry_hash}
            for m in messages
        ],
    }
    document["signature"] = base64.b64encode(key.sign(canonical(document))).decode()
    return json.dumps(document, sort_keys=True, ensure_ascii=False, indent=1).encode() + b"\n"


def write(name: str, raw: bytes) -> Path:
    """Write the file once (aside, fsynced, linked into place) in the archive directory."""
    folder = archive_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    anchors.write_once(folder / name, raw)
    return folder / name


class BadArchive(Exception):
    """An archive file that is missing, altered, unsigned or holds other entries."""


def load(archive: SharingArchive, folder: Path | None = None) -> list[dict[str, Any]]:
    """The entries of ``archive``'s file, after checking digest, signature and content."""
    path = (folder or archive_dir()) / archive.name
    try:
        raw = path.read_bytes()
    except OSError:
        raise BadArchive(f"{archive.name}: the archive file is missing") from None
    if hashlib.sha256(raw).hexdigest() != archive.sha256:
        raise BadArchive(f"{archive.name}: the file is not the one archived (SHA-256 differs)")
    try:
        document = json.loads(raw)
        signature = base64.b64decode(document.pop("signature"))
        anchors.signing_key().public_key().verify(signature, canonical(document))
        entries: list[dict[str, Any]] = document["entries"]
    except InvalidSignature:
        raise BadArchive(f"{archive.name}: the signature does not verify") from None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BadArchive(f"{archive.name}: unreadable ({type(exc).__name__})") from None
    hashes = [e.get("entry_hash") for e in entries]
    if hashes != archive.entry_hashes:
        raise BadArchive(f"{archive.name}: holds other entries than were archived")
    for entry in entries:
        if entry_hash(entry) != entry["entry_hash"]:
            raise BadArchive(f"{archive.name}: entry {entry.get('reference')} does not match")
    return entries


def problems() -> Iterator[tuple[str, str]]:
    """Every archive file present, unaltered and signed; every archived entry still
    anchored by the command record that wrote it."""
    from minwon.kernel.models import CommandRecord

    for archive in SharingArchive.objects.order_by("first_id"):
        try:
            entries = load(archive)
        except BadArchive as exc:
            yield archive.name, str(exc).split(": ", 1)[1]
            continue
        records = dict(
            CommandRecord.objects.filter(
                command_id__in={e["command_id"] for e in entries}
            ).values_list("command_id", "result")
        )
        held = {str(k): (v or {}).get("entry_hash") for k, v in records.items()}
        for entry in entries:
            if held.get(entry["command_id"]) != entry["entry_hash"]:
                yield str(entry["reference"]), "archived, but no command record holds this entry"
