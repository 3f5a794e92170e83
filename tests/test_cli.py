# SPDX-License-Identifier: AGPL-3.0-or-later
"""`flask org create`, `flask user create` and `flask seed-demo`, including every misuse."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from app.core.extensions import db
from app.core.security import verify_password
from app.models import Organization, Role, User
from tests.factories import PASSWORD

GOOD_PASSWORD = "lilac-meadow-compass-88\n"


def _invoke(runner, *args: str, input: str | None = None):
    return runner.invoke(args=list(args), input=input)


def test_org_create(app, runner):
    result = _invoke(runner, "org", "create", "--name", "Acme Robotics", "--slug", "acme")
    assert result.exit_code == 0, result.output
    assert "acme" in result.output
    with app.app_context():
        organization = db.session.scalar(db.select(Organization).where(Organization.slug == "acme"))
        assert organization.name == "Acme Robotics"


def test_org_create_without_slug_generates_an_unguessable_one(app, runner):
    result = _invoke(runner, "org", "create", "--name", "Bottega Rossi")
    assert result.exit_code == 0, result.output
    with app.app_context():
        slug = db.session.scalar(db.select(Organization.slug))
    assert slug.startswith("bottega-rossi-") and len(slug) == len("bottega-rossi-") + 8


def test_org_create_refuses_a_duplicate_or_malformed_slug(runner):
    assert _invoke(runner, "org", "create", "--name", "One", "--slug", "taken").exit_code == 0
    duplicate = _invoke(runner, "org", "create", "--name", "Two", "--slug", "taken")
    assert duplicate.exit_code != 0
    assert "already taken" in duplicate.output
    malformed = _invoke(runner, "org", "create", "--name", "Three", "--slug", "Not A Slug!")
    assert malformed.exit_code != 0
    assert "lowercase letters" in malformed.output


def test_user_create_reads_the_password_from_stdin(app, runner):
    _invoke(runner, "org", "create", "--name", "Acme", "--slug", "acme")
    result = _invoke(
        runner,
        "user",
        "create",
        "--org",
        "acme",
        "--email",
        "Rita@Example.com",
        "--name",
        "Rita",
        "--role",
        "recruiter",
        input=GOOD_PASSWORD,
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(db.select(User))
        assert user.email == "rita@example.com"
        assert user.role == Role.RECRUITER
        assert verify_password(user.password_hash, GOOD_PASSWORD.strip())
        assert GOOD_PASSWORD.strip() not in user.password_hash


def test_user_create_misuse_is_explained_with_a_non_zero_exit(app, runner):
    _invoke(runner, "org", "create", "--name", "Acme", "--slug", "acme")
    base = ["user", "create", "--email", "sam@example.com", "--name", "Sam"]
    cases = {
        "No organization uses the slug": [*base, "--org", "nope", "--role", "admin"],
        "Unknown role": [*base, "--org", "acme", "--role", "boss"],
    }
    for expected, args in cases.items():
        result = _invoke(runner, *args, input=GOOD_PASSWORD)
        assert result.exit_code != 0
        assert expected in result.output
    weak = _invoke(runner, *base, "--org", "acme", "--role", "admin", input="short\n")
    assert weak.exit_code != 0 and "at least 12 characters" in weak.output
    empty = _invoke(runner, *base, "--org", "acme", "--role", "admin", input="")
    assert empty.exit_code != 0 and "No password" in empty.output
    assert _invoke(runner, *base, "--org", "acme", "--role", "admin", input=GOOD_PASSWORD).exit_code == 0
    duplicate = _invoke(runner, *base, "--org", "acme", "--role", "admin", input=GOOD_PASSWORD)
    assert duplicate.exit_code != 0 and "already exists" in duplicate.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(User.id))) == 1


def test_user_create_has_no_password_option(runner):
    result = _invoke(
        runner,
        "user",
        "create",
        "--org",
        "acme",
        "--email",
        "a@example.com",
        "--name",
        "A",
        "--role",
        "admin",
        "--password",
        PASSWORD,
    )
    assert result.exit_code != 0
    assert "No such option" in result.output


def test_flask_entry_point_runs_as_a_real_process(app_environ, tmp_path: Path):
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, **app_environ, "OPENROUND_ENV": "development"}
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    created = subprocess.run(
        [*flask, "org", "create", "--name", "Proc", "--slug", "proc"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert created.returncode == 0, created.stderr
    user = subprocess.run(
        [
            *flask,
            "user",
            "create",
            "--org",
            "proc",
            "--email",
            "p@example.com",
            "--name",
            "P",
            "--role",
            "admin",
        ],
        cwd=root,
        env=env,
        input=GOOD_PASSWORD,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert user.returncode == 0, user.stderr
    bad_role = subprocess.run(
        [
            *flask,
            "user",
            "create",
            "--org",
            "proc",
            "--email",
            "q@example.com",
            "--name",
            "Q",
            "--role",
            "ceo",
        ],
        cwd=root,
        env=env,
        input=GOOD_PASSWORD,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad_role.returncode != 0
    assert "Unknown role" in bad_role.stderr


def test_setup_check_says_where_mail_and_files_go(app, runner):
    result = runner.invoke(args=["setup-check"])
    assert result.exit_code == 0, result.output
    assert str(Path(app.config["MAIL_OUTBOX_PATH"]).resolve()) in result.output
    assert "/dev/outbox" in result.output
    assert str(Path(app.config["STORAGE_LOCAL_PATH"]).resolve()) in result.output
    assert "PyAV" in result.output and "no system ffmpeg needed" in result.output
    assert "WARNING: Video processing" not in result.output


def test_setup_check_warns_loudly_about_a_missing_whisper_model(app, runner, tmp_path):
    app.config["TRANSCRIPTION_ENABLED"] = True
    app.config["WHISPER_MODEL_PATH"] = str(tmp_path / "no-model-here")
    result = runner.invoke(args=["setup-check"])
    assert result.exit_code == 0, result.output
    assert "WARNING: Transcripts: no Whisper model" in result.output

    app.config["TRANSCRIPTION_ENABLED"] = False
    assert "WARNING: Transcripts: off" in runner.invoke(args=["setup-check"]).output
