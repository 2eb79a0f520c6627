"""Signed checkpoints of the audit chain heads, kept outside the database (DESIGN §3.5).

The keyed row hash stops anyone without the key from recomputing a chain, but a database
administrator can still cut a chain short (delete its last rows and rewind the head to an
earlier, genuine link) or remove a chain with its head: what is left verifies. A checkpoint
records every chain's head — ``(seq, hash)`` — signed with an Ed25519 key derived from the
data key, in a file under ``MINWON_AUDIT_ANCHOR_DIR``; ``audit verify`` then demands that
each chain still holds that row with that hash. The directory is meant to be shipped to
WORM storage or another site (the 2025 data-centre fire is why: one copy in one room is
none), so one that keeps the database cannot also rewrite the anchors.

Each checkpoint names its predecessor's digest and carries its number, so the files form a
chain of their own and are ordered by name even under a frozen clock. ``checkpoint-signing-
key.pub`` beside them lets another site check the signatures without the data key.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import hashlib
import json
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from minwon.kernel import clock
from minwon.kernel.types import canonical

FORMAT = "minwon-audit-checkpoint/1"
PUBLIC_KEY_FILE = "checkpoint-signing-key.pub"
_PREFIX = "checkpoint-"


class BadCheckpoint(Exception):
    """A checkpoint file that is not one we wrote: unreadable, of another format, or with a
    signature that does not verify."""


def anchor_dir() -> Path:
    """Where checkpoints go: ``MINWON_AUDIT_ANCHOR_DIR`` (default ``var/audit-anchors``)."""
    from django.conf import settings

    return Path(settings.MINWON_AUDIT_ANCHOR_DIR)


@functools.cache
def signing_key() -> Ed25519PrivateKey:
    from minwon.kernel.rrn import derived_key

    return Ed25519PrivateKey.from_private_bytes(derived_key(b"minwon audit checkpoint ed25519 v1"))


def key_id(public: Ed25519PublicKey) -> str:
    """A short fingerprint of a public key, written into each checkpoint."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


@dataclasses.dataclass(frozen=True)
class Checkpoint:
    """One verified checkpoint file: the heads it recorded and where it sits in the series."""

    path: Path
    number: int
    at: datetime
    heads: dict[str, tuple[int, str]]
    previous: str | None
    digest: str

    @property
    def name(self) -> str:
        return self.path.name


def files(directory: Path | None = None) -> list[Path]:
    """Checkpoint files in ``directory``, oldest first (their names sort by number)."""
    folder = directory or anchor_dir()
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.name.startswith(_PREFIX) and p.suffix == ".json")


def load(path: Path, public: Ed25519PublicKey | None = None) -> Checkpoint:
    """Read ``path`` and check its signature (with our own key unless ``public`` is given)."""
    try:
        raw = path.read_bytes()
        document = json.loads(raw)
        signature = base64.b64decode(document.pop("signature"))
        if document.get("format") != FORMAT:
            raise BadCheckpoint(f"{path.name}: not a {FORMAT} file")
        (public or signing_key().public_key()).verify(signature, canonical(document))
        heads = {str(c): (int(s), str(h)) for c, (s, h) in document["heads"].items()}
        return Checkpoint(
            path=path,
            number=int(document["number"]),
            at=datetime.fromisoformat(document["at"]),
            heads=heads,
            previous=document.get("previous"),
            digest=hashlib.sha256(raw).hexdigest(),
        )
    except InvalidSignature:
        raise BadCheckpoint(f"{path.name}: the signature does not verify") from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BadCheckpoint(f"{path.name}: unreadable ({type(exc).__name__})") from None


def latest(directory: Path | None = None) -> tuple[Checkpoint | None, list[str]]:
    """The newest checkpoint whose signature verifies, and a complaint for every newer file
    that does not (someone wrote into the anchor directory who holds no key)."""
    complaints: list[str] = []
    for path in reversed(files(directory)):
        try:
            return load(path), complaints
        except BadCheckpoint as exc:
            complaints.append(str(exc))
    return None, complaints


def write(
    heads: dict[str, tuple[int, str]],
    *,
    previous: Checkpoint | None,
    directory: Path | None = None,
) -> Checkpoint:
    """Sign ``heads`` and write them as the next checkpoint (aside, then linked into place,
    so a reader never sees half a file and two writers never overwrite each other)."""
    folder = directory or anchor_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = signing_key()
    _publish_public_key(folder, key.public_key())
    at = clock.now().astimezone(UTC)
    number = (previous.number if previous else 0) + 1
    document: dict[str, Any] = {
        "format": FORMAT,
        "number": number,
        "at": at.isoformat(timespec="microseconds"),
        "previous": previous.digest if previous else None,
        "key_id": key_id(key.public_key()),
        "heads": {chain: [seq, digest] for chain, (seq, digest) in sorted(heads.items())},
    }
    document["signature"] = base64.b64encode(key.sign(canonical(document))).decode()
    raw = json.dumps(document, sort_keys=True, indent=1).encode() + b"\n"
    name = f"{_PREFIX}{number:010d}-{at:%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:8]}.json"
    write_once(folder / name, raw)
    return Checkpoint(
        path=folder / name,
        number=number,
        at=at,
        heads=dict(heads),
        previous=document["previous"],
        digest=hashlib.sha256(raw).hexdigest(),
    )


def _publish_public_key(folder: Path, public: Ed25519PublicKey) -> None:
    path = folder / PUBLIC_KEY_FILE
    if not path.exists():
        pem = public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        write_once(path, pem)


def write_once(path: Path, raw: bytes) -> None:
    """Write ``raw`` to ``path`` once: aside, fsynced, linked into place (an existing file
    is kept), and the directory fsynced."""
    tmp = path.parent / f".{path.name}.{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
