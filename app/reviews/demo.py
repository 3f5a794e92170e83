# SPDX-License-Identifier: AGPL-3.0-or-later
"""Demo reviews: a scorecard, two submitted reviews of a completed interview, a shortlist for the manager."""

from __future__ import annotations

import logging

from app.core.extensions import db
from app.models import Application, Organization, Role, User
from app.models.interview import InterviewInvitation, InterviewTemplate, InvitationState
from app.models.review import Recommendation, Shortlist, ShortlistEntry
from app.reviews import scorecards, services, shortlists

logger = logging.getLogger(__name__)

DEMO_CRITERIA = [
    (
        "Communication",
        "Clear, structured answers a customer would follow. 1: hard to follow; 5: crisp and concrete.",
    ),
    ("Motivation", "Why robots, why us, why now. 1: generic; 5: specific to our product and team."),
    ("Role fit", "Experience that matches the job's day-to-day. 1: unrelated; 5: has done this work before."),
]
DEMO_SHORTLIST = "Final round (demo)"
# (reviewer e-mail, rating per answer, score per criterion, recommendation)
DEMO_REVIEWS = [
    ("recruiter@demo.example.com", [4, 5, 4], [4, 5, 4], Recommendation.STRONG_YES),
    ("admin@demo.example.com", [3, 4, 2], [3, 4, 3], Recommendation.YES),
]


def seed_demo_reviews(organization: Organization) -> None:
    """Create what is missing of the demo reviews (safe to run again)."""
    staff = {
        user.email: user
        for user in db.session.scalars(db.select(User).where(User.organization_id == organization.id))
    }
    recruiter = staff.get("recruiter@demo.example.com")
    invitation = _completed_invitation(organization)
    if recruiter is None or invitation is None:
        logger.info("No demo recruiter or completed interview: skipping demo reviews.")
        return
    _seed_scorecard(recruiter, invitation.template)
    application = invitation.application
    for email, ratings, scores, recommendation in DEMO_REVIEWS:
        reviewer = staff.get(email)
        if reviewer is not None:
            _seed_review(reviewer, application, ratings, scores, recommendation)
    manager = staff.get("manager@demo.example.com")
    _seed_shortlist(recruiter, application, manager)
    db.session.flush()


def _completed_invitation(organization: Organization) -> InterviewInvitation | None:
    return db.session.scalar(
        db.select(InterviewInvitation)
        .where(
            InterviewInvitation.organization_id == organization.id,
            InterviewInvitation.state == InvitationState.COMPLETED,
        )
        .order_by(InterviewInvitation.id)
        .limit(1)
    )


def _seed_scorecard(recruiter: User, template: InterviewTemplate) -> None:
    if scorecards.list_criteria(template.id):
        return
    for name, guidance in DEMO_CRITERIA:
        scorecards.add_criterion(
            recruiter, template.id, scorecards.CriterionData(name=name, guidance=guidance)
        )


def _seed_review(
    user: User,
    application: Application,
    ratings: list[int],
    scores: list[int],
    recommendation: Recommendation,
) -> None:
    reviewer = services.Reviewer(name=user.name, user=user)
    sheet = services.build_sheet(application, reviewer)
    if sheet.review is not None:
        return
    answers = [item.answer.id for item in sheet.items if item.answer is not None]
    criteria = [item.criterion.id for item in sheet.criteria]
    data = services.ReviewInput(
        ratings={answer_id: ratings[index % len(ratings)] for index, answer_id in enumerate(answers)},
        notes={answers[0]: "Concrete example, good structure."} if answers else {},
        scores={criterion_id: scores[index % len(scores)] for index, criterion_id in enumerate(criteria)},
        recommendation=recommendation,
    )
    services.submit_review(application, reviewer, data)


def _seed_shortlist(recruiter: User, application: Application, manager: User | None) -> None:
    shortlist = db.session.scalar(
        db.select(Shortlist).where(
            Shortlist.organization_id == recruiter.organization_id,
            Shortlist.job_id == application.job_id,
            Shortlist.name == DEMO_SHORTLIST,
        )
    )
    if shortlist is None:
        shortlist = shortlists.create_shortlist(recruiter, application.job_id, DEMO_SHORTLIST)
    on_list = db.session.scalar(
        db.select(ShortlistEntry.id).where(
            ShortlistEntry.shortlist_id == shortlist.id, ShortlistEntry.application_id == application.id
        )
    )
    if on_list is None and application.closed_at is None:
        shortlists.add_entries(recruiter, shortlist.id, [application.id])
    if manager is None or manager.role != Role.MANAGER or not manager.active:
        return
    if shortlists.manager_share(manager, shortlist) is None:
        shortlists.share_with_manager(recruiter, shortlist.id, manager.id)
