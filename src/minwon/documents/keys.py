"""Signing keys for certificates, kept outside the database (DESIGN §3.7).

The chain is small on purpose: a national root CA (``행정전자서명 인증관리센터`` in real
life) certifies one issuing key per 시·군·구, and — for continuity mode (연속성 모드) — one
key per office edge node, so a document issued while the centre was unreachable is still
signed, and visibly by the office's continuity key. The demo creates the chain on first use
under ``<var>/keys/`` (private keys 0600, directory 0700); production mounts the same layout
from an HSM export or a secrets volume. ECDSA P-256: small signatures, fast to make, and
both pdfsig (NSS) and pyHanko validate it.

Every key lives in its own directory holding ``key.pem`` and ``cert.pem``. A directory is
written aside and renamed into place, so two processes starting together end up with one
complete key pair and never a key without its certificate.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import os
import shutil
import threading
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from minwon.config.paths import var_dir

ROOT_NAME = "minwon 행정전자서명 인증관리센터 (demo root)"
_lock = threading.Lock()


class Mode(enum.StrEnum):
    """발급 모드: normal, or continuity (issued by an office edge node while cut off)."""

    NORMAL = "normal"
    CONTINUITY = "continuity"


def keys_dir() -> Path:
    path = Path(os.environ.get("MINWON_KEYS_DIR") or var_dir() / "keys")
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _name(common: str, unit: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "KR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "minwon"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit),
            x509.NameAttribute(NameOID.COMMON_NAME, common),
        ]
    )


def _write_pair(folder: Path, key: ec.EllipticCurvePrivateKey, cert: x509.Certificate) -> None:
    """Write ``folder`` atomically (aside, then rename); if another process won, keep its."""
    if folder.exists():
        return
    folder.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = folder.parent / f".{folder.name}.{os.getpid()}.{threading.get_ident()}"
    tmp.mkdir(mode=0o700)
    fd = os.open(tmp / "key.pem", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    (tmp / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    try:
        tmp.rename(folder)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)


def _read_pair(folder: Path) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = serialization.load_pem_private_key((folder / "key.pem").read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise RuntimeError(f"{folder}/key.pem is not an EC key")
    cert = x509.load_pem_x509_certificate((folder / "cert.pem").read_bytes())
    return key, cert


def root() -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """The national root (created on first use in a demo)."""
    folder = keys_dir() / "root"
    if not folder.exists():
        with _lock:
            key = ec.generate_private_key(ec.SECP256R1())
            name = _name(ROOT_NAME, "root")
            now = dt.datetime.now(dt.UTC)
            cert = (
                x509.CertificateBuilder()
                .subject_name(name)
                .issuer_name(name)
                .public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(days=1))
                .not_valid_after(now + dt.timedelta(days=3650))
                .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                .add_extension(
                    x509.KeyUsage(
                        digital_signature=False,
                        content_commitment=False,
                        key_encipherment=False,
                        data_encipherment=False,
                        key_agreement=False,
                        key_cert_sign=True,
                        crl_sign=True,
                        encipher_only=False,
                        decipher_only=False,
                    ),
                    critical=True,
                )
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
                .sign(key, hashes.SHA256())
            )
            _write_pair(folder, key, cert)
    return _read_pair(folder)


def root_certificate_pem() -> bytes:
    return root()[1].public_bytes(serialization.Encoding.PEM)


def issuer(
    code: str, display: str, mode: Mode = Mode.NORMAL
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """The document-signing key of jurisdiction ``code`` (a 시·군·구), or of an office's
    edge node in continuity mode; created and certified by the root on first use."""
    folder = keys_dir() / ("issuers" if mode == Mode.NORMAL else "continuity") / code
    if not folder.exists():
        root_key, root_cert = root()
        with _lock:
            key = ec.generate_private_key(ec.SECP256R1())
            now = dt.datetime.now(dt.UTC)
            unit = "문서발급" if mode == Mode.NORMAL else "연속성 발급(continuity)"
            cert = (
                x509.CertificateBuilder()
                .subject_name(_name(f"{display} ({code})", unit))
                .issuer_name(root_cert.subject)
                .public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(days=1))
                .not_valid_after(now + dt.timedelta(days=1825))
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(
                    x509.KeyUsage(
                        digital_signature=True,
                        content_commitment=True,
                        key_encipherment=False,
                        data_encipherment=False,
                        key_agreement=False,
                        key_cert_sign=False,
                        crl_sign=False,
                        encipher_only=False,
                        decipher_only=False,
                    ),
                    critical=True,
                )
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
                .add_extension(
                    x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
                    False,
                )
                .sign(root_key, hashes.SHA256())
            )
            _write_pair(folder, key, cert)
    return _read_pair(folder)


def key_id(cert: x509.Certificate) -> str:
    """A short, stable name for a signing key: its certificate's SHA-256, first 16 hex."""
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()[:16]
