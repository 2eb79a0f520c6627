"""Benchmarks for continuity at the counter (issue 7), with real processes:

1. failover — time from cutting central off to the counter working again in continuity
   mode (a counter command answered by the edge), goal < 2 s;
2. replay — N commands journaled offline, then healed: time until the edge's journal is
   empty (central executed every command through ``execute()``), goal >= 2,000/s.

Run: ``.venv/bin/python bench/continuity_replay.py [N]`` (default 5000).
"""

from __future__ import annotations

import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.continuity.harness import WONJU, cluster

APPLY = {
    "items": [{"type_code": "GRIEVANCE"}],
    "applicant_name": "홍길동",
    "applicant_birth": "1980-01-01",
}


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    with tempfile.TemporaryDirectory() as tmp, cluster(Path(tmp), {"bench": WONJU}, persons=2) as c:
        c.setup_central()
        c.start_central()
        c.start_proxy()
        c.start_edge("bench", fake_clock=False)
        time.sleep(1)
        cut = time.monotonic()
        c.cut()
        while True:
            status, body = c.counter("bench", "SubmitApplication", APPLY)
            if status == 200 and body["mode"] == "continuity":
                break
            time.sleep(0.02)
        failover = time.monotonic() - cut
        t0 = time.monotonic()
        for _ in range(n - 1):
            status, body = c.counter("bench", "SubmitApplication", APPLY)
            assert status == 200, body
        offline = time.monotonic() - t0
        pending = c.edge_state("bench")["pending"]
        heal = time.monotonic()
        c.heal()
        c.wait_mode("bench", "reconciling", timeout=60)
        started = time.monotonic()
        c.wait_mode("bench", "normal", timeout=900)
        done = time.monotonic()
        print(
            f"machine: {platform.machine()} {platform.processor() or ''} cpus={__import__('os').cpu_count()} python={platform.python_version()}"
        )
        print(f"failover (cut -> counter served in continuity mode): {failover:.3f} s")
        print(f"offline counter work: {n} commands in {offline:.1f} s ({n / offline:.0f}/s)")
        print(f"journal pending at heal: {pending}")
        print(f"heal -> reconciling: {started - heal:.2f} s")
        print(
            f"reconcile + resync: {done - started:.2f} s -> {pending / (done - started):.0f} commands/s"
        )


if __name__ == "__main__":
    main()
