# SPDX-License-Identifier: AGPL-3.0-or-later
"""Background work of feedback: the daily digest of candidates waiting for an answer."""

from __future__ import annotations

from huey import crontab

from app.core.jobs import periodic_job
from app.feedback.promise import DigestReport, send_response_digests


@periodic_job(crontab(hour="7", minute="0"))
def send_daily_response_digest() -> DigestReport:
    """Every morning (07:00 UTC): tell recruiters who has waited past the response promise."""
    return send_response_digests()
