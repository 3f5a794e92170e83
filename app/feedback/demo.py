# SPDX-License-Identifier: AGPL-3.0-or-later
"""Demo data for feedback: default templates, a rejected candidate with feedback, one left waiting."""

from __future__ import annotations

from dataclasses import dataclass

from app.candidates.demo import add_demo_application
from app.core.extensions import db
from app.feedback.message_templates import ensure_default_templates
from app.feedback.services import Wording, prepare_decision, send_decision
from app.models import (
    Application,
    ApplicationStage,
    Candidate,
    Job,
    JobStatus,
    Organization,
    Role,
    User,
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
    return add_demo_application(
        job, name=spec.name, email=spec.email, language=spec.language, applied_days_ago=spec.applied_days_ago
    )
