# SPDX-License-Identifier: AGPL-3.0-or-later
"""Demo data for the voice area: cNPS answers over months, a closed and an open pulse, two profiles."""

from __future__ import annotations

import secrets
from datetime import timedelta

from app.admin.services import create_user
from app.core.extensions import db
from app.core.security import hash_token
from app.models import (
    EmployeeProfile,
    Job,
    JobStatus,
    Organization,
    ProfileItemKind,
    ProfileVisibility,
    Pulse,
    PulseAudience,
    PulseParticipation,
    PulseResponse,
    Role,
    SurveyResponse,
    SurveySettings,
    Touchpoint,
    User,
    utcnow,
)
from app.profiles.services import add_item, create_profile
from app.voice.pulses import create_pulse, today_utc

# (days ago, touchpoint, score, comment) — spread over four months so the trend has points.
DEMO_ANSWERS = [
    (100, Touchpoint.APPLIED, 9, "The form was short and I could apply from my phone."),
    (98, Touchpoint.APPLIED, 7, ""),
    (95, Touchpoint.APPLIED, 10, ""),
    (93, Touchpoint.INTERVIEW, 6, "I would have liked to know how long each answer could be."),
    (90, Touchpoint.APPLIED, 8, ""),
    (88, Touchpoint.INTERVIEW, 9, ""),
    (70, Touchpoint.APPLIED, 10, "Clear salary range, thank you!"),
    (68, Touchpoint.INTERVIEW, 10, "Answering on my own time took the pressure off."),
    (66, Touchpoint.APPLIED, 9, ""),
    (64, Touchpoint.INTERVIEW, 8, ""),
    (62, Touchpoint.DECISION, 9, "Even though it was a no, the feedback was useful."),
    (60, Touchpoint.APPLIED, 4, "I never got the confirmation e-mail."),
    (40, Touchpoint.INTERVIEW, 10, ""),
    (38, Touchpoint.DECISION, 3, "The decision took three weeks."),
    (36, Touchpoint.APPLIED, 9, ""),
    (35, Touchpoint.INTERVIEW, 9, "Friendly video from the hiring manager."),
    (33, Touchpoint.DECISION, 10, ""),
    (31, Touchpoint.DECISION, 8, ""),
    (12, Touchpoint.APPLIED, 10, ""),
    (10, Touchpoint.INTERVIEW, 7, "The practice question helped."),
    (8, Touchpoint.DECISION, 9, ""),
    (6, Touchpoint.APPLIED, 8, ""),
    (4, Touchpoint.INTERVIEW, 10, ""),
]
DEMO_COLLEAGUES = [
    ("luca.rossi@demo.example.com", "Luca Rossi"),
    ("giulia.conti@demo.example.com", "Giulia Conti"),
    ("marco.ferri@demo.example.com", "Marco Ferri"),
    ("sara.greco@demo.example.com", "Sara Greco"),
    ("paolo.marino@demo.example.com", "Paolo Marino"),
    ("anna.villa@demo.example.com", "Anna Villa"),
]
CLOSED_PULSE_ANSWERS = [
    (10, "I learn something new every week."),
    (9, ""),
    (9, "Great colleagues, too many meetings."),
    (7, ""),
    (8, "Would love clearer career paths."),
    (5, "The office move was stressful."),
    (10, ""),
]
DEMO_PROFILES = {
    "employee@demo.example.com": [
        (ProfileItemKind.SKILL, "Python", ProfileVisibility.EVERYONE),
        (ProfileItemKind.SKILL, "Robot vision", ProfileVisibility.HR),
        (ProfileItemKind.LANGUAGE, "Italian", ProfileVisibility.EVERYONE),
        (ProfileItemKind.LANGUAGE, "English", ProfileVisibility.EVERYONE),
        (ProfileItemKind.INTEREST, "Climbing", ProfileVisibility.EVERYONE),
        (ProfileItemKind.INTEREST, "Team leadership", ProfileVisibility.PRIVATE),
    ],
    "manager@demo.example.com": [
        (ProfileItemKind.SKILL, "Embedded systems", ProfileVisibility.EVERYONE),
        (ProfileItemKind.SKILL, "Hiring", ProfileVisibility.HR),
        (ProfileItemKind.LANGUAGE, "German", ProfileVisibility.EVERYONE),
        (ProfileItemKind.INTEREST, "Robotics", ProfileVisibility.EVERYONE),
    ],
}


def seed_demo_voice(organization: Organization) -> None:
    """Create what is missing of the voice demo; flushes, the caller commits."""
    _seed_settings(organization)
    _seed_answers(organization)
    _seed_pulses(organization)
    _seed_profiles(organization)


def _seed_settings(organization: Organization) -> None:
    exists = db.session.scalar(
        db.select(SurveySettings.id).where(SurveySettings.organization_id == organization.id)
    )
    if exists is None:
        db.session.add(
            SurveySettings(
                organization_id=organization.id,
                after_applying=True,
                after_interview=True,
                after_decision=True,
            )
        )
        db.session.flush()


def _seed_answers(organization: Organization) -> None:
    """Anonymous answers over four months (rows made directly: their dates lie in the past)."""
    exists = db.session.scalar(
        db.select(SurveyResponse.id).where(SurveyResponse.organization_id == organization.id).limit(1)
    )
    jobs = db.session.scalars(
        db.select(Job)
        .where(Job.organization_id == organization.id, Job.status == JobStatus.PUBLISHED)
        .order_by(Job.id)
    ).all()
    if exists is not None or not jobs:
        return
    today = today_utc()
    for index, (days_ago, touchpoint, score, comment) in enumerate(DEMO_ANSWERS):
        db.session.add(
            SurveyResponse(
                organization_id=organization.id,
                job_id=jobs[index % len(jobs)].id,
                touchpoint=touchpoint,
                score=score,
                comment=comment,
                language="en",
                answered_on=today - timedelta(days=days_ago),
            )
        )
    db.session.flush()


def _demo_colleagues(organization: Organization) -> list[User]:
    """A few employees to ask; their passwords are random and never shown (they only answer by link)."""
    colleagues = []
    for email, name in DEMO_COLLEAGUES:
        user = db.session.scalar(db.select(User).where(User.email == email))
        if user is None:
            user = create_user(
                organization, email=email, name=name, role=Role.EMPLOYEE, password=secrets.token_urlsafe(24)
            )
        colleagues.append(user)
    return colleagues


def _seed_pulses(organization: Organization) -> None:
    exists = db.session.scalar(db.select(Pulse.id).where(Pulse.organization_id == organization.id).limit(1))
    admin = db.session.scalar(
        db.select(User)
        .where(User.organization_id == organization.id, User.role == Role.ADMIN, User.active.is_(True))
        .order_by(User.id)
    )
    if exists is not None or admin is None:
        return
    _demo_colleagues(organization)
    employees = db.session.scalars(
        db.select(User)
        .where(User.organization_id == organization.id, User.role == Role.EMPLOYEE, User.active.is_(True))
        .order_by(User.id)
    ).all()
    today = today_utc()
    closed = Pulse(
        organization_id=organization.id,
        audience=PulseAudience.EMPLOYEES,
        opens_on=today - timedelta(days=45),
        closes_on=today - timedelta(days=31),
        opened_at=utcnow() - timedelta(days=45),
        created_by_id=admin.id,
    )
    db.session.add(closed)
    db.session.flush()
    for user, (score, comment) in zip(employees, CLOSED_PULSE_ANSWERS, strict=False):
        db.session.add(
            PulseParticipation(
                pulse_id=closed.id,
                user_id=user.id,
                token_hash=hash_token(secrets.token_urlsafe(32)),
                answered=True,
            )
        )
        db.session.add(
            PulseResponse(pulse_id=closed.id, score=score, comment=comment, answered_on=closed.opens_on)
        )
    # The open pulse goes through the service: every employee gets a personal link by e-mail.
    create_pulse(
        admin,
        question="",
        audience=PulseAudience.EMPLOYEES,
        opens_on=today,
        closes_on=today + timedelta(days=10),
        reminder_on=today + timedelta(days=7),
    )


def _seed_profiles(organization: Organization) -> None:
    for email, items in DEMO_PROFILES.items():
        user = db.session.scalar(
            db.select(User).where(User.email == email, User.organization_id == organization.id)
        )
        if user is None:
            continue
        has_profile = db.session.scalar(
            db.select(EmployeeProfile.id).where(EmployeeProfile.user_id == user.id)
        )
        if has_profile is not None:
            continue
        create_profile(user)
        for kind, label, visibility in items:
            add_item(user, kind=kind, label=label, visibility=visibility)
