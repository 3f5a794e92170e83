# SPDX-License-Identifier: AGPL-3.0-or-later
"""Engine settings that depend on the database in use."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import Delete, Update, event

from app.core.extensions import db


def configure_engine(app: Flask) -> None:
    """Make SQLite safe for a web server and a job consumer sharing one file."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def changed_rows(statement: Update | Delete) -> int:
    """Run an UPDATE or DELETE in the current session and say how many rows it changed.

    Conditional updates (``WHERE used_at IS NULL``) decide races between simultaneous requests:
    exactly one of them sees 1.
    """
    result: Any = db.session.execute(statement)  # a CursorResult, which Session.execute types as Result
    return int(result.rowcount)
