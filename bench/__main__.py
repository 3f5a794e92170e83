# SPDX-License-Identifier: AGPL-3.0-or-later
"""``python -m bench``: Openround's public pages under load, as ratios to a hello-world Flask app.

Builds a throwaway SQLite site, serves it and ``bench/hello.py`` with the same gunicorn settings on
free loopback ports, drives each target with a bounded keep-alive client, prints a table, and
stops both servers whatever happens. Targets that answer 404 (not built yet) are skipped.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.load import Request, Result, run_load, send_once
from bench.servers import GUNICORN_SETTINGS, ROOT, Server, free_port, start_server, wait_until_ready
from bench.site import Site, build_site

WIDGET_PATH = ROOT / "static" / "embed" / "v1" / "jobs.js"
WIDGET_BUDGET_BYTES = 8 * 1024


@dataclass(frozen=True)
class Target:
    """A page to measure: its label, request and the status every answer should have."""

    label: str
    request: Request
    expect: int = 200
    conditional: bool = False  # send If-None-Match with the ETag of a first answer


@dataclass
class Measured:
    """A target's outcome: figures, or the reason it was skipped."""

    target: Target
    result: Result | None = None
    skipped: str = ""


def targets_for(site: Site) -> list[Target]:
    """The pages a candidate, an embedding site and an operator hit most."""
    org, job = site.org_slug, site.job_slugs[0]
    beacon = {
        "events": [
            {
                "type": "card_view",
                "org": org,
                "job": job,
                "page_url": f"http://127.0.0.1/careers/{org}/jobs/{job}",
                "utm": {"source": "bench"},
            }
        ]
    }
    return [
        Target("/healthz", Request("/healthz")),
        Target("/login (GET)", Request("/login")),
        Target("career site", Request(f"/careers/{org}")),
        Target("job page", Request(f"/careers/{org}/jobs/{job}")),
        Target("public JSON jobs", Request(f"/api/v1/public/orgs/{org}/jobs")),
        Target(
            "public JSON, If-None-Match", Request(f"/api/v1/public/orgs/{org}/jobs"), 304, conditional=True
        ),
        Target("widget /embed/v1/jobs.js", Request("/embed/v1/jobs.js")),
        Target(
            "journey beacon (POST)",
            Request(
                "/api/v1/events",
                "POST",
                {"Content-Type": "text/plain;charset=UTF-8"},
                json.dumps(beacon).encode(),
            ),
            204,
        ),
    ]


def prepare(target: Target, port: int) -> tuple[Request | None, str]:
    """The request to repeat, or why the target is skipped (probed once before any load)."""
    request = target.request
    try:
        response = send_once(port, request)
        if response.status == 404:
            return None, "answers 404 (not built yet)"
        if target.conditional:
            etag = response.getheader("ETag")
            if response.status != 200 or not etag:
                return None, f"answers {response.status} without an ETag to revalidate"
            request = Request(request.path, request.method, {**request.headers, "If-None-Match": etag})
            response = send_once(port, request)
    except OSError as error:
        return None, f"no answer ({error})"
    if response.status != target.expect:
        return None, f"answers {response.status}, expected {target.expect}"
    return request, ""


def measure(
    target: Target, port: int, load: Callable[[int, Request, int], Result], warmup: int, requests: int
) -> Measured:
    """Warm a target up, then load it; skipped with a reason when it is not there yet."""
    request, reason = prepare(target, port)
    if request is None:
        return Measured(target, skipped=reason)
    load(port, request, warmup)
    return Measured(target, load(port, request, requests))


def milliseconds(seconds: float) -> str:
    """A latency for the table."""
    return "-" if math.isnan(seconds) else f"{seconds * 1000:.1f}"


def notes_of(measured: Measured) -> str:
    """Anything that makes the figures suspect: transport errors or unexpected statuses."""
    if measured.result is None:
        return f"skipped: {measured.skipped}"
    notes = []
    unexpected = {
        status: n for status, n in measured.result.statuses.items() if status != measured.target.expect
    }
    if unexpected:
        notes.append(f"unexpected statuses {unexpected}")
    if measured.result.errors:
        notes.append(f"{measured.result.errors} connection errors")
    return "; ".join(notes)


def print_table(baseline: Measured, rows: list[Measured]) -> None:
    """One line per target; ratios compare with the hello-world app measured in this run."""
    base = baseline.result
    assert base is not None
    header = f"{'target':<28} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s vs hello':>15} {'p50 vs hello':>13}  notes"
    print(header)
    print("-" * len(header))
    for measured in [baseline, *rows]:
        result = measured.result
        label = measured.target.label
        if result is None:
            print(
                f"{label:<28} {'-':>8} {'-':>8} {'-':>8} {'-':>8} {'-':>15} {'-':>13}  {notes_of(measured)}"
            )
            continue
        throughput = result.requests_per_second / base.requests_per_second if base.requests_per_second else 0
        p50_ratio = result.percentile(0.5) / base.percentile(0.5) if base.latencies else float("nan")
        print(
            f"{label:<28} {result.requests_per_second:>8.0f} {milliseconds(result.percentile(0.5)):>8} "
            f"{milliseconds(result.percentile(0.95)):>8} {milliseconds(result.percentile(0.99)):>8} "
            f"{throughput:>15.2f} {p50_ratio:>13.1f}  {notes_of(measured)}"
        )


def print_widget_size() -> None:
    """The widget script's size gzipped at level 9, against its 8 KB budget."""
    if not WIDGET_PATH.exists():
        print(f"widget size: {WIDGET_PATH.relative_to(ROOT)} not built yet")
        return
    raw = WIDGET_PATH.read_bytes()
    packed = len(gzip.compress(raw, compresslevel=9))
    verdict = "within" if packed <= WIDGET_BUDGET_BYTES else "OVER"
    print(
        f"widget size: {WIDGET_PATH.relative_to(ROOT)} {len(raw):,} B raw, {packed:,} B gzip -9 = "
        f"{packed / WIDGET_BUDGET_BYTES:.0%} of the 8 KB budget ({verdict})"
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options; --quick for a short run."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="300 requests or 3 s per target")
    parser.add_argument("--requests", type=int, help="requests per target (default 2000, quick 300)")
    parser.add_argument("--seconds", type=float, help="time limit per target (default 10, quick 3)")
    parser.add_argument("--warmup", type=int, help="warm-up requests per target (default 100, quick 30)")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads (default 8)")
    parser.add_argument("--jobs", type=int, default=20, help="published jobs to seed (default 20)")
    args = parser.parse_args(argv)
    args.requests = args.requests or (300 if args.quick else 2000)
    args.seconds = args.seconds or (3.0 if args.quick else 10.0)
    args.warmup = args.warmup if args.warmup is not None else (30 if args.quick else 100)
    if min(args.requests, args.concurrency, args.jobs) < 1 or args.seconds <= 0 or args.warmup < 0:
        parser.error("--requests, --concurrency and --jobs must be at least 1, --seconds above 0")
    return args


def main(argv: list[str] | None = None) -> int:
    """Build the site, start both servers, measure every target, print, and always clean up."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["pipeline"]:  # python -m bench pipeline: the job board and list at scale
        from bench.pipeline import main as pipeline_main

        return pipeline_main(argv[1:])
    if argv[:1] == ["media"]:  # python -m bench media: processing speed, PyAV beside ffmpeg
        from bench.media import main as media_main

        return media_main(argv[1:])
    if argv[:1] == ["analytics"]:  # python -m bench analytics: the dashboard beside its plain SQL
        from bench.analytics import main as analytics_main

        return analytics_main(argv[1:])
    args = parse_args(argv)
    # A SIGTERM (e.g. from a CI timeout) unwinds through `finally`, so no server is left behind.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = Path(tempfile.mkdtemp(prefix="openround-bench-"))
    servers: list[Server] = []

    def load(port: int, request: Request, count: int) -> Result:
        return run_load(port, request, requests=count, seconds=args.seconds, concurrency=args.concurrency)

    try:
        site = build_site(workdir, jobs=args.jobs)
        app_port = free_port()
        hello_port = free_port()
        while hello_port == app_port:
            hello_port = free_port()
        servers.append(start_server("openround", "wsgi:app", site.environ(app_port), app_port, workdir))
        servers.append(start_server("hello", "bench.hello:app", {}, hello_port, workdir))
        wait_until_ready(servers[0], "/healthz")
        wait_until_ready(servers[1], "/")

        print(
            f"gunicorn {' '.join(GUNICORN_SETTINGS)} on 127.0.0.1; client: {args.concurrency} keep-alive "
            f"threads, {args.requests} requests or {args.seconds:g} s per target after {args.warmup} "
            f"warm-up; {os.cpu_count()} CPUs; SQLite, {args.jobs} published jobs\n"
        )
        baseline = measure(
            Target("hello-world Flask", Request("/")), hello_port, load, args.warmup, args.requests
        )
        if baseline.result is None or not baseline.result.completed:
            print(f"the hello-world baseline did not answer: {baseline.skipped}", file=sys.stderr)
            return 1
        rows = [measure(target, app_port, load, args.warmup, args.requests) for target in targets_for(site)]
        print_table(baseline, rows)
        print()
        print_widget_size()
        return 0
    except RuntimeError as error:
        print(f"bench failed: {error}", file=sys.stderr)
        return 1
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
