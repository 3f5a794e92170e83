"""Engine settings that depend on the database in use."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event

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
