"""Attachments (첨부 파일) of petitions: the documents an applicant hands in as files, on an
application or a 보완 (supplement).

A file is checked before anything is kept: its size (``MINWON_ATTACHMENT_MAX_BYTES``, also
enforced while the upload streams in, ``LimitedUploadHandler``) and its type, detected from
its content — never from its name or the browser's word — against an allow-list of what a
Korean office takes: PDF, JPEG, PNG, HWP (한글 문서: an OLE compound file holding the
``FileHeader`` stream that starts with ``HWP Document File``) and HWPX (a zip whose first
entry ``mimetype`` says ``application/hwp+zip``).

A petition's attachment always holds personal data, so it is stored encrypted (AES-GCM
under a key derived from the data key, a fresh nonce per file, the storage key as
associated data so a ciphertext cannot be moved to another key). It is stored *before*
the command that attaches it, under a content-addressed key (an HMAC of the content, so a
listing of the bucket does not reveal the content's SHA-256 to whoever can list it); the
command carries only the reference (``AttachmentRef``: key, SHA-256, size, type, name,
document) and its handler verifies the stored object against it (``verify``). An object
no command refers to is harmless: it is ciphertext nobody can reach through a page.

The storage is Django's named storage ``attachments`` (settings ``STORAGES``): a
``FileSystemStorage`` under ``MINWON_VAR_DIR`` by default, S3-compatible object storage
through django-storages in production (docs/OPERATIONS.md).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import hmac
import io
import os
import zipfile
from typing import Any

import filetype
import olefile
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

from minwon.kernel.errors import ValidationFailed

#: What an office takes, by detected type: (MIME type, the name a person knows it by).
ALLOWED = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG 사진",
    "image/png": "PNG 그림",
    "application/x-hwp": "한글(HWP) 문서",
    "application/hwp+zip": "한글(HWPX) 문서",
}
#: The extension a download is named with when the original name has none that fits.
EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "application/x-hwp": ".hwp",
    "application/hwp+zip": ".hwpx",
}
#: Sealed objects start with this, then the 12-byte nonce, then the AES-GCM ciphertext.
MAGIC = b"MWATT1"
STORAGE_NAME = "attachments"
#: The form field prefix ``LimitedUploadHandler`` watches (other uploads, such as a PDF
#: uploaded for 진위확인, keep Django's own limits).
FIELD_PREFIX = "attach"
#: The most files one form may carry (Django's ``DATA_UPLOAD_MAX_NUMBER_FILES`` caps all).
MAX_FILES = 20


@dataclasses.dataclass(frozen=True, kw_only=True)
class AttachmentRef:
    """A stored attachment as a command carries it: never the bytes, only where they are
    and what they must be (the handler checks the stored object against it)."""

    storage_key: str
    sha256: str
    size: int
    content_type: str
    file_name: str
    #: The required or optional document (구비서류) of the petition type it satisfies, or
    #: ``보완 서류`` for a supplement.
    document: str


def max_bytes() -> int:
    return int(getattr(settings, "MINWON_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))


def storage() -> Storage:
    return storages[STORAGE_NAME]


def _bad(ko: str, en: str, code: str, field: str = "attachments") -> ValidationFailed:
    return ValidationFailed(ko, en, field=field, code=code)


def size_words(size: int) -> str:
    """``2.4 MB``, ``830 KB``: a size as a person reads it."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


# --- what the file is ---------------------------------------------------------------------


def _is_hwp(data: bytes) -> bool:
    if not olefile.isOleFile(data=data):
        return False
    try:
        with olefile.OleFileIO(data) as ole:
            if not ole.exists("FileHeader"):
                return False
            header: bytes = ole.openstream("FileHeader").read(32)
    except OSError:
        return False
    return header.startswith(b"HWP Document File")


def _is_hwpx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            first = archive.infolist()[0] if archive.infolist() else None
            if first is None or first.filename != "mimetype":
                return False
            return archive.read(first).strip() == b"application/hwp+zip"
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError):
        return False


def sniff(data: bytes) -> str | None:
    """The allowed type ``data`` is, by its content, or None. ``filetype`` reads the magic
    numbers of PDF, JPEG and PNG (and says ``zip`` for HWPX, which is then opened); HWP is
    an OLE compound file that only its ``FileHeader`` stream tells apart from a Word file."""
    kind = filetype.guess_mime(data[:8192])
    if kind in ("application/pdf", "image/jpeg", "image/png"):
        return str(kind)
    if data.startswith(b"PK\x03\x04") and _is_hwpx(data):
        return "application/hwp+zip"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") and _is_hwp(data):
        return "application/x-hwp"
    return None


def check(data: bytes, *, document: str, file_name: str) -> str:
    """The detected type of a file for ``document``, or a refusal naming the document."""
    if not data:
        raise _bad(
            f"'{document}' 파일이 비어 있습니다. 내용이 있는 파일을 올리세요.",
            f"The file for '{document}' is empty.",
            "attachment_empty",
        )
    if len(data) > max_bytes():
        raise too_big(document)
    kind = sniff(data)
    if kind is None:
        raise _bad(
            f"'{document}'에 올린 파일({file_name})은 받을 수 없는 형식입니다. "
            "PDF, JPEG, PNG, 한글(HWP, HWPX) 파일만 올릴 수 있습니다.",
            f"The file for '{document}' ({file_name}) is not an accepted type: "
            "PDF, JPEG, PNG, HWP or HWPX only.",
            "attachment_type",
        )
    return kind


def too_big(document: str) -> ValidationFailed:
    limit = size_words(max_bytes())
    return _bad(
        f"'{document}' 파일이 너무 큽니다. {limit} 이하의 파일만 올릴 수 있습니다.",
        f"The file for '{document}' is too large (at most {limit}).",
        "attachment_too_large",
    )


# --- sealing and storing ------------------------------------------------------------------


@functools.cache
def _aead() -> AESGCM:
    from minwon.kernel.rrn import derived_key

    return AESGCM(derived_key(b"minwon petition attachment encryption v1"))


@functools.cache
def _name_key() -> bytes:
    from minwon.kernel.rrn import derived_key

    return derived_key(b"minwon petition attachment storage key v1")


def storage_key_for(data: bytes) -> str:
    """The content-addressed key: the same content always lands on the same object."""
    mac = hmac.new(_name_key(), data, hashlib.sha256).hexdigest()
    return f"petitions/{mac[:2]}/{mac}"


def seal(key: str, data: bytes) -> bytes:
    nonce = os.urandom(12)
    return MAGIC + nonce + _aead().encrypt(nonce, data, key.encode())


def unseal(key: str, blob: bytes) -> bytes:
    if not blob.startswith(MAGIC):
        raise ValueError("not a sealed attachment")
    nonce, body = blob[len(MAGIC) : len(MAGIC) + 12], blob[len(MAGIC) + 12 :]
    return _aead().decrypt(nonce, body, key.encode())


def _clean_name(name: str, kind: str) -> str:
    base = os.path.basename(name.replace("\\", "/")).strip()
    base = "".join(c for c in base if c.isprintable() and c not in '"<>|:*?')[:120]
    return base or f"첨부{EXTENSIONS[kind]}"


def stage(upload: UploadedFile, *, document: str) -> AttachmentRef:
    """Check an uploaded file for ``document`` and store it sealed; its reference for the
    command. Nothing is stored when it is refused."""
    name = upload.name or ""
    if upload.size is not None and upload.size > max_bytes():
        raise too_big(document)
    data = upload.read(max_bytes() + 1)
    kind = check(data, document=document, file_name=name)
    return store(data, kind=kind, file_name=name, document=document)


def store(data: bytes, *, kind: str, file_name: str, document: str) -> AttachmentRef:
    key = storage_key_for(data)
    where = storage()
    if not where.exists(key):
        saved = where.save(key, ContentFile(seal(key, data)))
        if saved != key:  # a storage that renamed it (a concurrent twin): use the first
            where.delete(saved)
    return AttachmentRef(
        storage_key=key, sha256=hashlib.sha256(data).hexdigest(), size=len(data),
        content_type=kind, file_name=_clean_name(file_name, kind), document=document[:200],
    )  # fmt: skip


def read(storage_key: str) -> bytes:
    """The plaintext of a stored attachment (ValueError when it is absent or not intact)."""
    where = storage()
    try:
        with where.open(storage_key, "rb") as handle:
            blob = handle.read()
    except (OSError, ValueError) as exc:
        raise ValueError(f"attachment {storage_key} is not stored") from exc
    try:
        return unseal(storage_key, blob)
    except InvalidTag as exc:
        raise ValueError(f"attachment {storage_key} does not decrypt") from exc


def verify(ref: AttachmentRef, *, field: str) -> None:
    """The handler's check: the stored object is there, decrypts, and is what the command
    says (digest, size, type, content-addressed key); otherwise a refusal, nothing kept."""
    try:
        data = read(ref.storage_key)
    except ValueError:
        data = None
    if (
        data is None
        or hashlib.sha256(data).hexdigest() != ref.sha256
        or len(data) != ref.size
        or storage_key_for(data) != ref.storage_key
        or sniff(data) != ref.content_type
    ):
        raise _bad(
            f"'{ref.document}' 파일({ref.file_name})을 확인할 수 없습니다. 다시 올리세요.",
            f"The file for '{ref.document}' ({ref.file_name}) could not be verified; "
            "upload it again.",
            "attachment_mismatch",
            field,
        )
    if ref.size > max_bytes():
        raise too_big(ref.document)


def check_refs(refs: list[AttachmentRef], *, field: str) -> None:
    if len(refs) > MAX_FILES:
        raise _bad(
            f"파일은 한 번에 {MAX_FILES}개까지 올릴 수 있습니다.",
            f"At most {MAX_FILES} files at once.",
            "attachment_count",
            field,
        )
    for ref in refs:
        verify(ref, field=field)


# --- while the upload streams in ----------------------------------------------------------


class LimitedUploadHandler(FileUploadHandler):
    """Stops reading an attachment field once it passes ``MINWON_ATTACHMENT_MAX_BYTES``:
    the rest of that file is skipped as it arrives, never buffered, and the field is
    remembered on the request (``request.oversized_uploads``) so the page names it."""

    def new_file(self, field_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, *args, **kwargs)
        self._watched = field_name.startswith(FIELD_PREFIX)
        self._received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if self._watched:
            self._received += len(raw_data)
            if self._received > max_bytes():
                oversized: set[str] = getattr(self.request, "oversized_uploads", set())
                oversized.add(self.field_name)
                self.request.oversized_uploads = oversized  # type: ignore[union-attr]
                raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def oversized(request: Any, field_name: str) -> bool:
    return field_name in getattr(request, "oversized_uploads", set())
