"""Failover benchmark: N rounds of a fault under write load on a fresh local cluster, with
min/median/max recovery time (fault → first acknowledged write) and the checker's verdict.

    .venv/bin/python bench/failover.py --rounds 5 --fault kill-postmaster
    .venv/bin/python bench/failover.py --rounds 2 --fault all

Results are recorded in docs/benchmarks/failover.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minwon.config.settings")

from minwon.ha.cluster import Cluster, ClusterSpec
from minwon.ha.harness import FAULTS, AppServer, RoundResult, free_base_port, run_round
from minwon.testing.pgserver import free_port


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--fault", choices=[*FAULTS, "all"], default="kill-postmaster")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--ttl", type=int, default=20)
    parser.add_argument("--loop-wait", type=int, default=1)
    parser.add_argument("--retry-timeout", type=int, default=5)
    args = parser.parse_args(argv)
    faults = list(FAULTS) if args.fault == "all" else [args.fault]

    base = Path(tempfile.mkdtemp(prefix="minwon-bench-failover-"))
    base.chmod(0o755)
    spec = ClusterSpec(
        base=base / "cluster", base_port=free_base_port(), ttl=args.ttl,
        loop_wait=args.loop_wait, retry_timeout=args.retry_timeout,
    )  # fmt: skip
    cluster = Cluster(spec)
    app = AppServer(cluster, port=free_port(), var_dir=base / "app")
    results: list[RoundResult] = []
    failed = False
    try:
        started = time.monotonic()
        cluster.up()
        app.start()
        print(
            f"cluster + app ready in {time.monotonic() - started:.0f} s "
            f"(ttl={spec.ttl} loop_wait={spec.loop_wait} retry_timeout={spec.retry_timeout} "
            f"primary_start_timeout={spec.primary_start_timeout}, {args.clients} clients)",
            flush=True,
        )
        for fault in faults:
            for i in range(1, args.rounds + 1):
                result = run_round(cluster, app, fault, clients=args.clients)
                results.append(result)
                failed |= not result.verdict.ok
                print(f"  round {i}: {result.summary()}", flush=True)
    finally:
        app.stop()
        cluster.down(destroy=True)
        shutil.rmtree(base, ignore_errors=True)

    print()
    print("| fault | rounds | recovery min | median | max | acknowledged | lost | duplicated |")
    print("|---|---|---|---|---|---|---|---|")
    for fault in faults:
        mine = [r for r in results if r.fault == fault]
        times = [r.recovery_seconds for r in mine if r.recovery_seconds is not None]
        if not times:
            continue
        print(
            f"| {fault} | {len(mine)} | {min(times):.1f} s | {statistics.median(times):.1f} s "
            f"| {max(times):.1f} s | {sum(r.verdict.acknowledged for r in mine)} "
            f"| {sum(len(r.verdict.lost) for r in mine)} "
            f"| {sum(len(r.verdict.duplicated) for r in mine)} |"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
