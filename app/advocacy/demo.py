# SPDX-License-Identifier: AGPL-3.0-or-later
"""Demo data for advocacy: ambassadors with shares and clicks, two referrals and an ambassador's hire."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from app.admin.services import create_user
from app.advocacy import referrals
from app.advocacy.services import SHARE_CHANNELS, ensure_ambassador, ensure_share_links, open_jobs
from app.applications.services import ApplicantDetails, attribution_columns
from app.candidates.demo import add_demo_application
from app.core.extensions import db
from app.journey.attribution import Attribution
from app.journey.services import record_event
from app.models import (
    AmbassadorShare,
    ApplicationStage,
    Candidate,
    EventType,
    LeaderboardVisibility,
    Organization,
    Referral,
    Role,
    ShareClick,
    User,
    utcnow,
)
from app.pipeline.stages import move_application

DEMO_AMBASSADORS = [
    ("employee@demo.example.com", "Elena Employee", LeaderboardVisibility.NAMED),
    ("giorgio@demo.example.com", "Giorgio Galli", LeaderboardVisibility.NAMED),
    ("sofia@demo.example.com", "Sofia Serra", LeaderboardVisibility.ANONYMOUS),
]
WAITING_EMAIL = "paolo.referred@example.com"
CONFIRMED_EMAIL = "chiara.referred@example.com"
HIRE_EMAIL = "davide.hired@example.com"


def seed_demo_advocacy(organization: Organization) -> None:
    """Ambassadors, their shares, clicks and job views, a waiting and a confirmed referral, and a hire.

    Idempotent (each part is skipped once present); flushes, the caller commits. New employees get
    a random password nobody knows: an admin can send them an invitation from Colleagues.
    """
    jobs = open_jobs(organization)
    if not jobs:
        return
    people = [_demo_employee(organization, email, name) for email, name, _visibility in DEMO_AMBASSADORS]
    ambassadors = []
    for user, (_email, _name, visibility) in zip(people, DEMO_AMBASSADORS, strict=True):
        ambassador = ensure_ambassador(user)
        ambassador.leaderboard = visibility
        ambassadors.append(ambassador)
    db.session.flush()
    if (
        db.session.scalar(db.select(ShareClick.id).where(ShareClick.organization_id == organization.id))
        is None
    ):
        _seed_activity(organization, ambassadors, jobs)
    if db.session.scalar(db.select(Referral.id).where(Referral.organization_id == organization.id)) is None:
        _seed_referrals(people[0], jobs[0])
    hired = db.session.scalar(
        db.select(Candidate.id).where(
            Candidate.organization_id == organization.id, Candidate.email == HIRE_EMAIL
        )
    )
    if hired is None:
        _seed_hire(organization, ambassadors[1], jobs[-1])
    db.session.flush()


def _demo_employee(organization: Organization, email: str, name: str) -> User:
    """The employee with this address, created with an unknown random password if missing."""
    user = db.session.scalar(db.select(User).where(User.email == email))
    if user is None:
        user = create_user(
            organization, email=email, name=name, role=Role.EMPLOYEE, password=secrets.token_urlsafe(24)
        )
    return user


def _seed_activity(organization: Organization, ambassadors: list, jobs: list) -> None:
    """Shares, clicks from made-up visitors and the job views they led to, over the last three weeks."""
    now = utcnow()
    for rank, ambassador in enumerate(ambassadors):
        links = ensure_share_links(ambassador, jobs[:2])
        for (job_id, channel), link in sorted(links.items()):
            if channel not in SHARE_CHANNELS[: 4 - rank]:
                continue
            db.session.add(
                AmbassadorShare(
                    organization_id=organization.id,
                    ambassador_id=ambassador.id,
                    job_id=job_id,
                    channel=channel,
                    day=(now - timedelta(days=3 + rank)).date(),
                )
            )
            for click in range(6 - 2 * rank):
                # Every third click is someone coming back: a click, but not another person.
                person = click - click // 3
                visitor = hashlib.sha256(f"demo-{link.id}-{person}".encode()).hexdigest()
                db.session.add(
                    ShareClick(
                        organization_id=organization.id,
                        share_link_id=link.id,
                        occurred_at=now - timedelta(days=person * 2 + rank, minutes=click),
                        visitor_hash=visitor,
                    )
                )
                if click % 2 == 0:
                    record_event(
                        organization,
                        type=EventType.CARD_VIEW,
                        job=link.job,
                        attribution=Attribution(ambassador_code=ambassador.code, share_channel=channel),
                        visitor_hash=visitor,
                    )
    db.session.flush()


def _seed_referrals(referrer: User, job) -> None:
    """One referral waiting for an answer and one the person confirmed (no mail is sent)."""
    referrals.refer_candidate(
        referrer,
        job_id=job.id,
        name="Paolo Pellegrini",
        email=WAITING_EMAIL,
        reason="Paolo led the robotics club at university and never stops tinkering.",
        language="it",
    )
    confirmed, _token = referrals.refer_candidate(
        referrer,
        job_id=job.id,
        name="Chiara Colombo",
        email=CONFIRMED_EMAIL,
        reason="We worked together for three years; she makes hard problems look easy.",
        language="en",
    )
    referrals.confirm_referral(
        confirmed,
        ApplicantDetails(
            name="Chiara Colombo", email=CONFIRMED_EMAIL, location="Milan, Italy", language="en"
        ),
        None,
        notify=False,
    )


def _seed_hire(organization: Organization, ambassador, job) -> None:
    """Someone who came through an ambassador's LinkedIn post, applied and was hired."""
    attribution = Attribution(
        ambassador_code=ambassador.code,
        share_channel="linkedin",
        utm={"source": "linkedin", "medium": "ambassador", "campaign": "employee_advocacy"},
    )
    application = add_demo_application(
        job,
        name="Davide De Luca",
        email=HIRE_EMAIL,
        language="it",
        location="Turin, Italy",
        applied_days_ago=40,
        cover_note="A colleague of yours shared this job and I could not resist.",
        **attribution_columns(attribution),
    )
    move_application(application, ApplicationStage.HIRED, actor=None)
