"""Certificate issuance speed, three figures from one run:

* render-only: layout + font subset + QR + PDF assembly, with a constant CMS blob (no
  signature), documents per second on one core;
* sign-only: ByteRange digest + CMS with one ECDSA P-256 signature, per second on one core;
* full HTTP: ``POST /api/certificates`` (counter clerk, 주민등록표 등본, cash) on
  PostgreSQL through ``minwon serve``, granian then gunicorn (ratio printed) — eligibility,
  registry reads, render, sign, ledger row, file row, audit chain, outbox — driven by wrk on
  the same machine.

    .venv/bin/python bench/documents_issue.py --seconds 5

It starts its own PostgreSQL (fsync on) in a temporary directory and removes it afterwards.
Client and server share the cores, so the HTTP figure is a floor. The applicant heads a
household of ``--members`` people (default 4; 1 is what runs before 2026-11-21 measured).
Add ``--in-process N`` for the app's own cost per issuance (CPU ms and SQL statements of N
requests through Django's test client, best of three), and ``--profile`` to print the top
functions of an in-process issuance loop (cProfile) before optimising anything. The HTTP
load comes from wrk (``bench/httpbench.py``; a Python client would burn the cores it
shares with the server). Runs before 2026-11-21 used a threaded Python client.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import pstats
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpbench

ROOT = httpbench.ROOT
WONJU = httpbench.WONJU
DANGU = "5113055000"


#: The bench household besides its head: a 등본 of four people is the common case, and the
#: household read, the RRN decryptions and the access log grow with the members.
MEMBERS = [("이배우", "spouse", "820304200002"), ("김자녀", "child", "100505300003"),
           ("김막내", "child", "130707400004")]  # fmt: skip


def setup(members: int = 4) -> tuple[Any, str, str, int]:
    """PostgreSQL, the schema, a counter clerk with a bearer token and a household of
    ``members`` people in 원주 단구동; returns (server, token, the head's RRN, head id)."""
    server = httpbench.start_database("documents")
    token = httpbench.staff_token("bench-clerk", "counter_clerk")
    from minwon.kernel import clock, execute, rrn
    from minwon.kernel.types import Actor, Channel
    from minwon.registry.commands import RegisterPerson

    system = Actor.system("bench")
    number = rrn.with_check_digit("800101100001")
    person = execute(
        RegisterPerson(
            actor=system, channel=Channel.COUNTER, jurisdiction=DANGU, name="김벤치",
            sealed_rrn=rrn.SealedRRN.from_text(number), household_id=None, relationship="head",
            road_address="강원특별자치도 원주시 단구로 170", address_detail="101동 1203호",
            address_code=DANGU, moved_in_on=clock.now().date() - timedelta(days=400),
        )
    ).value["person_id"]  # fmt: skip
    from minwon.registry.models import HouseholdMember

    household = HouseholdMember.objects.get(person_id=person).household_id
    for name, relationship, birth in MEMBERS[: max(members - 1, 0)]:
        execute(
            RegisterPerson(
                actor=system, channel=Channel.COUNTER, jurisdiction=DANGU, name=name,
                sealed_rrn=rrn.SealedRRN.from_text(rrn.with_check_digit(birth)),
                household_id=household, relationship=relationship,
                road_address="강원특별자치도 원주시 단구로 170", address_detail="101동 1203호",
                address_code=DANGU, moved_in_on=clock.now().date() - timedelta(days=300),
            )
        )  # fmt: skip
    return server, token, number, int(person)


def raw_rates(seconds: float) -> dict[str, float]:
    """Render-only and sign-only rates on one core, in this process."""
    from minwon.documents import render, signing
    from minwon.documents.catalog import CertType
    from minwon.documents.keys import Mode
    from minwon.documents.providers import FormData, Table
    from minwon.kernel import clock

    signer = signing.signer_for(WONJU, display="강원특별자치도 원주시")
    data = FormData(
        subject_name="김벤치",
        fields=[("세대주 성명", "김벤치"), ("세대 구성 일자", "2025.10.17"),
                ("주소", "강원특별자치도 원주시 단구로 170 101동 1203호"), ("세대원 수", "1명")],
        tables=[Table("세대 구성원", [("세대주와의 관계", 0.18), ("성명", 0.2), ("주민등록번호", 0.26),
                                      ("전입일", 0.18), ("비고", 0.18)],
                      [["세대주", "김벤치", "800101-1******", "2025.10.17", ""]])],
        summary={},
    )  # fmt: skip

    class Unsigned:
        """A signer stand-in returning a constant CMS, to time everything but signing."""

        def cms(self, digest: bytes) -> bytes:
            return b"\x30" * 1200

    now = clock.now()

    def one(i: int, who: Any) -> bytes:
        return render.render(
            cert_type=CertType.RESIDENT_COPY, data=data, number=f"{i:016d}", code="ABCDEFGH",
            issued_at=now, issuer_name="원주시장", mode=Mode.NORMAL, signer=who,
        )  # fmt: skip

    one(0, signer)
    out: dict[str, float] = {}
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        one(n, Unsigned())
        n += 1
    out["render_only_per_s"] = n / (time.perf_counter() - start)
    digest = hashlib.sha256(b"x" * 40_000).digest()
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        hashlib.sha256(b"x" * 40_000).digest()
        signer.cms(digest)
        n += 1
    out["sign_only_per_s"] = n / (time.perf_counter() - start)
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        one(n, signer)
        n += 1
    out["render_and_sign_per_s"] = n / (time.perf_counter() - start)
    return out


def profile_issuance(number: str, count: int = 300) -> None:
    """cProfile of ``execute(IssueCertificate)`` in-process (no HTTP)."""
    from minwon.documents.commands import IssueCertificate
    from minwon.kernel import execute, rrn
    from minwon.kernel.types import Actor, Channel

    index = rrn.blind_index(rrn.parse(number))

    def run() -> None:
        for _ in range(count):
            execute(IssueCertificate(actor=Actor.system("bench"), channel=Channel.COUNTER,
                                     jurisdiction=WONJU, cert_type="resident_copy",
                                     applicant_index=index, payment_method="cash"))  # fmt: skip

    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.runcall(run)
    print(
        f"in-process execute(IssueCertificate): {count / (time.perf_counter() - start):.0f}/s (profiled)"
    )
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def in_process(token: str, number: str, count: int = 300) -> dict[str, Any]:
    """CPU and statements of one ``POST /api/certificates`` in this process (Django's test
    client, no HTTP and no load generator): what the app itself costs per issuance."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    body = json.dumps(
        {"cert_type": "resident_copy", "applicant_rrn": number, "payment_method": "cash"}
    )

    def issue() -> None:
        response = client.post(
            "/api/certificates", body, content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )  # fmt: skip
        if response.status_code != 200:
            raise RuntimeError(response.content)

    for _ in range(30):
        issue()  # warm-up: keys, static forms, statement caches
    with CaptureQueriesContext(connection) as queries:
        issue()
    statements = [q["sql"] for q in queries.captured_queries]
    runs = []
    for _ in range(3):
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(count):
            issue()
        runs.append(((time.perf_counter() - wall) / count, (time.process_time() - cpu) / count))
    best = min(runs, key=lambda r: r[1])
    return {
        "statements": len(statements),
        "statements_without_begin_commit": sum(s not in ("BEGIN", "COMMIT") for s in statements),
        "cpu_ms": round(best[1] * 1000, 2), "wall_ms": round(best[0] * 1000, 2),
        "cpu_ms_runs": [round(r[1] * 1000, 2) for r in runs],
    }  # fmt: skip


def drive(port: int, token: str, number: str, *, clients: int, seconds: float) -> dict[str, Any]:
    """``POST /api/certificates`` in a closed loop from wrk (``bench/httpbench.py``)."""
    body = json.dumps(
        {"cert_type": "resident_copy", "applicant_rrn": number, "payment_method": "cash"}
    ).encode()
    return httpbench.wrk(
        f"http://127.0.0.1:{port}/api/certificates", method="POST", body=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        connections=clients, seconds=seconds,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--raw-seconds", type=float, default=5)
    parser.add_argument("--workers", type=int, default=0, help="0: minwon serve's rule")
    parser.add_argument("--threads", type=int, default=0, help="0: minwon serve's rule")
    parser.add_argument("--servers", default="granian,gunicorn")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--members", type=int, default=4, help="people in the household")
    parser.add_argument(
        "--in-process", type=int, default=0, metavar="N",
        help="also time N in-process issuances (CPU and statements per issuance)",
    )  # fmt: skip
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    server, token, number, _person = setup(args.members)
    try:
        print(json.dumps({"raw": {k: round(v, 1) for k, v in raw_rates(args.raw_seconds).items()}}))
        if args.profile:
            profile_issuance(number)
        if args.in_process:
            result = in_process(token, number, args.in_process)
            print(json.dumps({"in_process": result, "members": args.members}))
        results = {}
        for name in httpbench.servers(args.servers):
            proc, port = httpbench.start_server(name, args.workers, args.threads)
            try:
                drive(port, token, number, clients=4, seconds=2)  # warm-up: keys, static forms
                setting = {"workers": args.workers or "rule", "threads": args.threads or "rule",
                           "clients": args.clients, **httpbench.machine()}  # fmt: skip
                results[name] = {
                    "issue": drive(port, token, number, clients=args.clients, seconds=args.seconds)
                }
                print(json.dumps({"server": name, "http": results[name]["issue"],
                                  "driver": "wrk", **setting}))  # fmt: skip
            finally:
                httpbench.stop_server(proc)
        print(json.dumps({"granian_to_gunicorn": httpbench.ratios(results)}))
    finally:
        server.destroy()


if __name__ == "__main__":
    main()
