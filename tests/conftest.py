"""Fixtures: an app on a real database (SQLite file, and PostgreSQL when configured),
its client and CLI runner, and login helpers.

Database tests run once per backend: ``sqlite`` always, ``postgresql`` when
``TEST_DATABASE_URL`` points at a server (``.ci/run`` sets it); otherwise those runs skip.
Tests that do not depend on the database (browser, media, storage, mail) are marked
``single_database`` (browser tests are ``e2e``, which implies it) and run once, on SQLite.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.extensions import db
from config import TestingConfig

pytest_plugins = [
    "tests.fixtures.s3",
    "tests.fixtures.smtp",
    "tests.fixtures.browser",
    "tests.fixtures.media",
    "tests.fixtures.redis_server",
]

BACKENDS = ["sqlite", "postgresql"]


def runs_once(item: pytest.Item) -> bool:
    """Whether a test is database-independent, so its PostgreSQL run would only repeat it."""
    return (
        item.get_closest_marker("single_database") is not None or item.get_closest_marker("e2e") is not None
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Drop the PostgreSQL copy of database-independent tests."""
    kept, repeated = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and callspec.params.get("database_url") == "postgresql"
        (repeated if on_postgres and runs_once(item) else kept).append(item)
    if repeated:
        config.hook.pytest_deselected(items=repeated)
        items[:] = kept


def upgrade_to_head(database_url: str, workdir: Path) -> None:
    """Run the Alembic migrations on an empty database, as `make run` does."""
    from flask_migrate import upgrade

    app = create_app(TestingConfig(isolated_environ(database_url, workdir)))
    with app.app_context():
        upgrade()
        db.engine.dispose()


def isolated_environ(database_url: str, workdir: Path, **extra: str) -> dict[str, str]:
    """A complete, isolated environment for one test app (nothing from the shell leaks in)."""
    environ = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-for-tests",
        "STORAGE_LOCAL_PATH": str(workdir / "uploads"),
        "MAIL_OUTBOX_PATH": str(workdir / "outbox"),
        "JOBS_SQLITE_PATH": str(workdir / "jobs.sqlite3"),
        "PUBLIC_URL": "http://localhost",
    }
    environ.update(extra)
    return environ


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once; each test gets a copy."""
    workdir = tmp_path_factory.mktemp("sqlite-template")
    path = workdir / "template.db"
    upgrade_to_head(f"sqlite:///{path}", workdir)
    return path


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The PostgreSQL test database, migrated to head once per session."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL is not set (PostgreSQL runs happen in .ci/run)")
    engine = sa.create_engine(_psycopg(url))
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    upgrade_to_head(url, tmp_path_factory.mktemp("pg-migrate"))
    return url


def _psycopg(url: str) -> str:
    return re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", url)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("postgres_url")
    yield url
    truncate_all(url)


def truncate_all(url: str) -> None:
    """Empty every table between PostgreSQL tests (much faster than re-migrating)."""
    engine = sa.create_engine(_psycopg(url))
    tables = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def app_environ(database_url: str, tmp_path: Path) -> dict[str, str]:
    """The environment the test app is built from; tests may add to it before `app`."""
    return isolated_environ(database_url, tmp_path)


@pytest.fixture
def app(app_environ: dict[str, str]) -> Iterator[Flask]:
    """An app bound to a fresh database. No context is pushed: use ``app.app_context()``."""
    application = create_app(TestingConfig(app_environ))
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client with cookies."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    """A CLI runner for ``flask`` commands."""
    return app.test_cli_runner()
