"""행정정보 공동이용 end to end: signed agency requests per second on PostgreSQL, and p99
at a fixed 100 requests/s.

Each request is a real one: ``X-Api-Key``, an RFC 9421 Ed25519 signature over method, path
and Content-Digest with a fresh nonce, the nonce burnt, the catalogue's purpose check, the
subject's look-up, the minimised answer (지방세 납세 여부, ``관허사업 제한 확인`` under
지방세징수법 제7조, so no consent look-up), the answer signed by the providing 시·군·구's
ECDSA key, the message-log entry, the access log, the subject's notice and the audit row.
Requests are signed before the run (one nonce each), so the client only replays bytes:
wrk for the closed loop (a Lua table of the signed requests), ``httpbench.paced`` for 100/s.

    .venv/bin/python bench/sharing.py --seconds 10 [--server gunicorn --workers 2 --threads 4]

The floor is ``GET /api/sharing/items`` with the same key (authentication, no signature,
no database write), measured in the same run: the ratio says what signing, checking and
logging a read costs. Starts its own PostgreSQL (fsync on) and removes it afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpbench

DANGU = "5113055000"
PATH = "/api/sharing/requests"


def setup() -> tuple[Any, str, Any, str, str]:
    """PostgreSQL, a resident of 원주 단구동 and an agency with its keys."""
    server = httpbench.start_database("sharing")
    from minwon.accounts.commands import RegisterAgencyClient
    from minwon.kernel import clock, execute, rrn
    from minwon.kernel.types import NATION, Actor, Channel
    from minwon.registry.commands import RegisterPerson
    from minwon.sharing.commands import RegisterAgencySigningKey
    from minwon.sharing.signatures import new_agency_key
    from minwon.web.api import key_hash

    system = Actor.system("bench")
    number = rrn.with_check_digit("800101100001")
    execute(
        RegisterPerson(
            actor=system, channel=Channel.COUNTER, jurisdiction=DANGU, name="김벤치",
            sealed_rrn=rrn.SealedRRN.from_text(number), household_id=None, relationship="head",
            road_address="강원특별자치도 원주시 단구로 170", address_detail="101동 1203호",
            address_code=DANGU, moved_in_on=clock.now().date() - timedelta(days=400),
        )
    )  # fmt: skip
    api_key = "benchag.secret-for-the-benchmark-only"
    client_id = execute(
        RegisterAgencyClient(
            actor=system, channel=Channel.SYSTEM, jurisdiction=NATION, name="벤치 기관",
            prefix="benchag", key_hash=key_hash(api_key), permissions=["sharing.request"],
        )
    ).value["client_id"]  # fmt: skip
    key, pem = new_agency_key()
    execute(
        RegisterAgencySigningKey(
            actor=system, channel=Channel.SYSTEM, jurisdiction=NATION, client_id=client_id,
            public_key_pem=pem,
        )
    )  # fmt: skip
    return server, api_key, key, number, "benchag"


def signed(
    n: int, port: int, api_key: str, key: Any, number: str, keyid: str
) -> tuple[bytes, dict[str, str]]:
    from minwon.sharing.signatures import sign_request

    body = json.dumps({
        "subject_rrn": number, "item": "tax_clearance", "purpose": "관허사업 제한 확인",
        "case_reference": f"BENCH-{n}", "officer": "벤치 담당",
    }, ensure_ascii=False).encode()  # fmt: skip
    headers = sign_request(method="POST", url=f"http://127.0.0.1:{port}{PATH}", body=body,
                           keyid=keyid, key=key, nonce=uuid.uuid4().hex)  # fmt: skip
    headers.update(
        {"X-Api-Key": api_key, "Content-Type": "application/json", "Host": f"127.0.0.1:{port}"}
    )
    return body, headers


def wrk_signed(port: int, requests: list[tuple[bytes, dict[str, str]]], seconds: float,
               connections: int) -> dict[str, Any]:  # fmt: skip
    """wrk replaying pre-signed requests in order, each once."""
    lines = ["local reqs = {}"]
    for body, headers in requests:
        h = ", ".join(f"[{httpbench._lua(k)}] = {httpbench._lua(v)}" for k, v in headers.items())
        lines.append(
            f"reqs[#reqs + 1] = wrk.format('POST', {httpbench._lua(PATH)}, {{{h}}}, "
            f"{httpbench._lua(body.decode())})"
        )
    lines += ["local i = 0", "request = function()", "  i = i + 1",
              "  return reqs[(i - 1) % #reqs + 1]", "end"]  # fmt: skip
    script = "\n".join(lines) + httpbench._SCRIPT % {
        "method": "'POST'",
        "body": "nil",
        "headers": "",
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        out = subprocess.run(
            ["wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds:g}s", "--timeout", "30s",
             "-s", f.name, f"http://127.0.0.1:{port}{PATH}"],
            capture_output=True, text=True, check=True, timeout=seconds + 120,
        )  # fmt: skip
    finally:
        os.unlink(f.name)
    line = next(x for x in out.stdout.splitlines() if x.startswith("WRKJSON "))
    raw = json.loads(line.removeprefix("WRKJSON "))
    return {
        "requests": raw["requests"], "per_second": round(raw["requests"] / (raw["micros"] / 1e6), 1),
        "non_2xx": raw["non2xx"], "p50_ms": round(raw["p50_us"] / 1000, 1),
        "p99_ms": round(raw["p99_us"] / 1000, 1),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--server", default="granian", choices=["granian", "gunicorn"])
    parser.add_argument("--workers", type=int, default=0, help="0: minwon serve's sizing rule")
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rate", type=float, default=100)
    args = parser.parse_args()
    print(json.dumps({"machine": httpbench.machine()}))
    server, api_key, key, number, keyid = setup()
    proc, port = httpbench.start_server(args.server, args.workers, args.threads)
    try:
        warm = [signed(n, port, api_key, key, number, keyid) for n in range(50)]
        httpbench.paced(port, lambda n: ("POST", PATH, *warm[n]), rate=20, seconds=2, clients=4)
        floor = httpbench.wrk(f"http://127.0.0.1:{port}/api/sharing/items",
                              headers={"X-Api-Key": api_key}, connections=args.connections,
                              seconds=args.seconds)  # fmt: skip
        print(json.dumps({"floor GET /api/sharing/items": floor}))
        budget = int(max(floor["per_second"], 200) * args.seconds * 1.2)
        batch = [signed(10_000 + n, port, api_key, key, number, keyid) for n in range(budget)]
        closed = wrk_signed(port, batch, args.seconds, args.connections)
        closed["ratio_to_floor"] = round(closed["per_second"] / floor["per_second"], 3)
        print(json.dumps({"signed POST /api/sharing/requests (closed loop)": closed}))
        count = int(args.rate * args.seconds) + 1
        fixed = [signed(1_000_000 + n, port, api_key, key, number, keyid) for n in range(count)]
        paced = httpbench.paced(port, lambda n: ("POST", PATH, *fixed[n]), rate=args.rate,
                                seconds=args.seconds)  # fmt: skip
        print(json.dumps({f"signed requests at {args.rate:g}/s": paced}))
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        server.destroy()


if __name__ == "__main__":
    main()
