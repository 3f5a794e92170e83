# SPDX-License-Identifier: AGPL-3.0-or-later
"""Background work of the portal: removing data exports whose download link has expired."""

from __future__ import annotations

from huey import crontab

from app.core.extensions import db
from app.core.jobs import periodic_job
from app.portal.export import purge_expired_exports


@periodic_job(crontab(minute="20"))
def purge_expired_data_exports() -> int:
    """Every hour: delete exports past their 24 hours (rows, then their zips after the commit)."""
    deleted = purge_expired_exports()
    db.session.commit()
    return deleted
