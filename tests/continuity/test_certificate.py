"""A certificate issued at an edge in continuity mode: marked and signed as such, verifies
at the edge at once, and after healing enters central's ledger as the same document (same
number, code and bytes), so the citizen's paper verifies on central too. Real processes."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from .harness import WONJU, cluster, http

pytestmark = pytest.mark.slow

DELEGATE = {"delegate_name": "김대리", "power_of_attorney": "위임-2026-001"}


def test_continuity_certificate_verifies_and_enters_central_ledger(tmp_path: Path) -> None:
    with cluster(tmp_path, {"wonju-c": WONJU}, persons=2) as c:
        c.setup_central()
        c.start_central()
        c.start_proxy()
        c.start_edge("wonju-c", fake_clock=False)
        person = c.secrets["residents"][WONJU][0]["person_id"]
        ask = {"cert_type": "resident_copy", "subject": str(person), "payment_method": "cash"}

        # While central answers, central issues (forwarded: test_normal_certificate.py).
        status, body = c.counter("wonju-c", "IssueCertificate", {**ask, **DELEGATE})
        assert status == 200 and body["mode"] == "normal", body

        c.cut()
        c.wait_mode("wonju-c", "continuity")
        # Registers the edge does not hold are refused with the alternative channel.
        status, body = c.counter(
            "wonju-c", "IssueCertificate", {"cert_type": "land_register", "subject": "1" * 19}
        )
        assert status == 409 and body["code"] == "continuity_refused", body
        # A delegate without the power of attorney: a clear 400 naming the field.
        status, body = c.counter("wonju-c", "IssueCertificate", {**ask, "delegate_name": "김대리"})
        assert status == 400 and body["field"] == "power_of_attorney", body

        status, body = c.counter("wonju-c", "IssueCertificate", {**ask, **DELEGATE})
        assert status == 200, body
        issued = body["result"]
        number, code = issued["document_number"], issued["verification_code"]

        status, edge_view = http(
            "GET", c.edge_url("wonju-c", f"/api/verify/{number}?code={code}"), timeout=10
        )
        assert status == 200 and edge_view["status"] == "genuine", edge_view
        assert edge_view["mode"] == "continuity"
        edge_db = sqlite3.connect(tmp_path / "wonju-c" / "db.sqlite3")
        (pdf,) = edge_db.execute(
            "SELECT f.pdf FROM documents_issuedfile f WHERE f.issuance_id = ?", [number]
        ).fetchone()
        assert hashlib.sha256(pdf).hexdigest() == issued["content_sha256"]
        # Signed with the office's continuity key, certified by the same root as central's.
        cert = x509.load_pem_x509_certificate(
            (tmp_path / "keys" / "continuity" / WONJU / "cert.pem").read_bytes()
        )
        der = cert.public_bytes(serialization.Encoding.DER)
        assert edge_view["signing_key_id"] == hashlib.sha256(der).hexdigest()[:16]

        c.heal()
        c.wait_mode("wonju-c", "normal", timeout=120)
        assert c.edge_state("wonju-c")["queued"] == 0

        central = f"http://127.0.0.1:{c.central_port}"
        status, view = http("GET", f"{central}/api/verify/{number}?code={code}", timeout=10)
        assert status == 200 and view["status"] == "genuine", view
        assert view["mode"] == "continuity"
        assert view["content_sha256"] == issued["content_sha256"]
        assert view["signing_key_id"] == edge_view["signing_key_id"]
        ((stored,),) = c.central_rows(
            "SELECT pdf FROM documents_issuedfile WHERE issuance_id = ?", (number,)
        )
        assert bytes(stored) == bytes(pdf)  # the citizen's paper, byte for byte
        ((count,),) = c.central_rows(
            "SELECT COUNT(*) FROM documents_issuance WHERE mode = 'continuity'"
        )
        assert count == 1  # entered once, not issued again
