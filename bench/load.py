# SPDX-License-Identifier: AGPL-3.0-or-later
"""A bounded load client: keep-alive connections in threads, a fixed number of requests or seconds."""

from __future__ import annotations

import http.client
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Request:
    """What every request of a run sends."""

    path: str
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None


@dataclass
class Result:
    """Figures of one run: throughput, latency percentiles (seconds) and status counts."""

    completed: int
    elapsed: float
    latencies: list[float]
    statuses: Counter
    errors: int

    @property
    def requests_per_second(self) -> float:
        """Completed requests per wall-clock second."""
        return self.completed / self.elapsed if self.elapsed > 0 else 0.0

    def percentile(self, fraction: float) -> float:
        """The latency below which ``fraction`` of requests finished (nearest rank)."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
        return ordered[index]


def send_once(port: int, request: Request, timeout: float = 10.0) -> http.client.HTTPResponse:
    """One request on a new connection; the response is fully read (``.data`` holds the body)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request(request.method, request.path, body=request.body, headers=request.headers)
        response = connection.getresponse()
        response.data = response.read()  # type: ignore[attr-defined]
        return response
    finally:
        connection.close()


def run_load(port: int, request: Request, *, requests: int, seconds: float, concurrency: int) -> Result:
    """Send up to ``requests`` requests (stopping after ``seconds``) from ``concurrency`` threads."""
    lock = threading.Lock()
    remaining = [requests]
    latencies: list[float] = []
    statuses: Counter = Counter()
    errors = [0]
    deadline = time.perf_counter() + seconds

    def take_one() -> bool:
        with lock:
            if remaining[0] <= 0 or time.perf_counter() >= deadline:
                return False
            remaining[0] -= 1
            return True

    def client() -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=10)
        mine: list[float] = []
        seen: Counter = Counter()
        failed = 0
        while take_one():
            started = time.perf_counter()
            try:
                connection.request(request.method, request.path, body=request.body, headers=request.headers)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                failed += 1
                connection.close()
                connection = http.client.HTTPConnection(HOST, port, timeout=10)
                continue
            mine.append(time.perf_counter() - started)
            seen[response.status] += 1
            if response.will_close:
                connection.close()
        connection.close()
        with lock:
            latencies.extend(mine)
            statuses.update(seen)
            errors[0] += failed

    threads = [threading.Thread(target=client, daemon=True) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 30)
    elapsed = time.perf_counter() - started
    return Result(len(latencies), elapsed, latencies, statuses, errors[0])
