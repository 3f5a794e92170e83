# SPDX-License-Identifier: AGPL-3.0-or-later
"""Files stored for a change that never committed (a crash mid-apply) are found and removed.

Before its row exists, a stored file is noted in ``pending_files`` on a separate connection that
commits at once (:func:`note_pending_file`); the transaction that records the file's row also
removes the note (:func:`adopt_file`). A note that outlives ``ORPHAN_GRACE`` belongs to a
transaction that never committed: the hourly sweep deletes the file, so personal data never
escapes retention and erasure.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from huey import crontab
from sqlalchemy import Engine, create_engine
from sqlalchemy.pool import NullPool

from app.core.extensions import db
from app.core.jobs import periodic_job
from app.core.storage import get_storage
from app.models.base import utcnow
from app.models.outbox import PendingFile

logger = logging.getLogger(__name__)

ORPHAN_GRACE = timedelta(hours=1)
SWEEP_BATCH = 500


def _notes_engine() -> Engine:
    """An engine outside the request's pool for the notes.

    A request already holds a pooled connection when it stores a file; taking a second one from
    the same pool would deadlock once every pooled connection belongs to a request waiting for
    another (50 applicants at once did exactly that), so each note opens a connection of its own.
    """
    engine = current_app.extensions.get("orphan_notes_engine")
    if engine is None:
        url = db.engine.url
        connect_args = {"timeout": 10} if url.get_backend_name() == "sqlite" else {}
        engine = create_engine(url, poolclass=NullPool, connect_args=connect_args)
        current_app.extensions["orphan_notes_engine"] = engine
    return engine


def note_pending_file(key: str) -> None:
    """Record, committed now and whatever the caller's transaction does, that ``key`` awaits its row."""
    try:
        with _notes_engine().begin() as connection:
            connection.execute(db.insert(PendingFile).values(key=key, created_at=utcnow()))
    except Exception:
        # Never fail the request for the safety net; the file is still deleted on a clean failure.
        logger.warning("Could not note pending file %s", key, exc_info=True)


def adopt_file(key: str) -> None:
    """The file's row is in the caller's transaction: forget the note when it commits."""
    db.session.execute(
        db.delete(PendingFile).where(PendingFile.key == key).execution_options(synchronize_session=False)
    )


def sweep_orphan_files(grace: timedelta = ORPHAN_GRACE) -> int:
    """Delete files whose row never committed within ``grace``; commits; returns how many."""
    cutoff = utcnow() - grace
    notes = db.session.scalars(
        db.select(PendingFile)
        .where(PendingFile.created_at < cutoff)
        .order_by(PendingFile.created_at)
        .limit(SWEEP_BATCH)
    ).all()
    storage = get_storage()
    removed = 0
    for note in notes:
        try:
            storage.delete(note.key)
        except Exception:
            logger.exception("Could not delete orphan file %s", note.key)
            continue
        db.session.delete(note)
        removed += 1
    db.session.commit()
    if removed:
        logger.info("Removed %s orphan file(s)", removed)
    return removed


@periodic_job(crontab(minute="25"))
def sweep_orphans() -> int:
    """Every hour: remove files stored for changes that never committed."""
    return sweep_orphan_files()
