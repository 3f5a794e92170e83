# SPDX-License-Identifier: AGPL-3.0-or-later
"""Background work of the journey: forgetting yesterday's visitor salts."""

from __future__ import annotations

from huey import crontab

from app.core.extensions import db
from app.core.jobs import periodic_job
from app.journey.services import delete_old_salts, today_utc


@periodic_job(crontab(minute="5", hour="0"))
def rotate_visitor_salts() -> int:
    """Delete every salt older than today (UTC) so earlier visitor hashes can never be recomputed."""
    deleted = delete_old_salts(today_utc())
    db.session.commit()
    return deleted
