# SPDX-License-Identifier: AGPL-3.0-or-later
"""Background jobs: inline in tests, SQLite or Redis queues otherwise, and a real consumer."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask, current_app, has_request_context
from huey import crontab
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage
from jinja2 import ChoiceLoader, DictLoader
from sqlalchemy import select

from app.core import jobs, mail
from app.core.extensions import db
from app.models import Organization
from config import BASE_DIR

CONSUMER_TIMEOUT = 30.0


@jobs.job()
def create_organization_job(slug: str) -> dict[str, object]:
    """Test task: writes to the database and reports the context it ran in."""
    db.session.add(Organization(name=slug.title(), slug=slug))
    db.session.commit()
    return {
        "outbox": current_app.config["MAIL_OUTBOX_PATH"],
        "request": has_request_context(),
        "session": id(db.session()),
    }


@jobs.periodic_job(crontab(minute="15", hour="3"))
def nightly_test_job() -> str:
    """Test periodic task."""
    return current_app.config["PUBLIC_URL"]


@pytest.fixture
def queued_app(app: Flask) -> Iterator[Flask]:
    """The test app with immediate mode off; the inline queue is restored afterwards."""
    app.config["JOBS_IMMEDIATE"] = False
    yield app
    app.config.update(JOBS_IMMEDIATE=True, REDIS_URL="")
    jobs.init_app(app)


def test_immediate_mode_runs_tasks_inline_in_the_app_context(app: Flask) -> None:
    assert jobs.huey.immediate
    assert isinstance(jobs.huey.storage, MemoryStorage)

    create_organization_job("inline")  # called with no context pushed, as a CLI would

    report = create_organization_job.call_local("local")
    assert report["outbox"] == app.config["MAIL_OUTBOX_PATH"]
    assert report["request"] is False
    with app.app_context():
        assert db.session.scalar(select(Organization.name).where(Organization.slug == "inline")) == "Inline"


def test_tasks_run_in_their_own_context_and_session_inside_a_request(app: Flask) -> None:
    with app.test_request_context("/"):
        assert db.session.scalars(select(Organization)).all() == []  # the request's transaction is open
        report = create_organization_job.call_local("inner")
        assert report["session"] != id(db.session())
        assert report["request"] is False
        create_organization_job("rolled-back")  # recorded in the request's transaction
        db.session.rollback()

    with app.app_context():
        slugs = set(db.session.scalars(select(Organization.slug)))
    assert slugs == {"inner"}  # the task committed at its own boundary; the request's rollback was its own


def test_periodic_job_is_registered_with_its_schedule(app: Flask) -> None:
    def due(when: datetime) -> set[str]:
        return {type(task).__name__ for task in jobs.huey.read_periodic(when)}

    assert "nightly_test_job" in due(datetime(2030, 1, 1, 3, 15))
    assert "nightly_test_job" not in due(datetime(2030, 1, 1, 4, 15))
    assert nightly_test_job.call_local() == app.config["PUBLIC_URL"]


def test_task_modules_are_importable_and_register_mail_delivery() -> None:
    jobs.import_task_modules()
    registered = set(jobs.huey._registry._registry)
    assert "app.core.jobs.relay_message" in registered
    assert "app.media.tasks.process_answer" in jobs.JOBS


def test_init_app_uses_sqlite_without_redis(queued_app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "queue" / "jobs.sqlite3"
    queued_app.config.update(REDIS_URL="", JOBS_SQLITE_PATH=str(path))

    jobs.init_app(queued_app)

    assert not jobs.huey.immediate
    assert isinstance(jobs.huey.storage, SqliteStorage)
    assert jobs.huey.storage.filename == str(path)
    assert path.parent.is_dir()


def test_init_app_uses_redis_when_configured(queued_app: Flask) -> None:
    queued_app.config["REDIS_URL"] = "redis://127.0.0.1:6399/3"  # no connection is made here

    jobs.init_app(queued_app)

    assert not jobs.huey.immediate
    assert isinstance(jobs.huey.storage, RedisStorage)
    pool = jobs.huey.storage.conn.connection_pool.connection_kwargs
    assert (pool["host"], pool["port"], pool["db"]) == ("127.0.0.1", 6399, 3)


def consumer_environ(
    tmp_path: Path, redis_url: str, jobs_sqlite_path: str, database_url: str, **extra: str
) -> dict[str, str]:
    """A development environment for the worker process on the test's database, else in tmp_path."""
    environ = {key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG", "TMPDIR"}}
    environ.update(
        OPENROUND_ENV="development",
        DATABASE_URL=database_url,
        SECRET_KEY="worker-test-secret-key-that-is-long-enough",
        REDIS_URL=redis_url,
        JOBS_SQLITE_PATH=jobs_sqlite_path,
        MAIL_OUTBOX_PATH=str(tmp_path / "worker-outbox"),
        STORAGE_LOCAL_PATH=str(tmp_path / "uploads"),
        PYTHONPATH=str(BASE_DIR),
    )
    environ.update(extra)
    return environ


@pytest.fixture(params=["sqlite-queue", "redis-queue"])
def queue_redis_url(request: pytest.FixtureRequest) -> str:
    """The queue the consumer test runs on: the SQLite file (as `make run`) or Redis."""
    return request.getfixturevalue("redis_url") if request.param == "redis-queue" else ""


@pytest.fixture
def consumer(queued_app: Flask, queue_redis_url: str, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A real ``huey_consumer app.worker.huey`` sharing the test app's queue, emptied around it."""
    queued_app.config["REDIS_URL"] = queue_redis_url
    jobs.init_app(queued_app)
    jobs.huey.flush()
    log = (tmp_path / "consumer.log").open("wb")
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("huey_consumer")), "app.worker.huey", "-w", "2", "-k", "thread"],
        cwd=BASE_DIR,
        env=consumer_environ(
            tmp_path,
            queue_redis_url,
            queued_app.config["JOBS_SQLITE_PATH"],
            queued_app.config["SQLALCHEMY_DATABASE_URI"],
        ),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()
        jobs.huey.flush()


def test_a_real_consumer_delivers_queued_mail_to_its_outbox(
    queued_app: Flask, consumer: subprocess.Popen[bytes], tmp_path: Path
) -> None:
    body = '{% extends "mail/_layout.KIND" %}{% block body %}Queued.{% endblock %}'
    templates = {f"mail/worker_check.{kind}": body.replace("KIND", kind) for kind in ("txt", "html")}
    queued_app.jinja_env.loader = ChoiceLoader([DictLoader(templates), queued_app.jinja_env.loader])

    with queued_app.app_context():
        mail.send_mail(to="ops@example.com", subject="Delivered by the worker", template="worker_check")
        db.session.commit()

    outbox = tmp_path / "worker-outbox"  # the consumer's MAIL_OUTBOX_PATH, not the test app's
    deadline = time.monotonic() + CONSUMER_TIMEOUT
    while not mail.list_outbox(outbox):
        if consumer.poll() is not None:
            pytest.fail("consumer exited:\n" + (tmp_path / "consumer.log").read_text())
        if time.monotonic() > deadline:
            pytest.fail("no mail after 30s:\n" + (tmp_path / "consumer.log").read_text())
        time.sleep(0.1)

    [message] = mail.list_outbox(outbox)
    assert message.subject == "Delivered by the worker"
    assert message.to == "ops@example.com"
    assert "Queued." in (message.text or "")
    assert not Path(queued_app.config["MAIL_OUTBOX_PATH"]).exists()  # nothing was delivered inline
