# SPDX-License-Identifier: AGPL-3.0-or-later
"""Stored files that rows point at: where keys live, and deleting only what no row still uses.

Every column that holds a storage key is listed in ``KEY_COLUMNS``. A file queued for deletion
is removed after the commit only if no row references its key any more, so one row's
"replace" or "delete" can never take a file another row (or organization) still shows.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Sequence

from sqlalchemy import Connection
from sqlalchemy.orm import InstrumentedAttribute

from app.core import after_commit
from app.core.extensions import db
from app.core.storage import get_storage
from app.models import (
    Application,
    DataExport,
    InterviewAnswer,
    InterviewQuestion,
    InterviewTemplate,
    InterviewUpload,
    Job,
    JobPhoto,
    Organization,
    Testimonial,
)

logger = logging.getLogger(__name__)

FILE_DELETIONS = "file_deletions"
LOOKUP_BATCH = 500

# Add a column here when a model starts keeping a storage key: deletions consult this list.
KEY_COLUMNS: tuple[InstrumentedAttribute[str | None], ...] = (
    Application.cv_key,
    DataExport.storage_key,
    InterviewAnswer.video_key,
    InterviewAnswer.mp4_key,
    InterviewAnswer.poster_key,
    InterviewAnswer.captions_key,
    InterviewQuestion.prompt_video_key,
    InterviewQuestion.prompt_captions_key,
    InterviewTemplate.welcome_video_key,
    InterviewTemplate.welcome_captions_key,
    InterviewUpload.key,
    Job.pitch_video_key,
    Job.pitch_captions_key,
    JobPhoto.key,
    Organization.logo_key,
    Organization.career_video_key,
    Testimonial.photo_key,
    Testimonial.video_key,
)


def referenced_keys(keys: Collection[str], connection: Connection | None = None) -> set[str]:
    """The subset of ``keys`` that some row still holds (on ``connection``, else the session)."""
    wanted = sorted(set(keys))
    found: set[str] = set()
    for start in range(0, len(wanted), LOOKUP_BATCH):
        batch = wanted[start : start + LOOKUP_BATCH]
        for column in KEY_COLUMNS:
            query = db.select(column).where(column.in_(batch)).distinct()
            rows = connection.scalars(query) if connection is not None else db.session.scalars(query)
            found.update(key for key in rows if key)
    return found


def delete_files_after_commit(keys: Iterable[str]) -> None:
    """Delete these stored files once the current transaction commits, unless a row still uses them.

    A rollback forgets them.
    """
    for key in keys:
        if key:
            after_commit.defer_until_commit(FILE_DELETIONS, key)


def delete_unreferenced_now(keys: Iterable[str]) -> list[str]:
    """Delete at once the files no row references (for jobs outside a request); the keys deleted."""
    wanted = [key for key in dict.fromkeys(keys) if key]
    unused = [key for key in wanted if key not in referenced_keys(wanted)]
    _delete(unused)
    return unused


@after_commit.on_commit(FILE_DELETIONS)
def _delete_committed_files(keys: Sequence[str]) -> None:
    wanted = list(dict.fromkeys(keys))
    # The session cannot query inside its after-commit hook; a fresh connection sees the commit.
    with db.engine.connect() as connection:
        still_used = referenced_keys(wanted, connection)
    for key in still_used:
        logger.warning("Kept stored file %s: another row still references it", key)
    _delete([key for key in wanted if key not in still_used])


def _delete(keys: Iterable[str]) -> None:
    storage = get_storage()
    for key in keys:
        try:
            storage.delete(key)
        except Exception:
            # The rows are committed already; a leftover file is logged for the operator, not raised.
            logger.exception("Could not delete stored file %s", key)
