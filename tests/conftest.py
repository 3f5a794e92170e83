# SPDX-License-Identifier: AGPL-3.0-or-later
"""Fixtures: an app on a real database (SQLite file, and PostgreSQL when configured),
its client and CLI runner, and login helpers.

Database tests run once per backend: ``sqlite`` always, ``postgresql`` when
``TEST_DATABASE_URL`` points at a server (``.ci/run`` sets it); otherwise those runs skip.
Tests that do not depend on the database (browser, media, storage, mail) are marked
``single_database`` (browser tests are ``e2e``, which implies it) and run once, on SQLite.

Under CI (the ``CI`` variable is set, as ``.ci/run`` is run) a test that skips because a
service, browser or tool is missing fails instead: a green CI has run the whole suite.
"""

from __future__ import annotations

import os
import re
import shutil
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.core import jobs
from app.core.extensions import db, limiter
from config import TestingConfig

pytest_plugins = [
    "tests.fixtures.strict",
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
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The PostgreSQL test database, migrated to head once per session (one per xdist worker)."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL is not set (PostgreSQL runs happen in .ci/run)")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        url = recreate_database(url, f"{sa.make_url(url).database}_{worker}")
    engine = sa.create_engine(_psycopg(url))
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    upgrade_to_head(url, tmp_path_factory.mktemp("pg-migrate"))
    yield url
    if worker:
        drop_database(url)


def _server(url: str) -> sa.Engine:
    """An autocommit connection to the server's maintenance database, to create and drop databases."""
    return sa.create_engine(sa.make_url(_psycopg(url)).set(database="postgres"), isolation_level="AUTOCOMMIT")


def recreate_database(url: str, name: str) -> str:
    """An empty database named ``name`` beside the one ``url`` names; its URL."""
    engine = _server(url)
    with engine.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return sa.make_url(url).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    """Drop a worker's database at the end of the session."""
    engine = _server(url)
    with engine.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{sa.make_url(url).database}" WITH (FORCE)'))
    engine.dispose()


def _psycopg(url: str) -> str:
    return re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", url)


@pytest.fixture
def app_workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the test app keeps its files: the same path in every test, emptied before each,
    so that one app built for these settings can serve every test of the process."""
    workdir = tmp_path_factory.getbasetemp() / "app-workdir"
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir()
    return workdir


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, app_workdir: Path) -> Iterator[str]:
    """A migrated, empty database on each backend."""
    if request.param == "sqlite":
        path = app_workdir / "test.db"
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
def app_environ(database_url: str, app_workdir: Path) -> dict[str, str]:
    """The environment the test app is built from; tests may add to it before `app`."""
    return isolated_environ(database_url, app_workdir)


@dataclass
class BuiltApp:
    """An app built for one environment, with what it looked like right after it was built."""

    app: Flask
    config: dict[str, Any]
    extensions: dict[str, Any]
    limiter_state: dict[str, Any]

    @classmethod
    def build(cls, environ: dict[str, str]) -> BuiltApp:
        application = create_app(TestingConfig(environ))
        return cls(application, dict(application.config), dict(application.extensions), dict(vars(limiter)))

    def reset(self) -> Flask:
        """Put the app back as built: configuration, lazily created caches, rate-limit counters."""
        self.app.config.clear()
        self.app.config.update(self.config)
        # Drops the caches areas create on first use (analytics, salts) and puts back what a
        # test replaced (a storage backend pointed at a broken disk).
        self.app.extensions.clear()
        self.app.extensions.update(self.extensions)
        # Flask-Limiter keeps its settings on the one shared Limiter, set by the last init_app.
        vars(limiter).clear()
        vars(limiter).update(self.limiter_state)
        if self.limiter_state.get("_storage") is not None:
            limiter.reset()
        jobs.init_app(self.app)  # the job queue runs task bodies in the app last configured
        return self.app


BUILT_APPS: OrderedDict[tuple[tuple[str, str], ...], BuiltApp] = OrderedDict()
BUILT_APPS_KEPT = 8


@pytest.fixture
def app(app_environ: dict[str, str], request: pytest.FixtureRequest) -> Iterator[Flask]:
    """An app bound to a fresh database. No context is pushed: use ``app.app_context()``.

    Building an app costs ~100 ms (compiling 200 URL rules), so an app built for the same
    environment is reset and reused; tests that change the app itself (add routes) are marked
    ``fresh_app`` and get their own.
    """
    key = tuple(sorted(app_environ.items()))
    built = None if request.node.get_closest_marker("fresh_app") else BUILT_APPS.get(key)
    if built is None:
        built = BuiltApp.build(app_environ)
        if not request.node.get_closest_marker("fresh_app"):
            BUILT_APPS[key] = built
            while len(BUILT_APPS) > BUILT_APPS_KEPT:
                BUILT_APPS.popitem(last=False)
        application = built.app
    else:
        BUILT_APPS.move_to_end(key)
        application = built.reset()
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
