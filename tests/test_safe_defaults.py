# SPDX-License-Identifier: AGPL-3.0-or-later
"""The development profile is safe by default: its own secret, a private outbox, a loud bind warning."""

from __future__ import annotations

import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from flask import Flask

from app import create_app
from config import DEVELOPMENT_SECRET, INSTANCE_DIR, DevelopmentConfig, ProductionConfig
from tests.conftest import isolated_environ

ROOT = Path(__file__).resolve().parent.parent


def development_environ(tmp_path: Path, **extra: str) -> dict[str, str]:
    """What `make run` gives the app: no SECRET_KEY, files kept under this install's instance folder."""
    environ = isolated_environ(f"sqlite:///{tmp_path / 'openround.db'}", tmp_path)
    del environ["SECRET_KEY"]
    environ["SECRET_KEY_FILE"] = str(tmp_path / "instance" / "secret_key")
    return {**environ, **extra}


@pytest.mark.single_database
def test_development_without_secret_key_makes_a_random_secret_of_its_own(tmp_path: Path) -> None:
    key_file = tmp_path / "instance" / "secret_key"
    config = DevelopmentConfig(development_environ(tmp_path))
    assert not key_file.exists()  # nothing is written before the app is built

    first = create_app(config)
    secret = first.config["SECRET_KEY"]
    assert secret != DEVELOPMENT_SECRET and len(secret) >= 32
    assert key_file.read_text().strip() == secret
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert [path.name for path in key_file.parent.iterdir()] == ["secret_key"]  # no temporary left

    # The next start of the same install keeps it (sessions survive a restart) ...
    assert create_app(DevelopmentConfig(development_environ(tmp_path))).config["SECRET_KEY"] == secret
    # ... and another install has its own.
    other = tmp_path / "other"
    other.mkdir()
    assert create_app(DevelopmentConfig(development_environ(other))).config["SECRET_KEY"] != secret


@pytest.mark.single_database
def test_the_default_secret_file_is_under_instance() -> None:
    assert Path(DevelopmentConfig({}).SECRET_KEY_FILE) == INSTANCE_DIR / "secret_key"


@pytest.mark.single_database
def test_a_loose_secret_file_is_tightened_and_an_explicit_secret_wins(tmp_path: Path) -> None:
    key_file = tmp_path / "instance" / "secret_key"
    key_file.parent.mkdir()
    key_file.write_text("k" * 48 + "\n")
    key_file.chmod(0o644)
    assert create_app(DevelopmentConfig(development_environ(tmp_path))).config["SECRET_KEY"] == "k" * 48
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

    explicit = development_environ(tmp_path / "x", SECRET_KEY="e" * 40)
    assert create_app(DevelopmentConfig(explicit)).config["SECRET_KEY"] == "e" * 40
    assert not (tmp_path / "x" / "instance").exists()


@pytest.mark.single_database
def test_production_never_falls_back_to_a_secret_file(tmp_path: Path) -> None:
    environ = development_environ(tmp_path, OPENROUND_ENV="production")
    with pytest.raises(Exception, match="SECRET_KEY"):
        create_app(ProductionConfig(environ))
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_dev_outbox_answers_only_to_loopback_clients(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/dev/outbox").status_code == 200  # the test client is 127.0.0.1
    assert client.get("/dev/outbox", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200
    for remote in ("203.0.113.7", "10.0.0.2", "192.168.1.20", "::ffff:203.0.113.7"):
        assert client.get("/dev/outbox", environ_base={"REMOTE_ADDR": remote}).status_code == 404, remote
    # A local proxy makes every peer loopback: whoever it names must be local too.
    for header, value in (
        ("X-Forwarded-For", "203.0.113.7"),
        ("X-Forwarded-For", "127.0.0.1, 203.0.113.7"),
        ("X-Real-IP", "198.51.100.1"),
        ("Forwarded", 'for="[2001:db8::1]";proto=https'),
    ):
        assert client.get("/dev/outbox", headers={header: value}).status_code == 404, (header, value)
    assert client.get("/dev/outbox", headers={"X-Forwarded-For": "127.0.0.1"}).status_code == 200
    assert client.get("/dev/outbox/x.eml/raw", environ_base={"REMOTE_ADDR": "203.0.113.7"}).status_code == 404


@pytest.mark.single_database
def test_dev_outbox_is_absent_in_production(tmp_path: Path) -> None:
    environ = isolated_environ(f"sqlite:///{tmp_path / 'p.db'}", tmp_path, SECRET_KEY="p" * 48)
    app = create_app(ProductionConfig(environ))
    assert app.test_client().get("/dev/outbox").status_code == 404


@pytest.mark.single_database
@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize(
    ("host", "warned"),
    [
        ("0.0.0.0", True),  # noqa: S104 - the address under test
        ("192.168.1.5", True),
        ("127.0.0.1", False),
        ("localhost", False),
    ],
)
def test_make_run_warns_loudly_when_binding_beyond_loopback(host: str, warned: bool) -> None:
    # check-bind is the step `make run` takes just before serving; it installs nothing.
    result = subprocess.run(
        ["make", "--no-print-directory", "-s", "check-bind", f"HOST={host}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert ("WARNING" in result.stderr and host in result.stderr) is warned
    assert result.stdout == ""
