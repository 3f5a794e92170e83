"""The benchmark harness runs end to end in a tiny mode (figures are printed, never asserted)."""

from __future__ import annotations

import subprocess
import sys

from config import BASE_DIR


def test_bench_runs_in_a_tiny_mode_and_stops_its_servers():
    completed = subprocess.run(
        [sys.executable, "-m", "bench", "--requests", "20", "--warmup", "2", "--seconds", "2", "--jobs", "2"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert completed.returncode == 0, completed.stderr[-3000:]
    lines = completed.stdout.splitlines()
    table = {line.split("  ")[0].strip(): line for line in lines if line[:1].isalnum() or line[:1] == "/"}
    assert "hello-world Flask" in table and "1.00" in table["hello-world Flask"]
    assert "skipped" not in table["/healthz"] and "unexpected" not in table["/healthz"]
    assert "skipped" not in table["journey beacon (POST)"]
    assert any(line.startswith("widget size:") for line in lines)
    assert "INFO  [alembic" not in completed.stdout
