# SPDX-License-Identifier: AGPL-3.0-or-later
"""Background work of advocacy: forgetting people who were referred but never confirmed."""

from __future__ import annotations

from huey import crontab

from app.advocacy.referrals import purge_unconfirmed_referrals
from app.core.extensions import db
from app.core.jobs import periodic_job


@periodic_job(crontab(minute="40", hour="3"))
def erase_unconfirmed_referrals() -> int:
    """Every night: erase the name, e-mail and note of referrals unconfirmed after 30 days."""
    erased = purge_unconfirmed_referrals()
    db.session.commit()
    return erased
