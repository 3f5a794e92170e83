# SPDX-License-Identifier: AGPL-3.0-or-later
"""What a reviewer sees of a completed interview: each real question, its answer and links to play it."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from app.core.audit import record_audit
from app.core.errors import Conflict, NotFound, PermissionDenied
from app.core.extensions import db
from app.media.services import (
    AnswerMedia,
    PromptMedia,
    answer_media_urls,
    prompt_media_urls,
    requeue_answer_processing,
)
from app.models import Application, Job, Role, User
from app.models.interview import (
    InterviewAnswer,
    InterviewInvitation,
    InterviewQuestion,
    ProcessingState,
    TranscriptState,
)
from app.reviews.access import shared_application_ids

REVIEWER_ROLES = (Role.ADMIN, Role.RECRUITER, Role.MANAGER)


@dataclass(frozen=True)
class ReviewedQuestion:
    """One question as asked, and the candidate's answer with links to play it."""

    question: InterviewQuestion
    prompt: PromptMedia
    answer: InterviewAnswer | None
    media: AnswerMedia | None


@dataclass(frozen=True)
class InterviewReview:
    """An invitation with its questions in order, practice questions left out."""

    invitation: InterviewInvitation
    application: Application
    items: list[ReviewedQuestion]


def get_reviewable_invitation(actor: User, invitation_id: int) -> InterviewInvitation:
    """An invitation of the actor's organization; managers only reach applications shared with them."""
    if actor.role not in REVIEWER_ROLES:
        raise PermissionDenied(str(_l("Interviews are reviewed by recruiters and hiring managers.")))
    query = (
        db.select(InterviewInvitation)
        .join(Application, Application.id == InterviewInvitation.application_id)
        .join(Job, Job.id == Application.job_id)
        .where(
            InterviewInvitation.id == invitation_id,
            InterviewInvitation.organization_id == actor.organization_id,
            Application.organization_id == actor.organization_id,
        )
    )
    if actor.role == Role.MANAGER:
        query = query.where(Application.id.in_(shared_application_ids(actor)))
    invitation = db.session.scalar(query)
    if invitation is None:
        raise NotFound(str(_l("No such interview in your organization.")))
    return invitation


def review_interview(actor: User, invitation_id: int) -> InterviewReview:
    """The questions (never practice ones) with prompts, answers and short-lived media links."""
    invitation = get_reviewable_invitation(actor, invitation_id)
    # A row exists from the moment a question is opened; only submitted answers are shown.
    answers = {answer.question_id: answer for answer in invitation.answers if answer.submitted_at is not None}
    items = []
    for question in invitation.template.questions:
        if question.is_practice:
            continue
        answer = answers.get(question.id)
        media = answer_media_urls(answer) if answer is not None and answer.video_key else None
        items.append(ReviewedQuestion(question, prompt_media_urls(question), answer, media))
    return InterviewReview(invitation=invitation, application=invitation.application, items=items)


def can_reprocess(answer: InterviewAnswer) -> bool:
    """Whether staff may ask for an answer's processing (or its transcript) to run again."""
    if not answer.video_key:
        return False
    # "Processing" can be stuck only while its worker is gone; running it again is always safe.
    return answer.processing_state in (ProcessingState.FAILED, ProcessingState.PROCESSING) or (
        answer.processing_state == ProcessingState.READY and answer.transcript_state == TranscriptState.FAILED
    )


def reprocess_answer(actor: User, invitation_id: int, answer_id: int) -> InterviewAnswer:
    """Run a failed answer's processing (or only its failed transcript) again, after the commit."""
    invitation = get_reviewable_invitation(actor, invitation_id)
    answer = next((answer for answer in invitation.answers if answer.id == answer_id), None)
    if answer is None or answer.submitted_at is None:
        raise NotFound(str(_l("No such answer in this interview.")))
    if not can_reprocess(answer):
        raise Conflict(str(_l("This answer is not waiting for another try.")))
    requeue_answer_processing(answer)
    record_audit(
        actor.organization_id, actor, "interview.answer_reprocessed", "interview_invitation", invitation.id
    )
    return answer
