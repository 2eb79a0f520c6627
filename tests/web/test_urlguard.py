"""No RRN, PIN or birth date in a URL: what ``web.urlguard`` recognises (both ways), the
middleware's refusal, and the suite's own guard (``minwon.testing.plugin``) failing a run in
which a test requested such a URL — run as a child pytest, alone and under pytest-xdist."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from minwon.testing.plugin import rrns_in_logs
from minwon.web.urlguard import personal_in_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("path", "query", "kind", "field"),
    [
        ("/api/persons", "rrn=900101-1234567", "rrn", "rrn"),
        ("/api/persons", "subject_rrn=9001011234567", "rrn", "subject_rrn"),
        ("/staff/search/", "q=900101%2D1234567", "rrn", "q"),
        ("/x/900101-1234567/", "", "rrn", "path"),
        ("/track/", "receipt_number=51130-1&pin=482913", "pin", "pin"),
        ("/track/", "name=%ED%99%8D&birth_date=1990-01-01", "birth_date", "birth_date"),
        ("/x", "dob=19900101", "birth_date", "dob"),
    ],
)
def test_a_personal_value_in_a_url_is_found(path: str, query: str, kind: str, field: str) -> None:
    finding = personal_in_url(path, query)
    assert finding is not None and (finding.kind, finding.field) == (kind, field)


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/persons", "name=%ED%99%8D&purpose=x"),
        ("/track/", "receipt_number=51130-260309-7123456X-4"),  # seven digits in a receipt
        ("/track/", "pin=&birth_date="),  # empty fields carry nothing
        ("/verify/", "n=1234567890123456"),  # a 16-digit 문서확인번호
        ("/staff/sharing/messages/", "since=2026-03-01&until=2026-03-09"),  # not births
        ("/staff/registry/persons/123456/", ""),
    ],
)
def test_what_is_not_personal_passes(path: str, query: str) -> None:
    assert personal_in_url(path, query) is None


@pytest.mark.personal_url_probe
def test_an_rrn_under_any_name_in_any_url_is_a_400_page_that_does_not_carry_it_on() -> None:
    response = Client().get("/verify/", {"n": "900101-1234567"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "주민등록번호는 주소(URL)에 넣을 수 없습니다" in html
    assert "900101" not in html  # the log-in link's ?next= carries no query


def test_rrns_in_logs_finds_a_full_number_and_nothing_else(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "access.log").write_text(
        '[t] 127.0.0.1 "GET /api/track/[redacted]" 400 1.0ms\n'
        "[t] wrote checkpoint-0000000012-20261201T233012123456Z-1a2b3c4d.json\n"
        "[t] person 900101-1234567 looked up\n",
        encoding="utf-8",
    )
    (tmp_path / "a" / "notes.txt").write_text("900101-1234567\n", encoding="utf-8")
    try:
        assert rrns_in_logs(tmp_path) == [f"{tmp_path / 'a' / 'access.log'}:3"]
    finally:  # or the suite's own search after the run would find it
        (tmp_path / "a" / "access.log").unlink()


CHILD_TESTS = """
import pytest
from django.test import Client


@pytest.mark.django_db
def test_a_bad_lookup():
    Client().get("/track/", {"receipt_number": "51130-1", "pin": "482913"})


@pytest.mark.django_db
def test_a_clean_page():
    Client().get("/track/", {"receipt_number": "51130-1"})


@pytest.mark.django_db
@pytest.mark.personal_url_probe
def test_a_probe_is_let_through():
    Client().get("/api/persons", {"rrn": "900101-1234567"})
"""


def _child(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_child.py").write_text(CHILD_TESTS, encoding="utf-8")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST_", "MINWON_", "COV_")) and k != "DJANGO_SETTINGS_MODULE"
    }
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c",
         str(ROOT / "pyproject.toml"), "--rootdir", str(ROOT), *args,
         str(tmp_path / "test_child.py")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["alone", "xdist"])
def test_the_suite_guard_fails_a_run_that_put_a_pin_in_a_url(
    tmp_path: Path, workers: list[str]
) -> None:
    run = _child(tmp_path, *workers)
    out = run.stdout + run.stderr
    assert "3 passed" in out, out
    assert run.returncode == 1, out
    assert "personal data in URLs or logs" in out
    assert "::test_a_bad_lookup\tpin\t/track/?receipt_number=51130-1&pin=482913" in out
    assert "test_a_clean_page" not in out.split("personal data in URLs or logs")[1]
    assert "test_a_probe_is_let_through" not in out.split("personal data in URLs or logs")[1]
