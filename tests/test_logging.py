# SPDX-License-Identifier: AGPL-3.0-or-later
"""One logging configuration: readable lines in development, JSON lines in production."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.single_database

LOG_FROM_AN_APP = """
import logging
from app import create_app
app = create_app()
logging.getLogger("app.example").info("answer %s processed", 42)
logging.getLogger("app.example").debug("not shown at INFO")
logging.getLogger("botocore").info("chatty library line")
"""


def run_app(tmp_path: Path, **environ: str) -> str:
    """Build an app in a fresh process with this environment, log a few lines, return stderr."""
    env = {
        "PATH": os.environ["PATH"],
        "DATABASE_URL": f"sqlite:///{tmp_path}/app.db",
        "STORAGE_LOCAL_PATH": str(tmp_path / "files"),
        "JOBS_SQLITE_PATH": str(tmp_path / "jobs.db"),
        "MAIL_OUTBOX_PATH": str(tmp_path / "outbox"),
        **environ,
    }
    result = subprocess.run(
        [sys.executable, "-c", LOG_FROM_AN_APP],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stderr


def test_production_logs_one_json_object_per_line(tmp_path):
    stderr = run_app(tmp_path, OPENROUND_ENV="production", SECRET_KEY="s" * 48)
    records = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    example = [record for record in records if record["logger"] == "app.example"]
    assert [record["message"] for record in example] == ["answer 42 processed"]
    assert example[0]["level"] == "INFO" and "time" in example[0]
    assert not any(record["logger"] == "botocore" for record in records)


def test_development_logs_readable_lines_at_the_configured_level(tmp_path):
    stderr = run_app(tmp_path, LOG_LEVEL="debug")
    lines = [line for line in stderr.splitlines() if "app.example" in line]
    assert len(lines) == 2 and "INFO    app.example: answer 42 processed" in lines[0]
    assert "DEBUG   app.example: not shown at INFO" in lines[1]
    assert "chatty library line" in stderr  # DEBUG opens the libraries too


def test_an_unknown_log_format_refuses_to_start(tmp_path):
    from app import create_app
    from config import ConfigurationError, DevelopmentConfig

    with pytest.raises(ConfigurationError, match="LOG_FORMAT"):
        create_app(DevelopmentConfig({"LOG_FORMAT": "xml", "DATABASE_URL": f"sqlite:///{tmp_path}/a.db"}))
