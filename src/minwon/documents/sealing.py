"""Issued PDFs that show resident numbers in full, encrypted at rest (DESIGN §3.4).

A certificate issued with the back digits revealed (``show_rrn_back``) carries whole
numbers of every person on it; stored as issued, ``documents_issuedfile`` would hold them
in clear for anyone who reads the database or a dump of it. Such a file is stored as
AES-GCM ciphertext under a key derived from the data key — like the RRN column — with the
document number as associated data, so a ciphertext cannot be moved to another ledger row.
Other files (numbers masked) stay as issued. Reads go through ``open_pdf``, which passes
a plain PDF through, so rows written before this change still serve.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

#: Sealed files start with this (a PDF starts with ``%PDF-``).
MAGIC = b"MWSEAL1"


@functools.cache
def _aead() -> AESGCM:
    from minwon.kernel.rrn import derived_key

    return AESGCM(derived_key(b"minwon issued pdf encryption v1"))


def reveals_numbers(options: Mapping[str, Any]) -> bool:
    """Whether a certificate issued with ``options`` shows full resident numbers."""
    return bool(options.get("show_rrn_back"))


def seal_pdf(document_number: str, pdf: bytes) -> bytes:
    nonce = os.urandom(12)
    return MAGIC + nonce + _aead().encrypt(nonce, pdf, document_number.encode())


def for_storage(document_number: str, options: Mapping[str, Any], pdf: bytes) -> bytes:
    """What to store for a file issued with ``options``: sealed if it reveals numbers."""
    return seal_pdf(document_number, pdf) if reveals_numbers(options) else pdf


def open_pdf(document_number: str, stored: bytes | memoryview) -> bytes:
    """The PDF as issued, from what ``for_storage`` stored (or a plain PDF of an older row)."""
    blob = bytes(stored)
    if not blob.startswith(MAGIC):
        return blob
    nonce, body = blob[len(MAGIC) : len(MAGIC) + 12], blob[len(MAGIC) + 12 :]
    return _aead().decrypt(nonce, body, document_number.encode())
