# SPDX-License-Identifier: AGPL-3.0-or-later
"""Migrations: one head; empty database → head → base → head, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from app import create_app
from app.core.extensions import db
from config import BASE_DIR, TestingConfig
from tests.conftest import isolated_environ, truncate_all


def test_there_is_a_single_head():
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(BASE_DIR / "migrations"))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def _tables(engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade(database_url, tmp_path):
    app = create_app(TestingConfig(isolated_environ(database_url, tmp_path)))
    expected = {table.name for table in db.metadata.sorted_tables}
    with app.app_context():
        assert _tables(db.engine) == expected
        downgrade(revision="base")
        assert _tables(db.engine) == set()
        upgrade()
        assert _tables(db.engine) == expected
        db.engine.dispose()
    if database_url.startswith("postgres"):
        truncate_all(database_url)


def test_models_match_the_migrations(database_url, tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    app = create_app(TestingConfig(isolated_environ(database_url, tmp_path)))
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert differences == []
