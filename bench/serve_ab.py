"""The stack floor, ``GET /healthz`` (every middleware, a JSON answer, no database), under
granian and gunicorn in one run, beside the same servers answering a bare Django view with
no middleware (``bench/bare_app.py``: the floor of server + Django), in alternating rounds
so that a neighbour's load falls on all alike; prints each round, the medians, granian's
over gunicorn's and minwon's over the bare view's.

    .venv/bin/python bench/serve_ab.py --seconds 5 --rounds 3

All run through ``minwon serve`` (``bench/httpbench.py``) on a throw-away SQLite database,
with the same workers and threads (serve's rule unless given), and are loaded by wrk one at
a time; the idle ones cost nothing meanwhile.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpbench


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=24)
    parser.add_argument("--workers", type=int, default=0, help="0: minwon serve's rule")
    parser.add_argument("--threads", type=int, default=0, help="0: minwon serve's rule")
    parser.add_argument("--path", default="/healthz")
    parser.add_argument("--servers", default="granian,gunicorn")
    parser.add_argument("--no-bare", action="store_true", help="skip the bare-Django floor")
    args = parser.parse_args()
    at_start = httpbench.machine()
    var = tempfile.mkdtemp(prefix="minwon-bench-serve-")
    os.environ["MINWON_VAR_DIR"] = var
    os.environ["MINWON_DATABASE_URL"] = f"sqlite:///{var}/minwon.sqlite3"
    subprocess.run([sys.executable, "-m", "minwon.cli", "migrate", "--verbosity", "0"], check=True)
    names = httpbench.servers(args.servers)
    kinds = [(name, False) for name in names]
    if not args.no_bare:
        kinds += [(name, True) for name in names]
    procs = {
        f"{name}-bare" if bare else name: httpbench.start_server(
            name, args.workers, args.threads, bare=bare
        )
        for name, bare in kinds
    }
    rounds: dict[str, list[dict[str, float]]] = {label: [] for label in procs}
    try:
        for _label, (_, port) in procs.items():  # warm-up: imports, first connections
            httpbench.wrk(f"http://127.0.0.1:{port}{args.path}", connections=4, seconds=1)
        for n in range(args.rounds):
            for label, (_, port) in procs.items():
                result = httpbench.wrk(
                    f"http://127.0.0.1:{port}{args.path}",
                    connections=args.connections,
                    seconds=args.seconds,
                )
                rounds[label].append(result)
                print(json.dumps({"round": n + 1, "server": label, **result}), flush=True)
    finally:
        for proc, _ in procs.values():
            httpbench.stop_server(proc)
    medians = {
        label: {
            "per_second": statistics.median(r["per_second"] for r in results),
            "p99_ms": round(statistics.median(r["p99_ms"] for r in results), 1),
        }
        for label, results in rounds.items()
    }

    def ratio(a: str, b: str) -> float | None:
        if a not in medians or b not in medians:
            return None
        return round(medians[a]["per_second"] / medians[b]["per_second"], 2)

    print(json.dumps({
        "path": args.path, "machine": at_start,
        "load_average_at_end": httpbench.machine()["load_average"],
        "workers_threads": f"{args.workers or 'rule'} x {args.threads or 'rule'}",
        "client": f"wrk, {args.connections} connections, {args.seconds:g} s per round",
        "median": medians,
        "granian_to_gunicorn": ratio("granian", "gunicorn"),
        "minwon_to_bare": {name: ratio(name, f"{name}-bare") for name in names},
    }, indent=1))  # fmt: skip


if __name__ == "__main__":
    main()
