# SPDX-License-Identifier: AGPL-3.0-or-later
"""Everything that happened to one application, in time order, for the staff profile page.

Built from the rows each area already keeps (stage history, interviews, reviews, comments,
messages, data exports, the audit trail) with a fixed number of queries, whatever the history.
Scores never appear here: the reviews area shows them to those allowed to see them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import aliased

from app.core.extensions import db
from app.models import (
    Application,
    ApplicationStage,
    ApplicationStageChange,
    AuditEvent,
    CandidateMessage,
    DataExport,
    InterviewAnswer,
    InterviewInvitation,
    InterviewQuestion,
    User,
)
from app.models.review import Review, ReviewComment
from app.pipeline.stages import stage_names

COMMENT_EXCERPT_CHARS = 200
# Audit actions about a candidate's data or interviews that the other rows do not show.
AUDITED_KINDS = {
    "candidate.data_exported": "data_exported",
    "candidate.anonymized": "anonymized",
    "interview.extended": "interview_extended",
}
# An export row and its audit record are written together; closer than this, they are one event.
SAME_EXPORT = timedelta(minutes=1)


class EventKind(enum.StrEnum):
    """What happened; the template words each kind."""

    APPLIED = "applied"
    STAGE_CHANGED = "stage_changed"
    INTERVIEW_INVITED = "interview_invited"
    INTERVIEW_OPENED = "interview_opened"
    INTERVIEW_STARTED = "interview_started"
    ANSWER_SUBMITTED = "answer_submitted"
    INTERVIEW_COMPLETED = "interview_completed"
    INTERVIEW_EXTENDED = "interview_extended"
    INTERVIEW_EXPIRED = "interview_expired"
    INTERVIEW_CANCELLED = "interview_cancelled"
    REVIEW_SUBMITTED = "review_submitted"
    COMMENTED = "commented"
    MESSAGE_SENT = "message_sent"
    MESSAGE_READ = "message_read"
    DATA_EXPORTED = "data_exported"
    RETENTION_NOTICE = "retention_notice"
    ANONYMIZED = "anonymized"


# Events at the same instant keep the order in which they happen in real life.
_ORDER = {kind: position for position, kind in enumerate(EventKind)}


@dataclass(frozen=True)
class TimelineEvent:
    """One event on the profile's timeline."""

    kind: EventKind
    occurred_at: datetime
    # Who did it: a colleague's or reviewer's name; None for the candidate or the system.
    actor_name: str | None = None
    by_candidate: bool = False
    # What it was about: stage names, a message's subject, a comment, a question's number.
    detail: str = ""
    from_stage: str | None = None
    to_stage: str | None = None


def build_timeline(application: Application) -> list[TimelineEvent]:
    """Every event of the application (and its candidate's data requests), oldest first."""
    events = [TimelineEvent(EventKind.APPLIED, application.submitted_at, by_candidate=True)]
    events += stage_events(application)
    invitations = list(
        db.session.scalars(
            db.select(InterviewInvitation)
            .where(InterviewInvitation.application_id == application.id)
            .order_by(InterviewInvitation.sent_at)
        )
    )
    events += interview_events(invitations)
    events += answer_events([invitation.id for invitation in invitations])
    events += review_events(application)
    events += message_events(application)
    events += data_events(application, [invitation.id for invitation in invitations])
    return sorted(events, key=lambda event: (event.occurred_at, _ORDER[event.kind]))


def stage_events(application: Application) -> list[TimelineEvent]:
    """Moves between stages, with who made them."""
    names = stage_names(application.organization_id)
    actor = aliased(User)
    rows = db.session.execute(
        db.select(ApplicationStageChange, actor.name)
        .outerjoin(actor, actor.id == ApplicationStageChange.actor_user_id)
        .where(ApplicationStageChange.application_id == application.id)
        .order_by(ApplicationStageChange.changed_at, ApplicationStageChange.id)
    ).all()
    events = []
    for change, actor_name in rows:
        if change.from_stage is None:
            continue  # the application arriving: already "applied"
        events.append(
            TimelineEvent(
                EventKind.STAGE_CHANGED,
                change.changed_at,
                actor_name=actor_name,
                by_candidate=change.actor_user_id is None and change.to_stage == ApplicationStage.WITHDRAWN,
                from_stage=names.get(change.from_stage, change.from_stage),
                to_stage=names.get(change.to_stage, change.to_stage),
            )
        )
    return events


def interview_events(invitations: list[InterviewInvitation]) -> list[TimelineEvent]:
    """Each invitation's steps: sent (by whom), opened, started, completed, expired or cancelled."""
    inviter_ids = {invitation.invited_by_id for invitation in invitations if invitation.invited_by_id}
    inviters = dict(
        db.session.execute(db.select(User.id, User.name).where(User.id.in_(inviter_ids))).all()
        if inviter_ids
        else []
    )
    events = []
    for invitation in invitations:
        events.append(
            TimelineEvent(
                EventKind.INTERVIEW_INVITED,
                invitation.sent_at,
                actor_name=inviters.get(invitation.invited_by_id),
            )
        )
        for kind, moment in (
            (EventKind.INTERVIEW_OPENED, invitation.opened_at),
            (EventKind.INTERVIEW_STARTED, invitation.started_at),
            (EventKind.INTERVIEW_COMPLETED, invitation.completed_at),
        ):
            if moment is not None:
                events.append(TimelineEvent(kind, moment, by_candidate=True))
        if invitation.expired_at is not None:
            events.append(TimelineEvent(EventKind.INTERVIEW_EXPIRED, invitation.expired_at))
        if invitation.cancelled_at is not None:
            events.append(TimelineEvent(EventKind.INTERVIEW_CANCELLED, invitation.cancelled_at))
    return events


def answer_events(invitation_ids: list[int]) -> list[TimelineEvent]:
    """Interview answers as they were submitted (practice answers stay private)."""
    if not invitation_ids:
        return []
    rows = db.session.execute(
        db.select(InterviewAnswer.submitted_at, InterviewQuestion.prompt_text)
        .join(InterviewQuestion, InterviewQuestion.id == InterviewAnswer.question_id)
        .where(
            InterviewAnswer.invitation_id.in_(invitation_ids),
            InterviewAnswer.submitted_at.is_not(None),
            InterviewQuestion.is_practice.is_(False),
        )
    ).all()
    return [
        TimelineEvent(EventKind.ANSWER_SUBMITTED, submitted_at, by_candidate=True, detail=_excerpt(prompt))
        for submitted_at, prompt in rows
    ]


def review_events(application: Application) -> list[TimelineEvent]:
    """Submitted reviews (who, not what) and colleagues' comments."""
    reviews = db.session.execute(
        db.select(Review.submitted_at, Review.reviewer_name).where(
            Review.application_id == application.id, Review.submitted_at.is_not(None)
        )
    ).all()
    comments = db.session.execute(
        db.select(ReviewComment.created_at, ReviewComment.author_name, ReviewComment.body).where(
            ReviewComment.application_id == application.id
        )
    ).all()
    return [
        TimelineEvent(EventKind.REVIEW_SUBMITTED, submitted_at, actor_name=name)
        for submitted_at, name in reviews
    ] + [
        TimelineEvent(EventKind.COMMENTED, created_at, actor_name=name, detail=_excerpt(body))
        for created_at, name, body in comments
    ]


def message_events(application: Application) -> list[TimelineEvent]:
    """Messages sent to the candidate (by whom) and when the candidate read them."""
    sender = aliased(User)
    rows = db.session.execute(
        db.select(CandidateMessage, sender.name)
        .outerjoin(sender, sender.id == CandidateMessage.sender_id)
        .where(CandidateMessage.application_id == application.id)
    ).all()
    events = []
    for message, sender_name in rows:
        events.append(
            TimelineEvent(
                EventKind.MESSAGE_SENT, message.sent_at, actor_name=sender_name, detail=message.subject
            )
        )
        if message.read_at is not None:
            events.append(
                TimelineEvent(
                    EventKind.MESSAGE_READ, message.read_at, by_candidate=True, detail=message.subject
                )
            )
    return events


def data_events(application: Application, invitation_ids: list[int]) -> list[TimelineEvent]:
    """The candidate's data requests and notices: exports, the retention notice, anonymization, extensions."""
    candidate = application.candidate
    events = []
    for action, created_at, name in audited_events(application, invitation_ids):
        kind = EventKind(AUDITED_KINDS[action])
        by_candidate = kind == EventKind.DATA_EXPORTED
        events.append(
            TimelineEvent(
                kind, created_at, actor_name=None if by_candidate else name, by_candidate=by_candidate
            )
        )
    # Exports live 24 hours; the audit trail keeps them after that. A live one shows once.
    audited_exports = [event.occurred_at for event in events if event.kind == EventKind.DATA_EXPORTED]
    events += [
        TimelineEvent(EventKind.DATA_EXPORTED, created_at, by_candidate=True)
        for created_at in db.session.scalars(
            db.select(DataExport.created_at).where(DataExport.candidate_id == candidate.id)
        )
        if not any(abs(created_at - audited) < SAME_EXPORT for audited in audited_exports)
    ]
    if candidate.retention_notice_sent_at is not None:
        events.append(TimelineEvent(EventKind.RETENTION_NOTICE, candidate.retention_notice_sent_at))
    return events


def audited_events(
    application: Application, invitation_ids: list[int]
) -> list[tuple[str, datetime, str | None]]:
    """Audit records about the candidate or the application's interviews: action, time, actor's name."""
    subjects = [
        db.and_(AuditEvent.subject_type == "candidate", AuditEvent.subject_id == application.candidate_id)
    ]
    if invitation_ids:
        subjects.append(
            db.and_(
                AuditEvent.subject_type == "interview_invitation", AuditEvent.subject_id.in_(invitation_ids)
            )
        )
    actor = aliased(User)
    return [
        (action, created_at, name)
        for action, created_at, name in db.session.execute(
            db.select(AuditEvent.action, AuditEvent.created_at, actor.name)
            .outerjoin(actor, actor.id == AuditEvent.actor_user_id)
            .where(
                AuditEvent.organization_id == application.organization_id,
                AuditEvent.action.in_(AUDITED_KINDS),
                db.or_(*subjects),
            )
        )
    ]


def _excerpt(text: str | None) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= COMMENT_EXCERPT_CHARS else text[: COMMENT_EXCERPT_CHARS - 1] + "…"
