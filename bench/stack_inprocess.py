"""The stack floor in process: CPU microseconds per ``GET /healthz`` through minwon's WSGI
application (every middleware, the request signals, the multiprocess Prometheus files),
beside the bare Django view of ``bench/bare_app.py`` (minwon's settings, no middleware) and,
with ``--before REV``, the same application as it was at commit ``REV`` — in one run, in
alternating child processes, so that a neighbour's load falls on all alike. Prints each
round, the medians and minwon's over the bare view's and over ``REV``'s.

    .venv/bin/python bench/stack_inprocess.py --before HEAD~3 --requests 5000 --rounds 5

No server and no socket: each child calls the WSGI callable with the environ a server
would pass (``Host`` only, as wrk sends), joins the body and closes the response (which
sends ``request_finished``), and times ``time.process_time()`` over ``--requests`` calls
after a warm-up. ``--profile FILE`` writes a cProfile of minwon's requests instead;
``--metrics --path /accounts/login/`` times the request metrics middleware alone on a path
it counts (minwon's against ``--before``'s; there is no bare floor for it).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent


def environ(path: str, headers: dict[str, str]) -> dict[str, Any]:
    env: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "HTTP_HOST": "127.0.0.1:8000",
    }
    for name, value in headers.items():
        env["HTTP_" + name.upper().replace("-", "_")] = value
    return env


def _start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
    return None


def metrics_child(path: str, requests: int) -> None:
    """``RequestMetricsMiddleware`` alone around a view that answers at once, for a path
    it counts (the rollups skip /healthz): what the metrics cost every other request."""
    import django

    django.setup()
    from django.http import HttpResponse
    from django.test import RequestFactory
    from django.urls import resolve

    from minwon.ops import rollups
    from minwon.ops.middleware import RequestMetricsMiddleware

    rollups.FLUSH_SECONDS = float("inf")  # counting, not the flush's database writes
    request = RequestFactory().get(path)
    request.resolver_match = resolve(path)
    answer = HttpResponse(b"x")
    middleware = RequestMetricsMiddleware(lambda r: answer)
    for _ in range(min(1000, requests)):
        middleware(request)
    started = time.process_time()
    for _ in range(requests):
        middleware(request)
    seconds = time.process_time() - started
    print(json.dumps({"us_per_request": round(seconds / requests * 1e6, 2)}), flush=True)


def child(app_name: str, path: str, headers: dict[str, str], requests: int, profile: str) -> None:
    if app_name == "metrics":
        metrics_child(path, requests)
        return
    if app_name == "bare":
        sys.path.insert(0, str(BENCH))
        from bare_app import application
    else:
        from minwon.config.wsgi import application
    app: Callable[..., Iterable[bytes]] = application
    base = environ(path, headers)

    def one() -> None:
        answer = app(dict(base), _start_response)
        b"".join(answer)
        answer.close()  # type: ignore[attr-defined]

    for _ in range(min(1000, requests)):
        one()
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(requests):
            one()
        profiler.disable()
        profiler.dump_stats(profile)
        return
    started = time.process_time()
    for _ in range(requests):
        one()
    seconds = time.process_time() - started
    print(json.dumps({"us_per_request": round(seconds / requests * 1e6, 1)}), flush=True)


def tree_of(rev: str) -> Path:
    """``src/`` as it was at ``rev``, in a temporary directory (put first on PYTHONPATH)."""
    into = Path(tempfile.mkdtemp(prefix="minwon-bench-tree-"))
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev, "src"], check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--path", default="/healthz")
    parser.add_argument("--header", action="append", default=[], help="Name: value")
    parser.add_argument("--before", default="", help="a commit to measure beside the tree")
    parser.add_argument("--profile", default="", help="write a cProfile of minwon to FILE")
    parser.add_argument(
        "--metrics", action="store_true",
        help="time the request metrics middleware alone on --path (a counted one)",
    )  # fmt: skip
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    headers = dict(h.split(":", 1) for h in args.header)
    headers = {k.strip(): v.strip() for k, v in headers.items()}
    if args.child:
        child(args.child, args.path, headers, args.requests, args.profile)
        return
    from httpbench import machine

    at_start = machine()
    var = tempfile.mkdtemp(prefix="minwon-bench-inprocess-")
    prom = Path(var) / "prometheus"
    prom.mkdir()
    env = dict(
        os.environ,
        MINWON_VAR_DIR=var,
        MINWON_DATABASE_URL=f"sqlite:///{var}/minwon.sqlite3",
        PROMETHEUS_MULTIPROC_DIR=str(prom),  # as `minwon serve` runs it
        DJANGO_SETTINGS_MODULE="minwon.config.settings",
    )
    subprocess.run(
        [sys.executable, "-m", "minwon.cli", "migrate", "--verbosity", "0"], check=True, env=env
    )
    command = [sys.executable, __file__, "--path", args.path, "--requests", str(args.requests)]
    for header in args.header:
        command += ["--header", header]
    if args.profile:
        subprocess.run(
            [*command, "--child", "minwon", "--profile", args.profile], env=env, check=True
        )
        return
    kind = "metrics" if args.metrics else "minwon"
    kinds: dict[str, tuple[str, dict[str, str]]] = {"minwon": (kind, env)}
    if not args.metrics:
        kinds["bare"] = ("bare", env)
    if args.before:
        tree = tree_of(args.before)
        kinds[f"minwon@{args.before}"] = (
            kind,
            dict(env, PYTHONPATH=os.pathsep.join([str(tree), env.get("PYTHONPATH", "")])),
        )
    rounds: dict[str, list[float]] = {label: [] for label in kinds}
    for n in range(args.rounds):
        for label, (app_name, child_env) in kinds.items():
            out = subprocess.run(
                [*command, "--child", app_name], env=child_env, check=True, capture_output=True,
                text=True,
            ).stdout  # fmt: skip
            us = json.loads(out.strip().splitlines()[-1])["us_per_request"]
            rounds[label].append(us)
            print(json.dumps({"round": n + 1, "app": label, "us_per_request": us}), flush=True)
    medians = {label: statistics.median(values) for label, values in rounds.items()}
    summary: dict[str, Any] = {
        "path": args.path,
        "headers": headers,
        "machine": at_start,
        "load_average_at_end": machine()["load_average"],
        "requests_per_round": args.requests,
        "median_us_per_request": medians,
        # The least a round took: the figure a neighbour's load disturbs least.
        "min_us_per_request": {label: min(values) for label, values in rounds.items()},
    }
    if "bare" in medians:
        summary["minwon_over_bare"] = round(medians["minwon"] / medians["bare"], 2)
    if args.before:
        before = medians[f"minwon@{args.before}"]
        summary[f"minwon_over_{args.before}"] = round(medians["minwon"] / before, 2)
        least = summary["min_us_per_request"]
        summary[f"minwon_over_{args.before}_min"] = round(
            least["minwon"] / least[f"minwon@{args.before}"], 2
        )
        if "bare" in medians:
            summary[f"{args.before}_over_bare"] = round(before / medians["bare"], 2)
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
