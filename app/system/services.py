# SPDX-License-Identifier: AGPL-3.0-or-later
"""Health checks of the parts Openround depends on."""

from __future__ import annotations

import shutil
from datetime import timedelta

from flask import current_app

from app.core import jobs, outbox
from app.core.extensions import db
from app.core.storage import get_storage
from app.models.base import utcnow


def check_database() -> str:
    """'ok' when a trivial query runs."""
    try:
        db.session.execute(db.select(1))
    except Exception as error:
        db.session.rollback()
        current_app.logger.warning("health: database check failed: %s", error)
        return "error"
    return "ok"


def check_storage(details: dict[str, object]) -> str:
    """'ok' when the file store is reachable and writable (and, on local disk, not nearly full)."""
    try:
        get_storage().check()
        if current_app.config["STORAGE_BACKEND"] == "local":
            free = shutil.disk_usage(current_app.config["STORAGE_LOCAL_PATH"]).free
            details["storage_free_bytes"] = free
            if free < current_app.config["HEALTH_MIN_FREE_BYTES"]:
                current_app.logger.warning("health: storage has only %s bytes free", free)
                return "error"
    except Exception as error:
        current_app.logger.warning("health: storage check failed: %s", error)
        return "error"
    return "ok"


def check_queue() -> str:
    """'ok' when the job queue (Redis or the SQLite file) answers; inline queues always do."""
    if jobs.huey.immediate:
        return "ok"
    try:
        storage = jobs.huey.storage
        if hasattr(storage, "conn") and hasattr(storage.conn, "ping"):
            storage.conn.ping()
        else:
            storage.queue_size()
    except Exception as error:
        current_app.logger.warning("health: queue check failed: %s", error)
        return "error"
    return "ok"


def check_outbox(details: dict[str, object]) -> str:
    """'ok' unless a delivery has waited longer than OUTBOX_STUCK_MINUTES."""
    try:
        age = outbox.oldest_undelivered_age()
    except Exception as error:
        db.session.rollback()
        current_app.logger.warning("health: outbox check failed: %s", error)
        return "error"
    details["outbox_oldest_seconds"] = None if age is None else round(age)
    return "error" if age is not None and age > current_app.config["OUTBOX_STUCK_MINUTES"] * 60 else "ok"


def check_consumer(details: dict[str, object]) -> str:
    """'ok' when a job consumer showed a sign of life recently (inline queues need none)."""
    if jobs.huey.immediate:
        return "ok"
    try:
        beat = outbox.last_heartbeat()
    except Exception as error:
        db.session.rollback()
        current_app.logger.warning("health: consumer check failed: %s", error)
        return "error"
    details["consumer_last_heartbeat"] = beat.isoformat() if beat else None
    max_age = timedelta(seconds=current_app.config["HEALTH_CONSUMER_MAX_AGE"])
    return "ok" if beat is not None and utcnow() - beat <= max_age else "error"


def health_report() -> dict[str, object]:
    """The state of each dependency, the failing ones by name, and an overall status."""
    details: dict[str, object] = {}
    checks = {
        "database": check_database(),
        "storage": check_storage(details),
        "queue": check_queue(),
    }
    if checks["database"] == "ok":
        checks["outbox"] = check_outbox(details)
        checks["consumer"] = check_consumer(details)
    failing = [name for name, value in checks.items() if value != "ok"]
    return {
        "status": "error" if failing else "ok",
        "checks": checks,
        "failing": failing,
        "details": details,
        "storage_backend": current_app.config["STORAGE_BACKEND"],
    }
