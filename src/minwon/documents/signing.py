"""PAdES signatures computed directly: a CMS SignedData (``ETSI.CAdES.detached``) built from
pre-encoded DER pieces and one ECDSA signature per document.

A general library (pyHanko's signer) rebuilds the whole CMS structure through asn1crypto
for every document. Here everything that does not depend on the document — certificates,
issuer-and-serial, algorithm identifiers, the ``signing-certificate-v2`` attribute PAdES
requires — is encoded once per key; per document only the 32-byte message digest is spliced
into the signed attributes, which are then signed. The claimed signing time goes in the
signature dictionary's ``/M`` (PAdES B-B forbids the CMS ``signing-time`` attribute).

``Signer`` is the one interface for normal and continuity signing: ``signer_for(code)``
for a 시·군·구's issuing key, ``signer_for(office, mode=Mode.CONTINUITY)`` for an office
edge node's continuity key.
"""

from __future__ import annotations

import functools
import hashlib
import threading

from asn1crypto import core
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from minwon.documents import keys
from minwon.documents.keys import Mode

_SHA256 = "2.16.840.1.101.3.4.2.1"
_ECDSA_SHA256 = "1.2.840.10045.4.3.2"
_DATA = "1.2.840.113549.1.7.1"
_SIGNED_DATA = "1.2.840.113549.1.7.2"
_CONTENT_TYPE = "1.2.840.113549.1.9.3"
_MESSAGE_DIGEST = "1.2.840.113549.1.9.4"
_SIGNING_CERTIFICATE_V2 = "1.2.840.113549.1.9.16.2.47"


def _length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def tlv(tag: int, content: bytes) -> bytes:
    """One DER element: tag, definite length, content."""
    return bytes([tag]) + _length(len(content)) + content


def _oid(dotted: str) -> bytes:
    return bytes(core.ObjectIdentifier(dotted).dump())


def _seq(*parts: bytes) -> bytes:
    return tlv(0x30, b"".join(parts))


def _set(*parts: bytes) -> bytes:
    return tlv(0x31, b"".join(sorted(parts)))


class Signer:
    """A document-signing key with its certificate chain, ready to make CMS signatures."""

    def __init__(
        self,
        key: ec.EllipticCurvePrivateKey,
        cert: x509.Certificate,
        chain: list[x509.Certificate],
        *,
        jurisdiction: str,
        mode: Mode,
    ) -> None:
        self.key = key
        self.certificate = cert
        self.chain = chain
        self.jurisdiction = jurisdiction
        self.mode = mode
        self.key_id = keys.key_id(cert)
        self.subject = cert.subject.rfc4514_string()
        cert_der = cert.public_bytes(serialization.Encoding.DER)
        chain_der = [c.public_bytes(serialization.Encoding.DER) for c in chain]
        sha256 = _seq(_oid(_SHA256))
        content_type = _seq(_oid(_CONTENT_TYPE), _set(_oid(_DATA)))
        signing_cert = _seq(
            _oid(_SIGNING_CERTIFICATE_V2),
            _set(_seq(_seq(_seq(tlv(0x04, hashlib.sha256(cert_der).digest()))))),
        )
        marker = b"\xa5" * 32
        digest_attr = _seq(_oid(_MESSAGE_DIGEST), _set(tlv(0x04, marker)))
        attrs = b"".join(sorted([content_type, signing_cert, digest_attr]))
        at = attrs.index(marker)
        # The signed attributes, as signed (SET, tag 0x31) and as stored ([0] IMPLICIT).
        self._attrs_prefix, self._attrs_suffix = attrs[:at], attrs[at + 32 :]
        self._attrs_header = _length(len(attrs))
        issuer_serial = _seq(
            cert.issuer.public_bytes(),
            bytes(core.Integer(cert.serial_number).dump()),
        )
        self._signer_info_head = tlv(0x02, b"\x01") + issuer_serial + sha256
        self._sig_alg = _seq(_oid(_ECDSA_SHA256))
        self._signed_data_head = (
            tlv(0x02, b"\x01")
            + _set(sha256)
            + _seq(_oid(_DATA))
            + tlv(0xA0, cert_der + b"".join(chain_der))
        )
        self._lock = threading.Lock()

    def signed_attributes(self, digest: bytes) -> bytes:
        """The DER SET of signed attributes for a document whose ByteRange hashes to
        ``digest`` — exactly the bytes the signature covers."""
        return b"\x31" + self._attrs_header + self._attrs_prefix + digest + self._attrs_suffix

    def sign(self, data: bytes) -> bytes:
        """ECDSA P-256 / SHA-256 signature (DER) over ``data``."""
        return self.key.sign(data, ec.ECDSA(hashes.SHA256()))

    def cms(self, digest: bytes) -> bytes:
        """The CMS ContentInfo (SignedData, detached) to put in ``/Contents``."""
        signed = self.signed_attributes(digest)
        signature = self.sign(signed)
        signer_info = _seq(
            self._signer_info_head,
            b"\xa0" + signed[1:],
            self._sig_alg,
            tlv(0x04, signature),
        )
        signed_data = _seq(self._signed_data_head, _set(signer_info))
        return _seq(_oid(_SIGNED_DATA), tlv(0xA0, signed_data))


@functools.lru_cache(maxsize=512)
def signer_for(jurisdiction: str, *, mode: Mode = Mode.NORMAL, display: str = "") -> Signer:
    """The signer of ``jurisdiction`` in ``mode``, its key created on first use (demo)."""
    if not display:
        from minwon.kernel.models import Jurisdiction

        display = (
            Jurisdiction.objects.filter(pk=jurisdiction).values_list("full_name", flat=True).first()
            or jurisdiction
        )
    key, cert = keys.issuer(jurisdiction, display, mode)
    _root_key, root_cert = keys.root()
    return Signer(key, cert, [root_cert], jurisdiction=jurisdiction, mode=mode)


def reset_cache() -> None:
    signer_for.cache_clear()
