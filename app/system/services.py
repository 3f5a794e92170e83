"""Health checks of the parts Openround depends on."""

from __future__ import annotations

from flask import current_app

from app.core.extensions import db
from app.core.storage import get_storage


def check_database() -> str:
    """'ok' when a trivial query runs."""
    try:
        db.session.execute(db.select(1))
    except Exception as error:
        db.session.rollback()
        current_app.logger.warning("health: database check failed: %s", error)
        return "error"
    return "ok"


def check_storage() -> str:
    """'ok' when the configured file store is reachable and writable."""
    try:
        get_storage().check()
    except Exception as error:
        current_app.logger.warning("health: storage check failed: %s", error)
        return "error"
    return "ok"


def health_report() -> dict[str, object]:
    """The state of each dependency and an overall status."""
    checks = {"database": check_database(), "storage": check_storage()}
    status = "ok" if all(value == "ok" for value in checks.values()) else "error"
    return {"status": status, "checks": checks, "storage_backend": current_app.config["STORAGE_BACKEND"]}
