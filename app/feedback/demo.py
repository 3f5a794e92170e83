"""Demo data for feedback: default templates, a rejected candidate with feedback, one left waiting."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from app.extensions import db
from app.feedback.message_templates import ensure_default_templates
from app.feedback.services import Wording, prepare_decision, send_decision
from app.models import (
    Application,
    ApplicationStage,
    ApplicationStageChange,
    Candidate,
    Job,
    JobStatus,
    Organization,
    Role,
    User,
    utcnow,
)


@dataclass(frozen=True)
class DemoApplicant:
    """A demo candidate and how long ago they applied."""

    name: str
    email: str
    language: str
    applied_days_ago: int


REJECTED = DemoApplicant("Priya Natarajan", "priya.natarajan@example.com", "en", 16)
WAITING = DemoApplicant("Tomás Herrera", "tomas.herrera@example.com", "en", 14)
FEEDBACK = {
    "strengths": [
        "A clear, well-structured CV that made your experience easy to follow",
        "Hands-on robotics projects that show real curiosity",
    ],
    "growth": ["More experience with production systems would help for this senior role"],
}


def seed_demo_feedback(organization: Organization) -> None:
    """Default templates, a rejected candidate who got feedback, and an application waiting past the promise."""
    ensure_default_templates(organization)
    sender = db.session.scalar(
        db.select(User)
        .where(User.organization_id == organization.id, User.role.in_((Role.RECRUITER, Role.ADMIN)))
        .order_by(User.role.desc(), User.id)  # a recruiter if there is one
    )
    job = db.session.scalar(
        db.select(Job)
        .where(Job.organization_id == organization.id, Job.status == JobStatus.PUBLISHED)
        .order_by(Job.id)
    )
    if sender is None or job is None:
        return
    known = set(
        db.session.scalars(db.select(Candidate.email).where(Candidate.organization_id == organization.id))
    )
    if REJECTED.email not in known:
        application = add_applicant(organization, job, REJECTED)
        decision = prepare_decision(
            sender, [application.public_id], ApplicationStage.REJECTED, "after_cv_review"
        )
        draft = decision.drafts[0]
        send_decision(
            sender, decision, {draft.language: Wording(draft.subject, draft.body)}, {application.id: FEEDBACK}
        )
    if WAITING.email not in known:
        add_applicant(organization, job, WAITING)
    db.session.flush()


def add_applicant(organization: Organization, job: Job, spec: DemoApplicant) -> Application:
    """A candidate and their application as the apply form records them (without a CV)."""
    submitted_at = utcnow() - timedelta(days=spec.applied_days_ago)
    candidate = Candidate(
        organization_id=organization.id,
        email=spec.email,
        name=spec.name,
        language=spec.language,
        privacy_accepted_at=submitted_at,
    )
    application = Application(
        organization_id=organization.id,
        job_id=job.id,
        candidate=candidate,
        public_id=secrets.token_urlsafe(32),
        stage=ApplicationStage.NEW,
        submitted_at=submitted_at,
        channel="career_site",
        source="demo",
    )
    application.job = job
    application.stage_changes = [
        ApplicationStageChange(
            organization_id=organization.id,
            from_stage=None,
            to_stage=ApplicationStage.NEW.value,
            actor_user_id=None,
            changed_at=submitted_at,
        )
    ]
    db.session.add_all([candidate, application])
    db.session.flush()
    return application
