"""Certificate test fixtures: a throw-away key chain, a household in 원주, and helpers that
issue through ``execute`` and validate with pdfsig and pyHanko."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache

from minwon.documents import keys, render, signing
from minwon.documents.commands import IssueCertificate
from minwon.kernel import execute, rrn
from minwon.kernel.bus import Result
from minwon.kernel.types import Actor, ActorKind, Channel
from tests.conftest import WONJU
from tests.registry import factories

HEAD_RRN = rrn.with_check_digit("800101100001"[:12])
SPOUSE_RRN = rrn.with_check_digit("820202200002"[:12])
STRANGER_RRN = rrn.with_check_digit("900303100003"[:12])


@pytest.fixture(scope="session")
def key_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("keys")


@pytest.fixture(autouse=True)
def _isolated_keys(key_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("MINWON_KEYS_DIR", str(key_dir))
    monkeypatch.setenv("MINWON_PUBLIC_URL", "https://minwon.example.kr")
    signing.reset_cache()
    render._static.cache_clear()
    cache.clear()
    yield
    signing.reset_cache()


@pytest.fixture
def household(jurisdictions_loaded: None) -> dict[str, Any]:
    """A head and spouse in one household in 원주 단구동, and a stranger elsewhere."""
    head = factories.register("김세대", number=HEAD_RRN)
    spouse = factories.register(
        "이배우", number=SPOUSE_RRN, household_id=_household_id(head), relationship="spouse"
    )
    stranger = factories.register(
        "박타인",
        number=STRANGER_RRN,
        address="강원특별자치도 원주시 무실로 1",
        code=factories.MUSIL,
    )
    return {"head": head, "spouse": spouse, "stranger": stranger}


def _household_id(person: Any) -> int:
    from minwon.registry import queries

    household = queries.household_of(person)
    assert household is not None
    return household.pk


def index_of(number: str) -> str:
    return rrn.blind_index(rrn.parse(number))


def kiosk(cert_type: str, applicant_rrn: str, **fields: Any) -> Result:
    """Issue at a kiosk in 원주 for the holder of ``applicant_rrn`` (identity verified)."""
    fields.setdefault("payment_method", "cash")  # a card needs a gateway order
    return execute(
        IssueCertificate(
            actor=Actor.anonymous(), channel=Channel.KIOSK, jurisdiction=WONJU,
            cert_type=cert_type, applicant_index=index_of(applicant_rrn), kiosk_id="wonju-k1",
            **fields,
        )
    )  # fmt: skip


def online(user: Any, cert_type: str, **fields: Any) -> Result:
    return execute(
        IssueCertificate(
            actor=Actor(ActorKind.CITIZEN, user.pk, user.username), channel=Channel.ONLINE,
            jurisdiction="0000000000", cert_type=cert_type, **fields,
        )
    )  # fmt: skip


def pdfsig(path: Path, nss_dir: Path | None = None) -> str:
    command = ["pdfsig"]
    if nss_dir is not None:
        command += ["-nssdir", f"sql:{nss_dir}"]
    run = subprocess.run([*command, str(path)], capture_output=True, text=True, check=False)
    return run.stdout + run.stderr


@pytest.fixture(scope="session")
def nss_dir(key_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """An NSS database trusting the demo root, so pdfsig checks the chain too (needs
    certutil from libnss3-tools; without it the tests assert the signature line only)."""
    import shutil

    if shutil.which("certutil") is None:
        return None
    folder = tmp_path_factory.mktemp("nss")
    import os

    os.environ["MINWON_KEYS_DIR"] = str(key_dir)
    root_pem = folder / "root.pem"
    root_pem.write_bytes(keys.root_certificate_pem())
    subprocess.run(["certutil", "-N", "-d", f"sql:{folder}", "--empty-password"], check=True)
    subprocess.run(
        [
            "certutil",
            "-A",
            "-d",
            f"sql:{folder}",
            "-n",
            "minwon-root",
            "-t",
            "CT,C,C",
            "-i",
            str(root_pem),
        ],
        check=True,
    )
    return folder


def pyhanko_status(data: bytes) -> Any:
    """pyHanko's validation status of the document's only signature, trusting the root."""
    import io

    from asn1crypto import pem
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    _, _, der = pem.unarmor(keys.root_certificate_pem())
    root = asn1_x509.Certificate.load(der)
    reader = PdfFileReader(io.BytesIO(data))
    (signature,) = reader.embedded_signatures
    return validate_pdf_signature(signature, ValidationContext(trust_roots=[root]))


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    run = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return run.stdout


IssueFn = Callable[..., Result]


def card(kind: str = "ok") -> dict[str, str]:
    """The fields of the kiosk's card step with the demo gateway's test card (``ok``
    approves, ``limit`` is refused as over its limit), valid for three more years."""
    from minwon.payments import checkout

    demo = checkout.demo_card()
    assert demo is not None
    return {"payment_method": "card", "card_number": demo[kind], "card_expiry": demo["expiry"]}
