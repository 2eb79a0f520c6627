"""Signed messages between agencies (the X-Road pattern, DESIGN §2).

A request carries an HTTP message signature (RFC 9421, Ed25519, ``http-message-signatures``)
whose ``keyid`` is the agency's key prefix, covering ``@method``, ``@path`` and
``content-digest`` with ``created`` and ``nonce`` parameters (``expires`` optional). It is
accepted for ``MAX_AGE`` after ``created``, judged by the project clock, and each nonce
once (``commands.AnswerSharingRequest``).

The answer is signed by the providing 시·군·구's key (``documents.keys.issuer``, ECDSA
P-256 certified by the national root) over its canonical JSON, which carries
``request_sha256``: SHA-256 of the request's ``Signature-Input``, ``Signature`` and body,
each followed by a newline — so an answer names exactly the signed message it answers.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import functools
import hashlib
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature as BadSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from http_message_signatures import HTTPMessageSigner, HTTPMessageVerifier, algorithms
from http_message_signatures.exceptions import HTTPMessageSignaturesException
from http_message_signatures.resolvers import HTTPSignatureKeyResolver

from minwon.kernel import clock
from minwon.kernel.errors import DomainError
from minwon.kernel.types import canonical

MAX_AGE = dt.timedelta(minutes=5)
CLOCK_SKEW = dt.timedelta(seconds=30)
COVERED = ("@method", "@path", "content-digest")
LABEL = "minwon"


class SignatureRefused(DomainError):
    """The request's signature is missing, wrong, stale, expired or replayed (401)."""

    status = 401
    code = "signature_invalid"


@dataclasses.dataclass(frozen=True)
class Message:
    """The shape ``http-message-signatures`` reads: method, absolute URL, headers."""

    method: str
    url: str
    headers: dict[str, str]


@dataclasses.dataclass(frozen=True)
class Verified:
    keyid: str
    nonce: str
    created: dt.datetime
    request_sha256: str


class _Keys(HTTPSignatureKeyResolver):
    def __init__(self, keyid: str, public_pem: str | None) -> None:
        self.keyid = keyid
        self.public_pem = public_pem

    def resolve_public_key(self, key_id: str) -> Any:
        if key_id != self.keyid or self.public_pem is None:
            return None
        return self.public_pem.encode()

    def resolve_private_key(self, key_id: str) -> Any:
        raise KeyError(key_id)


class _Verifier(HTTPMessageVerifier):
    """Times are judged by the project clock after the cryptographic check, not by the
    library's wall clock, so a frozen clock (tests, scripted replays) applies."""

    def validate_created_and_expires(self, sig_input: Any, max_age: Any = None) -> None:
        return None


def request_sha256(signature_input: str, signature: str, body: bytes) -> str:
    return hashlib.sha256(
        signature_input.encode() + b"\n" + signature.encode() + b"\n" + body + b"\n"
    ).hexdigest()


def _refuse(code: str, ko: str, en: str) -> SignatureRefused:
    return SignatureRefused(ko, en, field="Signature", code=code)


def keyid_of(headers: dict[str, str]) -> str:
    """The ``keyid`` a request claims (before verification), '' if none can be read."""
    import http_sf

    try:
        parsed: Any = http_sf.parse(
            headers.get("signature-input", "").encode(), tltype="dictionary"
        )
    except (ValueError, TypeError):
        return ""
    for _member, params in parsed.values():
        return str(params.get("keyid", ""))
    return ""


def verify_request(
    message: Message, body: bytes, *, keyid: str, public_pem: str | None
) -> Verified:
    """Check the request's signature by the key registered as ``keyid``; raise
    ``SignatureRefused`` naming what is wrong."""
    headers = {k.lower(): v for k, v in message.headers.items()}
    if "signature" not in headers or "signature-input" not in headers:
        raise _refuse(
            "signature_missing",
            "요청에 전자서명(Signature, Signature-Input)이 없습니다.",
            "The request carries no HTTP message signature.",
        )
    claimed = keyid_of(headers)
    if claimed != keyid:
        raise _refuse(
            "wrong_key",
            "서명 키 ID가 인증된 기관과 다릅니다.",
            "The signature's keyid is not the authenticated agency's.",
        )
    if public_pem is None:
        raise _refuse(
            "unknown_key",
            "등록된 서명키가 없습니다.",
            "No signing key is registered for this agency.",
        )
    verifier = _Verifier(
        signature_algorithm=algorithms.ED25519, key_resolver=_Keys(keyid, public_pem)
    )
    try:
        results = verifier.verify(message, max_age=None, require_components=COVERED, body=body)
    except HTTPMessageSignaturesException as exc:
        raise _refuse(
            "signature_invalid",
            "전자서명 검증에 실패했습니다 (본문 또는 서명이 변경되었거나 다른 키로 서명됨).",
            f"The signature does not verify: {exc}",
        ) from None
    params = results[0].parameters
    nonce, created = params.get("nonce"), params.get("created")
    if not isinstance(nonce, str) or not nonce or len(nonce) > 80 or not isinstance(created, int):
        raise _refuse(
            "signature_incomplete",
            "서명에 생성 시각(created)과 일회용 값(nonce)이 있어야 합니다.",
            "The signature must carry 'created' and 'nonce'.",
        )
    now = clock.now()
    made = dt.datetime.fromtimestamp(created, tz=dt.UTC)
    if made > now + CLOCK_SKEW or made + MAX_AGE < now:
        raise _refuse(
            "signature_stale",
            "서명 생성 시각이 허용 범위(5분)를 벗어났습니다.",
            "The signature was created too long ago (or in the future).",
        )
    expires = params.get("expires")
    if isinstance(expires, int) and dt.datetime.fromtimestamp(expires, tz=dt.UTC) < now:
        raise _refuse(
            "signature_expired", "서명 유효 기간이 지났습니다.", "The signature has expired."
        )
    return Verified(
        keyid=keyid,
        nonce=nonce,
        created=made,
        request_sha256=request_sha256(headers["signature-input"], headers["signature"], body),
    )


# --- the client side (agency systems, tests, the benchmark) ----------------------------------


def new_agency_key() -> tuple[ed25519.Ed25519PrivateKey, str]:
    """A fresh Ed25519 key pair: the private key and the public key's PEM."""
    key = ed25519.Ed25519PrivateKey.generate()
    pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return key, pem.decode()


def private_pem(key: ed25519.Ed25519PrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


class _PrivateKey(HTTPSignatureKeyResolver):
    def __init__(self, key: ed25519.Ed25519PrivateKey) -> None:
        self.key = key

    def resolve_private_key(self, key_id: str) -> Any:
        return self.key

    def resolve_public_key(self, key_id: str) -> Any:
        return None


def sign_request(
    *,
    method: str,
    url: str,
    body: bytes,
    keyid: str,
    key: ed25519.Ed25519PrivateKey,
    nonce: str,
    created: dt.datetime | None = None,
    expires: dt.datetime | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, str]:
    """Headers (``Content-Digest``, ``Signature-Input``, ``Signature`` and ``headers``) for a
    request an agency system sends."""
    message = Message(method=method, url=url, headers=dict(headers or {}))
    signer = HTTPMessageSigner(
        signature_algorithm=algorithms.ED25519, key_resolver=_PrivateKey(key)
    )
    signer.sign(
        message,
        key_id=keyid,
        created=created or clock.now(),
        expires=expires,
        nonce=nonce,
        label=LABEL,
        covered_component_ids=COVERED,
        body=body,
    )
    return dict(message.headers)


# --- answers, signed by the providing jurisdiction ----------------------------------------


@functools.cache
def _provider_key(code: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    from minwon.documents import keys
    from minwon.kernel import jurisdictions

    return keys.issuer(code, jurisdictions.get(code).full_name)


def sign_answer(code: str, answer: dict[str, Any]) -> dict[str, str]:
    """The signature of ``answer`` by the 시·군·구 ``code``'s key: algorithm, key id, the
    base64 signature over the canonical JSON, and the certificate to check it with."""
    from minwon.documents.keys import key_id

    key, cert = _provider_key(code)
    signature = key.sign(canonical(answer), ec.ECDSA(hashes.SHA256()))
    return {
        "alg": "ecdsa-p256-sha256",
        "keyid": key_id(cert),
        "signer": code,
        "value": base64.b64encode(signature).decode(),
        "certificate": cert.public_bytes(serialization.Encoding.PEM).decode(),
    }


def answer_verifies(answer: dict[str, Any], signature: dict[str, str]) -> bool:
    """Does ``signature`` (as ``sign_answer`` made it) verify ``answer``? The certificate's
    chain to the national root is the caller's to check (``documents.keys.root``)."""
    cert = x509.load_pem_x509_certificate(signature["certificate"].encode())
    public = cert.public_key()
    if not isinstance(public, ec.EllipticCurvePublicKey):
        return False
    try:
        public.verify(
            base64.b64decode(signature["value"]), canonical(answer), ec.ECDSA(hashes.SHA256())
        )
    except (BadSignature, ValueError):
        return False
    return True


def clear_key_cache() -> None:
    _provider_key.cache_clear()
