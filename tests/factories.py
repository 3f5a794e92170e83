# SPDX-License-Identifier: AGPL-3.0-or-later
"""Small factories that build data through the same services users go through."""

from __future__ import annotations

import itertools
import secrets
from datetime import UTC, datetime, timedelta

from app.admin.services import create_user
from app.core.extensions import db
from app.core.security import hash_token
from app.models import (
    AnswerType,
    Application,
    Candidate,
    InterviewAnswer,
    InterviewInvitation,
    InterviewQuestion,
    InterviewTemplate,
    InvitationState,
    Job,
    JobStatus,
    Organization,
    ProcessingState,
    Role,
    User,
    utcnow,
)
from app.organizations.services import create_organization

PASSWORD = "plum-orbit-canyon-7-violet"
_counter = itertools.count(1)


def make_organization(name: str | None = None, slug: str | None = None, **branding: str) -> Organization:
    """An organization with a unique slug."""
    number = next(_counter)
    organization = create_organization(name or f"Org {number}", slug or f"org-{number}")
    for key, value in branding.items():
        setattr(organization, key, value)
    db.session.flush()
    return organization


def make_user(
    organization: Organization | None = None,
    role: Role = Role.RECRUITER,
    email: str | None = None,
    name: str | None = None,
    password: str = PASSWORD,
) -> User:
    """A staff member with a known password."""
    number = next(_counter)
    return create_user(
        organization or make_organization(),
        email=email or f"user{number}@example.com",
        name=name or f"User {number}",
        role=role,
        password=password,
    )


def make_job(organization: Organization, title: str = "Robot Whisperer", **values) -> Job:
    """A published job of ``organization`` with an unguessable slug."""
    values.setdefault("status", JobStatus.PUBLISHED)
    if values["status"] != JobStatus.DRAFT:
        values.setdefault("published_at", utcnow())
    job = Job(
        organization_id=organization.id,
        slug=f"{title.lower().replace(' ', '-')}-{secrets.token_hex(4)}",
        title=title,
        **values,
    )
    db.session.add(job)
    db.session.flush()
    return job


def make_candidate(
    organization: Organization, name: str | None = None, email: str | None = None, **values
) -> Candidate:
    """A candidate of ``organization``."""
    number = next(_counter)
    candidate = Candidate(
        organization_id=organization.id,
        name=name or f"Candidate {number}",
        email=(email or f"candidate{number}@example.com").lower(),
        **values,
    )
    db.session.add(candidate)
    db.session.flush()
    return candidate


def make_application(job: Job, candidate: Candidate | None = None, **values) -> Application:
    """An application to ``job`` (by a new candidate unless one is given)."""
    organization = db.session.get(Organization, job.organization_id)
    candidate = candidate or make_candidate(organization)
    application = Application(
        organization_id=job.organization_id,
        job_id=job.id,
        candidate_id=candidate.id,
        public_id=secrets.token_urlsafe(24),
        **values,
    )
    db.session.add(application)
    db.session.flush()
    return application


def make_template(
    organization: Organization, questions: list[dict] | None = None, **values
) -> InterviewTemplate:
    """An interview template; each dict in ``questions`` holds InterviewQuestion values."""
    template = InterviewTemplate(
        organization_id=organization.id, name=values.pop("name", "First round"), **values
    )
    for position, question in enumerate(questions or [{"prompt_text": "Why us?"}]):
        template.questions.append(InterviewQuestion(position=position, **question))
    db.session.add(template)
    db.session.flush()
    return template


def make_invitation(
    application: Application, template: InterviewTemplate, *, answered: bool = False, **values
) -> tuple[InterviewInvitation, str]:
    """An invitation and its raw link token; ``answered`` adds a submitted text answer per question."""
    raw = secrets.token_urlsafe(32)
    values.setdefault("deadline", datetime.now(UTC) + timedelta(days=7))
    if answered:
        values.setdefault("state", InvitationState.COMPLETED)
        values.setdefault("completed_at", utcnow())
    invitation = InterviewInvitation(
        organization_id=application.organization_id,
        application_id=application.id,
        template_id=template.id,
        token_hash=hash_token(raw),
        **values,
    )
    db.session.add(invitation)
    db.session.flush()
    if answered:
        for question in template.questions:
            db.session.add(
                InterviewAnswer(
                    invitation_id=invitation.id,
                    question_id=question.id,
                    kind=AnswerType.TEXT,
                    text=f"My answer to: {question.prompt_text}",
                    attempts=1,
                    submitted_at=utcnow(),
                    processing_state=ProcessingState.READY,
                )
            )
        db.session.flush()
    return invitation, raw
