"""Benchmarks for continuity at the counter (issue 7), with real processes:

1. failover — time from cutting central off to the counter working again in continuity
   mode (a counter command answered by the edge), goal < 2 s;
2. replay — N commands journaled offline, then healed: time until the edge's journal is
   empty (central executed every command through ``execute()``), goal >= 2,000/s.

3. central replay alone — N synthesized journal entries (``SubmitApplication`` as the
   counter gateway builds them) posted to ``/api/continuity/replay`` in batches of 500:
   central's replay rate without the edge's own pace.

Run: ``.venv/bin/python bench/continuity_replay.py [N] [M]`` — N offline counter commands
end to end (default 1000), M synthesized entries for central alone (default 5000).
"""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.continuity.harness import WONJU, Cluster, cluster, http

APPLY = {
    "items": [{"type_code": "GRIEVANCE"}],
    "applicant_name": "홍길동",
    "applicant_birth": "1980-01-01",
}


def cpu_seconds(root: int) -> float:
    """User + system CPU of ``root`` and its descendants (gunicorn's workers), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(stat.parent.name)
        parents[pid] = int(fields[1])
        times[pid] = (int(fields[11]) + int(fields[12])) / ticks
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += times.get(pid, 0.0)
        todo.extend(child for child, parent in parents.items() if parent == pid)
    return total


def central_replay(c: Cluster, m: int) -> tuple[float, dict[str, int]]:
    """Post ``m`` synthesized entries straight to central; (seconds, outcome counts)."""
    import json
    import sqlite3
    import urllib.request
    import uuid
    from datetime import datetime, timedelta, timezone

    db = sqlite3.connect(c.base / "central" / "db.sqlite3")
    (clerk,) = db.execute("SELECT id FROM accounts_user WHERE username = 'clerk-bench'").fetchone()
    db.close()
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # receipt alphabet (32 symbols)
    when = datetime.now(timezone(timedelta(hours=9))) - timedelta(hours=5)
    entries = []
    for i in range(m):
        digits = "".join(alphabet[(i >> (5 * k)) & 31] for k in reversed(range(6)))
        entries.append(
            {
                "seq": i + 1,
                "name": "SubmitApplication",
                "command_id": str(uuid.uuid4()),
                "occurred_at": (when + timedelta(seconds=i)).isoformat(),
                "payload": {
                    **APPLY,
                    "actor": {"kind": "staff", "id": clerk, "name": "clerk-bench"},
                    "channel": "counter",
                    "jurisdiction": WONJU,
                    "receipt_random": "YY" + digits,
                },
                "edge_result": None,
            }
        )
    counts: dict[str, int] = {}
    url = f"http://127.0.0.1:{c.central_port}/api/continuity/replay"
    started = time.monotonic()
    for at in range(0, m, 500):
        body = json.dumps({"edge_id": "bench", "entries": entries[at : at + 500]}).encode()
        req = urllib.request.Request(
            url, data=body, method="POST",
            headers={"X-Api-Key": c.secrets["keys"]["bench"], "Content-Type": "application/json"},
        )  # fmt: skip
        with urllib.request.urlopen(req, timeout=600) as resp:
            for outcome in json.loads(resp.read())["outcomes"]:
                counts[outcome["status"]] = counts.get(outcome["status"], 0) + 1
    return time.monotonic() - started, counts


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    m = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
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
        http("GET", f"http://127.0.0.1:{c.central_port}/api/continuity/ping")
        cpu = cpu_seconds(c.procs["central"].pid)
        seconds, counts = central_replay(c, m)
        cpu = cpu_seconds(c.procs["central"].pid) - cpu
        print(
            f"central replay alone: {m} entries in {seconds:.2f} s -> {m / seconds:.0f}/s {counts}"
        )
        print(
            f"central CPU per replayed command: {cpu / m * 1000:.2f} ms "
            f"(one core's ceiling {m / cpu:.0f}/s; SQLite has one writer)"
        )


if __name__ == "__main__":
    main()
