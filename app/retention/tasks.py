"""Background work of retention: the nightly pass over every organization's candidates."""

from __future__ import annotations

import logging

from huey import crontab

from app.extensions import db
from app.jobs import periodic_job
from app.models import utcnow
from app.retention.services import RetentionReport, run_retention

logger = logging.getLogger(__name__)


@periodic_job(crontab(minute="30", hour="3"))
def apply_retention() -> RetentionReport:
    """Send the week-ahead notices and delete or anonymize the candidates whose time is up."""
    report = run_retention(utcnow())
    db.session.commit()
    logger.info("Retention: %s", report)
    return report
