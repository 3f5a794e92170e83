# SPDX-License-Identifier: AGPL-3.0-or-later
"""Interview templates, their questions and the managers' recorded prompts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.core.audit import record_audit
from app.core.errors import Invalid, NotFound, PermissionDenied
from app.core.extensions import db
from app.core.storage import UploadTicket
from app.core.storage.uploads import (
    claim_recording,
    issue_recording_ticket,
    organization_prefix,
    store_video_upload,
)
from app.interviews.access import require_visible_template, visible_jobs_using, visible_templates
from app.media.services import queue_prompt_processing, queue_welcome_processing
from app.models import Job, JobStatus, Role, User
from app.models.interview import AnswerType, InterviewQuestion, InterviewTemplate

EDITING_ROLES = (Role.ADMIN, Role.RECRUITER)
VIEWING_ROLES = (Role.ADMIN, Role.RECRUITER, Role.MANAGER)
PROMPT_VIDEO_PREFIX = "prompt-videos"
WELCOME_VIDEO_PREFIX = "welcome-videos"
PROMPT_VIDEO_MAX_BYTES = 200 * 1024 * 1024
PROMPT_RECORD_SECONDS = 180
MIN_SECONDS, MAX_SECONDS = 10, 600
MIN_CHARS, MAX_CHARS = 100, 5000
MAX_RETAKES = 5


@dataclass(frozen=True)
class TemplateData:
    """The editable fields of an interview template."""

    name: str
    intro_md: str = ""
    outro_md: str = ""
    allow_text_accommodation: bool = True
    # The language questions are asked in; None: the organization's default (new) or unchanged.
    language: str | None = None


@dataclass(frozen=True)
class QuestionData:
    """The editable fields of a question; ``think_seconds`` None means unlimited."""

    prompt_text: str
    answer_type: AnswerType = AnswerType.VIDEO
    think_seconds: int | None = 30
    max_seconds: int = 120
    max_chars: int = 2000
    retakes: int = 1
    required: bool = True
    is_practice: bool = False


def _require(actor: User, roles: tuple[Role, ...]) -> None:
    if actor.role not in roles:
        raise PermissionDenied(str(_l("You do not have permission to do this.")))


# -- templates ------------------------------------------------------------------------------------


def list_templates(actor: User) -> list[InterviewTemplate]:
    """The interview templates the actor may see (hiring managers: their jobs'), by name."""
    _require(actor, VIEWING_ROLES)
    query = visible_templates(actor).order_by(InterviewTemplate.name, InterviewTemplate.id)
    return list(db.session.scalars(query))


def get_template(actor: User, template_id: int) -> InterviewTemplate:
    """A template the actor may see (hiring managers: their jobs' only); PermissionDenied or NotFound."""
    _require(actor, VIEWING_ROLES)
    return require_visible_template(actor, template_id)


def _check_template(data: TemplateData) -> None:
    if not data.name.strip():
        raise Invalid(str(_l("Give the interview a name.")), field="name")
    if len(data.name.strip()) > 200:
        raise Invalid(str(_l("The name can be at most 200 characters.")), field="name")
    if data.language is not None and data.language not in current_app.config["LANGUAGES"]:
        raise Invalid(str(_l("Choose English or Italian.")), field="language")


def create_template(actor: User, data: TemplateData) -> InterviewTemplate:
    """Add an interview template to the actor's organization."""
    _require(actor, EDITING_ROLES)
    _check_template(data)
    template = InterviewTemplate(
        organization_id=actor.organization_id,
        created_by_id=actor.id,
        language=data.language or actor.organization.default_language,
    )
    _apply_template(template, data)
    db.session.add(template)
    db.session.flush()
    record_audit(
        actor.organization_id, actor, "interview.template_created", "interview_template", template.id
    )
    return template


def update_template(actor: User, template_id: int, data: TemplateData) -> InterviewTemplate:
    """Change a template's name, intro, outro and accommodation setting."""
    _require(actor, EDITING_ROLES)
    template = get_template(actor, template_id)
    _check_template(data)
    _apply_template(template, data)
    db.session.flush()
    record_audit(
        actor.organization_id, actor, "interview.template_updated", "interview_template", template.id
    )
    return template


def _apply_template(template: InterviewTemplate, data: TemplateData) -> None:
    template.name = data.name.strip()
    template.intro_md = data.intro_md.strip()
    template.outro_md = data.outro_md.strip()
    template.allow_text_accommodation = data.allow_text_accommodation
    if data.language is not None:
        if data.language != template.language and template.id is not None:
            _requeue_captions(template)
        template.language = data.language


def _requeue_captions(template: InterviewTemplate) -> None:
    """Captions follow the language: make them again for the template's recorded videos."""
    for question in template.questions:
        if question.prompt_video_key:
            queue_prompt_processing(question)
    if template.welcome_video_key:
        queue_welcome_processing(template)


# -- questions ------------------------------------------------------------------------------------


def get_question(actor: User, template_id: int, question_id: int) -> InterviewQuestion:
    """A question of a template of the actor's organization; NotFound otherwise."""
    template = get_template(actor, template_id)
    for question in template.questions:
        if question.id == question_id:
            return question
    raise NotFound(str(_l("We could not find this question.")))


def _check_question(
    template: InterviewTemplate, data: QuestionData, question: InterviewQuestion | None
) -> None:
    if not data.prompt_text.strip():
        raise Invalid(str(_l("Write the question.")), field="prompt_text")
    if data.think_seconds is not None and not 0 <= data.think_seconds <= 600:
        raise Invalid(str(_l("Thinking time must be between 0 and 600 seconds.")), field="think_seconds")
    if data.answer_type == AnswerType.VIDEO and not MIN_SECONDS <= data.max_seconds <= MAX_SECONDS:
        raise Invalid(
            str(
                _l(
                    "A video answer may last between %(low)d and %(high)d seconds.",
                    low=MIN_SECONDS,
                    high=MAX_SECONDS,
                )
            ),
            field="max_seconds",
        )
    if data.answer_type == AnswerType.TEXT and not MIN_CHARS <= data.max_chars <= MAX_CHARS:
        raise Invalid(
            str(
                _l(
                    "A written answer may be between %(low)d and %(high)d characters long.",
                    low=MIN_CHARS,
                    high=MAX_CHARS,
                )
            ),
            field="max_chars",
        )
    if not 0 <= data.retakes <= MAX_RETAKES:
        raise Invalid(str(_l("Allow between 0 and %(high)d retakes.", high=MAX_RETAKES)), field="retakes")
    if data.is_practice:
        others = [q for q in template.questions if q.is_practice and q is not question]
        if others:
            raise Invalid(str(_l("An interview can have only one practice question.")), field="is_practice")


def add_question(actor: User, template_id: int, data: QuestionData) -> InterviewQuestion:
    """Append a question to a template (a practice question goes first)."""
    _require(actor, EDITING_ROLES)
    template = get_template(actor, template_id)
    _check_question(template, data, None)
    question = InterviewQuestion(position=len(template.questions))
    _apply_question(question, data)
    template.questions.append(question)
    _renumber(template)
    db.session.flush()
    if data.think_seconds is None:
        # The column default (30) replaces a None on INSERT; unlimited has to be written afterwards.
        question.think_seconds = None
        db.session.flush()
    record_audit(actor.organization_id, actor, "interview.question_added", "interview_template", template.id)
    return question


def update_question(actor: User, template_id: int, question_id: int, data: QuestionData) -> InterviewQuestion:
    """Change a question's prompt and answering rules."""
    _require(actor, EDITING_ROLES)
    question = get_question(actor, template_id, question_id)
    _check_question(question.template, data, question)
    _apply_question(question, data)
    _renumber(question.template)
    db.session.flush()
    record_audit(
        actor.organization_id, actor, "interview.question_updated", "interview_template", template_id
    )
    return question


def delete_question(actor: User, template_id: int, question_id: int) -> list[str]:
    """Remove a question; returns its prompt files, to delete after the commit."""
    _require(actor, EDITING_ROLES)
    question = get_question(actor, template_id, question_id)
    template = question.template
    keys = [key for key in (question.prompt_video_key, question.prompt_captions_key) if key]
    template.questions.remove(question)
    _renumber(template)
    db.session.flush()
    record_audit(
        actor.organization_id, actor, "interview.question_removed", "interview_template", template_id
    )
    return keys


def move_question(actor: User, template_id: int, question_id: int, offset: int) -> None:
    """Move a question earlier (-1) or later (+1); the practice question stays first."""
    _require(actor, EDITING_ROLES)
    question = get_question(actor, template_id, question_id)
    questions = list(question.template.questions)
    index = questions.index(question)
    target = max(0, min(len(questions) - 1, index + offset))
    questions.insert(target, questions.pop(index))
    _renumber(question.template, questions)
    record_audit(
        actor.organization_id, actor, "interview.question_updated", "interview_template", template_id
    )


def _apply_question(question: InterviewQuestion, data: QuestionData) -> None:
    question.prompt_text = data.prompt_text.strip()
    question.answer_type = data.answer_type
    question.think_seconds = data.think_seconds
    question.max_seconds = data.max_seconds
    question.max_chars = data.max_chars
    question.retakes = data.retakes
    question.required = data.required
    question.is_practice = data.is_practice


def _renumber(template: InterviewTemplate, order: list[InterviewQuestion] | None = None) -> None:
    questions = sorted(order or template.questions, key=lambda q: not q.is_practice)  # stable sort
    for position, question in enumerate(questions):
        question.position = position
    template.questions[:] = questions


# -- a job's default template ---------------------------------------------------------------------


def assignable_jobs(actor: User) -> list[Job]:
    """Draft and published jobs of the organization, which may get a default interview."""
    return list(
        db.session.scalars(
            db.select(Job)
            .where(
                Job.organization_id == actor.organization_id,
                Job.status.in_((JobStatus.DRAFT, JobStatus.PUBLISHED)),
            )
            .order_by(Job.title, Job.id)
        )
    )


def set_job_template(actor: User, template_id: int, job_id: int) -> Job:
    """Make a template the default interview of a draft or published job."""
    _require(actor, EDITING_ROLES)
    template = get_template(actor, template_id)
    job = next((job for job in assignable_jobs(actor) if job.id == job_id), None)
    if job is None:
        raise Invalid(str(_l("Choose a draft or published job.")), field="job_id")
    job.interview_template_id = template.id
    db.session.flush()
    record_audit(
        actor.organization_id, actor, "job.interview_template_set", "job", job.id, template_id=template.id
    )
    return job


def jobs_using(actor: User, template: InterviewTemplate) -> list[Job]:
    """Jobs whose default interview is this template, among those the actor may see."""
    return list(db.session.scalars(visible_jobs_using(actor, template).order_by(Job.title)))


# -- recorded prompts -----------------------------------------------------------------------------


def _set_prompt_video(actor: User, question: InterviewQuestion, key: str, content_type: str) -> list[str]:
    old = [k for k in (question.prompt_video_key, question.prompt_captions_key) if k and k != key]
    question.prompt_video_key = key
    question.prompt_video_content_type = content_type
    question.prompt_captions_key = None
    question.prompt_transcript = ""
    question.prompt_recorded_by_id = actor.id
    db.session.flush()
    record_audit(
        actor.organization_id, actor, "interview.prompt_recorded", "interview_template", question.template_id
    )
    queue_prompt_processing(question)
    return old


def prompt_video_ticket(actor: User, template_id: int, question_id: int, content_type: str) -> UploadTicket:
    """Where the browser may upload a recorded prompt directly."""
    get_question(actor, template_id, question_id)
    return issue_recording_ticket(actor, PROMPT_VIDEO_PREFIX, content_type, PROMPT_VIDEO_MAX_BYTES)


def confirm_prompt_video(actor: User, template_id: int, question_id: int, key: str) -> list[str]:
    """Adopt a browser upload as the question's prompt after checking it; returns old keys to delete."""
    question = get_question(actor, template_id, question_id)
    if question.prompt_video_key == key:
        return []  # a retried confirm after a lost response
    stored = claim_recording(
        actor, PROMPT_VIDEO_PREFIX, key, foreign=str(_l("This upload does not belong to a question video."))
    )
    return _set_prompt_video(actor, question, key, stored.content_type)


def upload_prompt_video(actor: User, template_id: int, question_id: int, stream: BinaryIO) -> list[str]:
    """Store an uploaded prompt video (WebM or MP4 by content); returns old keys to delete."""
    question = get_question(actor, template_id, question_id)
    prefix = organization_prefix(actor.organization_id, PROMPT_VIDEO_PREFIX)
    stored = store_video_upload(stream, prefix=prefix, max_size=PROMPT_VIDEO_MAX_BYTES)
    return _set_prompt_video(actor, question, stored.key, stored.content_type)


def remove_prompt_video(actor: User, template_id: int, question_id: int) -> list[str]:
    """Take the recorded prompt off a question; returns keys to delete."""
    question = get_question(actor, template_id, question_id)
    old = [k for k in (question.prompt_video_key, question.prompt_captions_key) if k]
    question.prompt_video_key = None
    question.prompt_video_content_type = None
    question.prompt_captions_key = None
    question.prompt_transcript = ""
    db.session.flush()
    return old


# -- the welcome video (recorded by anyone who may record prompts) ---------------------------------


def _set_welcome_video(actor: User, template: InterviewTemplate, key: str, content_type: str) -> list[str]:
    old = [k for k in (template.welcome_video_key, template.welcome_captions_key) if k and k != key]
    template.welcome_video_key = key
    template.welcome_video_content_type = content_type
    template.welcome_captions_key = None
    db.session.flush()
    record_audit(
        actor.organization_id, actor, "interview.welcome_recorded", "interview_template", template.id
    )
    queue_welcome_processing(template)
    return old


def welcome_video_ticket(actor: User, template_id: int, content_type: str) -> UploadTicket:
    """Where the browser may upload a recorded welcome video directly."""
    get_template(actor, template_id)
    return issue_recording_ticket(actor, WELCOME_VIDEO_PREFIX, content_type, PROMPT_VIDEO_MAX_BYTES)


def confirm_welcome_video(actor: User, template_id: int, key: str) -> list[str]:
    """Adopt a browser upload as the interview's welcome video after checking it; returns old keys."""
    template = get_template(actor, template_id)
    if template.welcome_video_key == key:
        return []  # a retried confirm after a lost response
    stored = claim_recording(
        actor, WELCOME_VIDEO_PREFIX, key, foreign=str(_l("This upload does not belong to a welcome video."))
    )
    return _set_welcome_video(actor, template, key, stored.content_type)


def upload_welcome_video(actor: User, template_id: int, stream: BinaryIO) -> list[str]:
    """Store an uploaded welcome video (WebM or MP4 by content); returns old keys to delete."""
    template = get_template(actor, template_id)
    prefix = organization_prefix(actor.organization_id, WELCOME_VIDEO_PREFIX)
    stored = store_video_upload(stream, prefix=prefix, max_size=PROMPT_VIDEO_MAX_BYTES)
    return _set_welcome_video(actor, template, stored.key, stored.content_type)


def remove_welcome_video(actor: User, template_id: int) -> list[str]:
    """Take the welcome video off an interview; returns keys to delete."""
    template = get_template(actor, template_id)
    old = [k for k in (template.welcome_video_key, template.welcome_captions_key) if k]
    template.welcome_video_key = None
    template.welcome_video_content_type = None
    template.welcome_captions_key = None
    db.session.flush()
    record_audit(actor.organization_id, actor, "interview.welcome_removed", "interview_template", template.id)
    return old
