"""What a reviewer sees of a completed interview: each real question, its answer and links to play it."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from app.errors import NotFound, PermissionDenied
from app.extensions import db
from app.media.services import AnswerMedia, PromptMedia, answer_media_urls, prompt_media_urls
from app.models import Application, Job, Role, User
from app.models.interview import InterviewAnswer, InterviewInvitation, InterviewQuestion

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
    """An invitation of the actor's organization; hiring managers only reach their own jobs' ones."""
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
        query = query.where(Job.hiring_manager_id == actor.id)
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
