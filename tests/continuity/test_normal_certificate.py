"""A certificate issued at an edge's counter while central answers is central's document.

In normal mode the documents counter page (and the counter gateway) served by an edge
forwards the issuance to central: central issues and signs with its own key, its ledger
says ``mode=normal``, the PDF the clerk prints at the edge is byte for byte central's, and
nothing reaches the reconciliation queue. Real processes."""

from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from .harness import WONJU, Cluster, cluster, http

pytestmark = pytest.mark.slow

EDGE = "wonju-d"
DELEGATE = {"delegate_name": "김대리", "power_of_attorney": "위임-2026-002"}


def _settled(c: Cluster) -> dict[str, object]:
    """The edge's state once everything journaled was pushed (login records and the like)."""
    deadline = time.monotonic() + 30
    state = c.edge_state(EDGE)
    while time.monotonic() < deadline and state["pending"]:
        time.sleep(0.25)
        state = c.edge_state(EDGE)
    return state


def _key_id(pem: Path) -> str:
    cert = x509.load_pem_x509_certificate(pem.read_bytes())
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()[:16]


def _central_copy(c: Cluster, number: str) -> tuple[str, str, bytes]:
    ((mode, office, key),) = c.central_rows(
        "SELECT mode, office, signing_key_id FROM documents_issuance WHERE document_number = ?",
        (number,),
    )
    ((pdf,),) = c.central_rows(
        "SELECT pdf FROM documents_issuedfile WHERE issuance_id = ?", (number,)
    )
    assert (mode, office) == ("normal", WONJU)
    return mode, key, bytes(pdf)


def test_counter_page_at_edge_in_normal_mode_issues_on_central(tmp_path: Path) -> None:
    with cluster(tmp_path, {EDGE: WONJU}, persons=2) as c:
        c.setup_central()
        c.start_central()
        c.start_proxy()
        c.start_edge(EDGE, fake_clock=False)
        person = c.secrets["residents"][WONJU][0]["person_id"]
        clerk = c.staff_session(EDGE)

        status, html = clerk.post(
            "/staff/certificates/",
            {"cert_type": "resident_copy", "subject": str(person), "payment_method": "cash",
             **DELEGATE},
        )  # fmt: skip
        assert status == 200, html[-2000:]
        match = re.search(r'data-testid="document-number">(\d+)<', html)
        assert match, html[-2000:]
        number = match.group(1)

        # Central issued it, in normal mode, with its own key: the row and file are there now.
        _mode, key, pdf = _central_copy(c, number)
        assert key == _key_id(tmp_path / "keys" / "issuers" / WONJU / "cert.pem")
        # The PDF the clerk prints at the edge is central's, byte for byte.
        status, printed = clerk.request("GET", f"/certificates/{number}.pdf")
        assert status == 200 and printed == pdf
        # It verifies at the edge and on central as a normal-mode document.
        for base in (c.edge_url(EDGE, ""), f"http://127.0.0.1:{c.central_port}"):
            code = c.central_rows(
                "SELECT verification_code FROM documents_issuance WHERE document_number = ?",
                (number,),
            )[0][0]
            status, view = http("GET", f"{base}/api/verify/{number}?code={code}", timeout=10)
            assert status == 200 and view["status"] == "genuine" and view["mode"] == "normal"

        # Nothing was journaled for replay: no second document, nothing queued.
        state = _settled(c)
        assert state["pending"] == 0 and state["queued"] == 0, state
        assert c.central_rows("SELECT COUNT(*) FROM continuity_reconciliationitem") == [(0,)]
        assert c.central_rows("SELECT COUNT(*) FROM documents_issuance") == [(1,)]

        # The counter gateway forwards the same way (no more 409 issue_on_central).
        status, body = c.counter(
            EDGE, "IssueCertificate",
            {"cert_type": "resident_abstract", "subject": str(person), "payment_method": "cash",
             **DELEGATE},
        )  # fmt: skip
        assert status == 200 and body["mode"] == "normal", body
        _central_copy(c, body["result"]["document_number"])
        state = _settled(c)
        assert state["pending"] == 0 and state["queued"] == 0, state
        assert c.central_rows("SELECT COUNT(*) FROM documents_issuance") == [(2,)]
