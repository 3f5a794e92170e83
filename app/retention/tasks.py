# SPDX-License-Identifier: AGPL-3.0-or-later
"""Background work of retention: the nightly pass over every organization's candidates."""

from __future__ import annotations

import logging
from datetime import datetime

from huey import crontab

from app.core.extensions import db
from app.core.jobs import periodic_job
from app.models import Organization, utcnow
from app.retention.services import (
    RetentionAction,
    RetentionReport,
    apply_retention_step,
    find_retention_steps,
)

logger = logging.getLogger(__name__)


def run_retention(now: datetime) -> RetentionReport:
    """Send due notices and erase expired candidates in every organization, committing per candidate."""
    report = RetentionReport()
    organization_ids = db.session.scalars(db.select(Organization.id).order_by(Organization.id)).all()
    for organization_id in organization_ids:
        for step in find_retention_steps(db.session.get_one(Organization, organization_id), now):
            _run_step(organization_id, step.candidate_id, now, report)
    return report


def _run_step(organization_id: int, candidate_id: int, now: datetime, report: RetentionReport) -> None:
    try:
        done = apply_retention_step(organization_id, candidate_id, now)
        db.session.commit()
    except Exception:
        # One candidate's failure must not undo, or stop, the others.
        db.session.rollback()
        logger.exception("Retention failed for candidate %s", candidate_id)
        report.failed += 1
        return
    if done == "notice":
        report.notices_sent += 1
    elif done == RetentionAction.ANONYMIZE:
        report.anonymized += 1
    elif done == RetentionAction.DELETE:
        report.deleted += 1


@periodic_job(crontab(minute="30", hour="3"))
def apply_retention() -> RetentionReport:
    """Send the week-ahead notices and delete or anonymize the candidates whose time is up."""
    report = run_retention(utcnow())
    db.session.commit()
    logger.info("Retention: %s", report)
    return report
