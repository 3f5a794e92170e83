# SPDX-License-Identifier: AGPL-3.0-or-later
"""Data exports: a zip of everything we hold about a candidate, behind a link valid for 24 hours.

Built inline for now; ``create_data_export`` takes plain arguments and only flushes, so it
can move into a background job unchanged (the job would mail the link instead).
"""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l

from app.candidates.privacy import delete_files_after_commit, write_candidate_archive
from app.core.audit import record_audit
from app.core.errors import Gone, NotFound
from app.core.extensions import db
from app.core.security import hash_token, new_token
from app.core.storage import get_storage, organization_prefix
from app.journey.attribution import Attribution
from app.journey.services import record_event
from app.models import Candidate, DataExport, EventType, utcnow

EXPORT_LINK_TTL = timedelta(hours=24)
EXPORT_CONTENT_TYPE = "application/zip"


def create_data_export(candidate: Candidate, ttl: timedelta = EXPORT_LINK_TTL) -> tuple[DataExport, str]:
    """Build and store the candidate's zip; returns the export and the raw token of its download link.

    Earlier exports of the candidate are removed (one copy of their data at a time). The zip is
    stored before the row: if the caller's commit fails it must delete ``export.storage_key``.
    """
    storage = get_storage()
    with tempfile.TemporaryFile() as archive:
        write_candidate_archive(candidate, archive)
        archive.seek(0)
        prefix = organization_prefix(candidate.organization_id, "exports")
        stored = storage.save(archive, prefix=prefix, content_type=EXPORT_CONTENT_TYPE)
    try:
        remove_exports(candidate)
        raw, token_hash = new_token()
        export = DataExport(
            candidate_id=candidate.id,
            storage_key=stored.key,
            size=stored.size,
            token_hash=token_hash,
            expires_at=utcnow() + ttl,
        )
        db.session.add(export)
        # Kept after the export row is purged, so the staff timeline still shows the request.
        record_audit(candidate.organization_id, None, "candidate.data_exported", "candidate", candidate.id)
        record_event(
            candidate.organization, type=EventType.DATA_EXPORTED, attribution=Attribution(), visitor_hash=None
        )
        db.session.flush()
    except BaseException:
        storage.delete(stored.key)
        raise
    return export, raw


def remove_exports(candidate: Candidate) -> int:
    """Delete the candidate's existing exports; their files go after the commit."""
    exports = db.session.scalars(db.select(DataExport).where(DataExport.candidate_id == candidate.id)).all()
    delete_files_after_commit([export.storage_key for export in exports if export.storage_key])
    for export in exports:
        db.session.delete(export)
    return len(exports)


def find_data_export(raw_token: str, now: datetime | None = None) -> DataExport:
    """The export behind a download link; NotFound if unknown, Gone once its 24 hours are over."""
    export = db.session.scalar(db.select(DataExport).where(DataExport.token_hash == hash_token(raw_token)))
    if export is None or not export.storage_key:
        raise NotFound(str(_l("We could not find this download. Ask for your data again on your page.")))
    if export.expires_at <= (now or utcnow()):
        raise Gone(str(_l("This download link has expired. Ask for your data again on your page.")))
    return export


def export_filename(export: DataExport) -> str:
    """The name the zip downloads as."""
    return f"my-data-{export.candidate.organization.slug}-{export.created_at:%Y-%m-%d}.zip"


def purge_expired_exports(now: datetime | None = None) -> int:
    """Delete every export past its link's expiry (rows now, files after the commit); for a periodic job."""
    expired = db.session.scalars(
        db.select(DataExport).where(DataExport.expires_at <= (now or utcnow()))
    ).all()
    delete_files_after_commit([export.storage_key for export in expired if export.storage_key])
    for export in expired:
        db.session.delete(export)
    db.session.flush()
    return len(expired)
