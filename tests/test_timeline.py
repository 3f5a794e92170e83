# SPDX-License-Identifier: AGPL-3.0-or-later
"""The candidate timeline on the staff profile: every event, in time order, with who did it."""

from __future__ import annotations

from datetime import timedelta

from app.candidates.timeline import EventKind, build_timeline
from app.core.audit import record_audit
from app.core.extensions import db
from app.core.security import new_token
from app.models import (
    AnswerType,
    Application,
    ApplicationStageChange,
    CandidateMessage,
    DataExport,
    InterviewAnswer,
    InterviewInvitation,
    InvitationState,
    Role,
    utcnow,
)
from app.models.review import Review, ReviewComment
from tests.factories import (
    make_application,
    make_candidate,
    make_invitation,
    make_job,
    make_organization,
    make_template,
    make_user,
)
from tests.helpers import login, text_of

RECRUITER = "rita@example.com"
EXPECTED = [
    EventKind.APPLIED,
    EventKind.INTERVIEW_INVITED,
    EventKind.STAGE_CHANGED,
    EventKind.INTERVIEW_EXTENDED,
    EventKind.INTERVIEW_OPENED,
    EventKind.INTERVIEW_STARTED,
    EventKind.ANSWER_SUBMITTED,
    EventKind.INTERVIEW_COMPLETED,
    EventKind.REVIEW_SUBMITTED,
    EventKind.COMMENTED,
    EventKind.STAGE_CHANGED,
    EventKind.MESSAGE_SENT,
    EventKind.MESSAGE_READ,
    EventKind.DATA_EXPORTED,
]


def build_history() -> str:
    """An application with one of every event, stored out of time order; its public id."""
    organization = make_organization(name="Aurora Robotics")
    recruiter = make_user(organization, Role.RECRUITER, email=RECRUITER, name="Rita Recruiter")
    job = make_job(organization)
    start = utcnow() - timedelta(days=10)

    def at(hours: int):
        return start + timedelta(hours=hours)

    candidate = make_candidate(organization, name="Ada Lovelace")
    application = make_application(job, candidate, submitted_at=at(0), stage="rejected", closed_at=at(10))
    # The latest events first, so that only the sorting can put them in order.
    _raw_token, export_hash = new_token()
    db.session.add(
        DataExport(candidate_id=candidate.id, token_hash=export_hash, created_at=at(13), expires_at=at(37))
    )
    db.session.add(
        CandidateMessage(
            organization_id=organization.id,
            application_id=application.id,
            sender_id=recruiter.id,
            stage_key="rejected",
            subject="Your interview for Robot Whisperer",
            body="Dear Ada",
            feedback={},
            language="en",
            sent_at=at(11),
            read_at=at(12),
        )
    )
    for hours, from_stage, to_stage in (
        (10, "interview_invited", "rejected"),
        (1, "new", "interview_invited"),
        (0, None, "new"),
    ):
        db.session.add(
            ApplicationStageChange(
                organization_id=organization.id,
                application_id=application.id,
                from_stage=from_stage,
                to_stage=to_stage,
                actor_user_id=recruiter.id if from_stage else None,
                changed_at=at(hours) + timedelta(minutes=1 if from_stage == "new" else 0),
            )
        )
    db.session.add(
        ReviewComment(
            organization_id=organization.id,
            application_id=application.id,
            author_name="Cy Colleague",
            body="Strong on the robotics questions.",
            created_at=at(9),
        )
    )
    db.session.add_all(
        [
            Review(
                organization_id=organization.id,
                application_id=application.id,
                reviewer_name="Bo Reviewer",
                overall_rating=4.25,
                submitted_at=at(8),
            ),
            Review(organization_id=organization.id, application_id=application.id, reviewer_name="Not Yet"),
        ]
    )
    template = make_template(
        organization,
        [
            {"prompt_text": "Warm up", "is_practice": True},
            {"prompt_text": "Why robots?", "answer_type": AnswerType.TEXT},
        ],
    )
    invitation, _raw = make_invitation(
        application,
        template,
        invited_by_id=recruiter.id,
        sent_at=at(1),
        opened_at=at(3),
        started_at=at(4),
        completed_at=at(7),
        state=InvitationState.COMPLETED,
    )
    for question, hours in zip(template.questions, (5, 6), strict=True):
        db.session.add(
            InterviewAnswer(
                invitation_id=invitation.id,
                question_id=question.id,
                kind=AnswerType.TEXT,
                text="An answer",
                attempts=1,
                submitted_at=at(hours),
            )
        )
    extended = record_audit(
        organization.id, recruiter, "interview.extended", "interview_invitation", invitation.id
    )
    extended.created_at = at(2)
    db.session.commit()
    return application.public_id


def test_the_timeline_lists_every_event_in_time_order(app):
    with app.app_context():
        public_id = build_history()
        application = db.session.scalar(db.select(Application).where(Application.public_id == public_id))
        events = build_timeline(application)
        assert [event.kind for event in events] == EXPECTED
        assert [event.occurred_at for event in events] == sorted(event.occurred_at for event in events)
        by_kind = {event.kind: event for event in events}
        assert by_kind[EventKind.INTERVIEW_INVITED].actor_name == "Rita Recruiter"
        assert by_kind[EventKind.REVIEW_SUBMITTED].actor_name == "Bo Reviewer"
        assert (
            by_kind[EventKind.ANSWER_SUBMITTED].detail == "Why robots?"
        )  # the practice answer stays private
        moves = [event for event in events if event.kind == EventKind.STAGE_CHANGED]
        assert [(move.from_stage, move.to_stage, move.actor_name) for move in moves] == [
            ("New", "Interview invited", "Rita Recruiter"),
            ("Interview invited", "Rejected", "Rita Recruiter"),
        ]
        assert db.session.scalar(db.select(InterviewInvitation.id)) is not None


def test_the_profile_page_shows_the_timeline_without_scores(app):
    with app.app_context():
        public_id = build_history()
    client = app.test_client()
    login(client, RECRUITER)
    page = text_of(client.get(f"/app/applications/{public_id}"))
    timeline = page.split('id="timeline-heading"', 1)[1].split("</ol>", 1)[0]
    expected_lines = [
        "Applied",
        "Rita Recruiter invited them to an interview",
        "Rita Recruiter moved the application from New to Interview invited",
        "Rita Recruiter extended the interview deadline",
        "Opened the interview",
        "Started the interview",
        "Why robots?",
        "Completed the interview",
        "Bo Reviewer submitted a review",
        "Cy Colleague commented:",
        "Rita Recruiter moved the application from Interview invited to Rejected",
        "Rita Recruiter sent a message:",
        "Read the message:",
        "Downloaded a copy of their data",
    ]
    positions = [timeline.index(line) for line in expected_lines]
    assert positions == sorted(positions)
    assert "Warm up" not in timeline and "Not Yet" not in timeline
    assert "4.25" not in page and "4.3" not in timeline  # reviews appear without their scores


def test_a_withdrawal_reads_as_the_candidates_own_step(app):
    with app.app_context():
        organization = make_organization()
        application = make_application(make_job(organization), stage="withdrawn", closed_at=utcnow())
        db.session.add(
            ApplicationStageChange(
                organization_id=organization.id,
                application_id=application.id,
                from_stage="new",
                to_stage="withdrawn",
                actor_user_id=None,
                changed_at=utcnow(),
            )
        )
        db.session.commit()
        events = build_timeline(application)
    assert [event.kind for event in events] == [EventKind.APPLIED, EventKind.STAGE_CHANGED]
    assert events[1].by_candidate and events[1].actor_name is None


def test_data_requests_show_once_and_outlive_the_export_link(app):
    with app.app_context():
        organization = make_organization()
        application = make_application(make_job(organization), submitted_at=utcnow() - timedelta(days=5))
        now = utcnow()
        _raw_token, token_hash = new_token()
        db.session.add(
            DataExport(
                candidate_id=application.candidate_id,
                token_hash=token_hash,
                created_at=now,
                expires_at=now + timedelta(days=1),
            )
        )
        # The same export in the audit trail, and an older one whose zip is long gone.
        for moment in (now + timedelta(seconds=1), now - timedelta(days=3)):
            record = record_audit(
                organization.id, None, "candidate.data_exported", "candidate", application.candidate_id
            )
            record.created_at = moment
        anonymized = record_audit(
            organization.id, None, "candidate.anonymized", "candidate", application.candidate_id
        )
        anonymized.created_at = now + timedelta(hours=1)
        db.session.commit()
        events = build_timeline(application)
    assert [event.kind for event in events] == [
        EventKind.APPLIED,
        EventKind.DATA_EXPORTED,
        EventKind.DATA_EXPORTED,
        EventKind.ANONYMIZED,
    ]
    assert all(event.by_candidate for event in events if event.kind == EventKind.DATA_EXPORTED)
