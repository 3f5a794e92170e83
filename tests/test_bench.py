# SPDX-License-Identifier: AGPL-3.0-or-later
"""The benchmark harness runs end to end in a tiny mode (figures are printed, never asserted)."""

from __future__ import annotations

import os
import shutil
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


def test_the_pipeline_bench_prints_times_and_the_same_query_counts_for_every_size():
    completed = subprocess.run(
        [sys.executable, "-m", "bench", "pipeline", "--quick"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    rows = [line.split() for line in completed.stdout.splitlines() if line.strip()[:1].isdigit()]
    assert [row[0] for row in rows] == ["20", "200", "2000"]
    assert "query counts: the same for every size" in completed.stdout


def test_the_analytics_bench_prints_the_dashboard_beside_its_plain_sql():
    tiny = ["--events", "3000", "--applications", "300", "--repeat", "1"]
    completed = subprocess.run(
        [sys.executable, "-m", "bench", "analytics", *tiny],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    databases = ["SQLite", "PostgreSQL"] if os.environ.get("TEST_DATABASE_URL") else ["SQLite"]
    rows = [
        line.split()
        for line in completed.stdout.splitlines()
        if line.split()[:1] and line.split()[0] in databases
    ]
    assert [(row[0], " ".join(row[1:-4])) for row in rows] == [
        (database, label)
        for database in databases
        for label in ("last 30 days", "last 365 days", "one job, 365 days", "poll: ETag version (304)")
    ]
    assert all(float(row[-2]) > 0 and row[-1] in ("within", "over") for row in rows)


def test_the_media_bench_prints_processing_seconds_per_second_of_video(tmp_path):
    tiny = ["--seconds", "1", "--rounds", "1", "--size", "160x120", "--fps", "10"]

    def run(environ: dict[str, str]) -> str:
        completed = subprocess.run(
            [sys.executable, "-m", "bench", "media", *tiny],
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            timeout=300,
            env=environ,
        )
        assert completed.returncode == 0, completed.stderr[-3000:]
        return completed.stdout

    def seconds_per_video_second(output: str, label: str) -> float:
        [row] = [line for line in output.splitlines() if line.startswith(label)]
        return float(row.split()[-3])  # then the ratio to ffmpeg and the CPU seconds

    output = run(dict(os.environ))
    assert "s per video s" in output and seconds_per_video_second(output, "PyAV (the product)") > 0
    if shutil.which("ffmpeg") and shutil.which("ffprobe"):
        assert seconds_per_video_second(output, "ffmpeg + ffprobe programs") > 0

    # Without the programs, the PyAV path is still measured and the old one says it was skipped.
    (tmp_path / "bin").mkdir()
    hidden = run({**os.environ, "PATH": str(tmp_path / "bin")})
    assert seconds_per_video_second(hidden, "PyAV (the product)") > 0
    assert "ffmpeg + ffprobe programs: skipped (not installed)" in hidden
