# SPDX-License-Identifier: AGPL-3.0-or-later
"""Demo candidates: an application as the apply form records it (without a CV), for every demo seed."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from app.core.extensions import db
from app.models import Application, ApplicationStage, ApplicationStageChange, Candidate, Job, utcnow


def add_demo_application(
    job: Job,
    *,
    name: str,
    email: str,
    language: str,
    applied_days_ago: int,
    location: str = "",
    cover_note: str = "",
    **attribution: Any,
) -> Application:
    """A candidate of the job's organization and their application, submitted ``applied_days_ago`` days ago."""
    submitted_at = utcnow() - timedelta(days=applied_days_ago)
    candidate = Candidate(
        organization_id=job.organization_id,
        email=email,
        name=name,
        language=language,
        location=location,
        privacy_accepted_at=submitted_at,
    )
    attribution = {"channel": "career_site", "source": "demo", **attribution}
    application = Application(
        organization_id=job.organization_id,
        job_id=job.id,
        candidate=candidate,
        public_id=secrets.token_urlsafe(32),
        stage=ApplicationStage.NEW,
        cover_note=cover_note,
        submitted_at=submitted_at,
        **attribution,
    )
    application.job = job
    # The first step of the candidate's status timeline, as the apply service writes it.
    application.stage_changes = [
        ApplicationStageChange(
            organization_id=job.organization_id,
            from_stage=None,
            to_stage=ApplicationStage.NEW.value,
            actor_user_id=None,
            changed_at=submitted_at,
        )
    ]
    db.session.add_all([candidate, application])
    db.session.flush()
    return application
