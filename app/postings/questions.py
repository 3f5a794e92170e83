# SPDX-License-Identifier: AGPL-3.0-or-later
"""Rules for a job's custom apply-form questions: adding, editing, ordering and removing them."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from app.core.audit import record_audit
from app.core.errors import Invalid, NotFound
from app.core.extensions import db
from app.models import Job, JobQuestion, QuestionKind, User
from app.postings.services import get_managed_job

LABEL_MAX = 200
HELP_TEXT_MAX = 300
CHOICE_MAX = 120
MIN_CHOICES = 2
MAX_CHOICES = 20
MAX_QUESTIONS = 50
CHOICE_KINDS = frozenset({QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE})
# The apply form stores yes/no answers as these exact values (app/applications/questions.py).
YES_NO_VALUES = ("yes", "no")

QUESTION_KIND_LABELS = {
    QuestionKind.SHORT_TEXT: _l("Short text"),
    QuestionKind.LONG_TEXT: _l("Long text"),
    QuestionKind.YES_NO: _l("Yes or no"),
    QuestionKind.SINGLE_CHOICE: _l("One choice from a list"),
    QuestionKind.MULTIPLE_CHOICE: _l("Several choices from a list"),
    QuestionKind.NUMBER: _l("Number"),
}


class QuestionRefused(Invalid):
    """Several field errors at once (``field`` names match the question form)."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__(errors[0][1], errors[0][0])
        self.errors = errors


@dataclass
class QuestionData:
    """A question as the recruiter wrote it; knockout answers of yes/no questions are "yes" or "no"."""

    label: str
    kind: str = QuestionKind.SHORT_TEXT.value
    help_text: str = ""
    required: bool = False
    choices: list[str] = field(default_factory=list)
    knockout_answers: list[str] = field(default_factory=list)


def split_lines(text: str | None) -> list[str]:
    """One item per non-empty line, trimmed, in the order typed."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


# --- reading ------------------------------------------------------------------------------------


def list_questions(actor: User, job_id: int) -> list[JobQuestion]:
    """The questions of a job the actor manages, in apply-form order."""
    job = get_managed_job(actor, job_id)
    return _questions_of(job)


def get_question(actor: User, job_id: int, question_id: int) -> JobQuestion:
    """One question of a job the actor manages; NotFound otherwise."""
    job = get_managed_job(actor, job_id)
    question = db.session.scalar(
        db.select(JobQuestion).where(
            JobQuestion.id == question_id,
            JobQuestion.job_id == job.id,
            JobQuestion.organization_id == actor.organization_id,
        )
    )
    if question is None:
        raise NotFound(str(_l("No such question on this job.")))
    return question


def _questions_of(job: Job) -> list[JobQuestion]:
    return list(
        db.session.scalars(
            db.select(JobQuestion)
            .where(JobQuestion.job_id == job.id, JobQuestion.organization_id == job.organization_id)
            .order_by(JobQuestion.position, JobQuestion.id)
        )
    )


# --- checking -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _CleanQuestion:
    label: str
    kind: QuestionKind
    help_text: str
    required: bool
    choices: list[str]
    knockout_answers: list[str]


def _check_choices(choices: list[str]) -> list[tuple[str, str]]:
    errors: list[tuple[str, str]] = []
    if len(choices) < MIN_CHOICES:
        errors.append(("choices", str(_l("Write at least two choices, one per line."))))
    if len(choices) > MAX_CHOICES:
        errors.append(("choices", str(_l("Offer at most 20 choices."))))
    if any(len(choice) > CHOICE_MAX for choice in choices):
        errors.append(("choices", str(_l("Each choice can be at most 120 characters long."))))
    if len({choice.casefold() for choice in choices}) != len(choices):
        errors.append(("choices", str(_l("Each choice must be different from the others."))))
    return errors


def _choice_knockouts(choices: list[str], wanted: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Knockout answers spelled exactly as the matching choices (matched ignoring case)."""
    by_folded = {choice.casefold(): choice for choice in choices}
    unknown = [answer for answer in wanted if answer.casefold() not in by_folded]
    if unknown:
        message = _l(
            "Knockout answers must be among the choices; not found: %(answers)s.", answers=", ".join(unknown)
        )
        return [], [("knockout_answers", str(message))]
    knockouts = list(dict.fromkeys(by_folded[answer.casefold()] for answer in wanted))
    if choices and len(knockouts) == len(choices):
        return [], [("knockout_answers", str(_l("Leave at least one choice that is not a knockout answer.")))]
    return knockouts, []


def _yes_no_knockouts(wanted: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    answers = list(dict.fromkeys(answer.strip().casefold() for answer in wanted))
    if any(answer not in YES_NO_VALUES for answer in answers):
        return [], [("yes_no_knockout", str(_l("A yes/no question can only knock out “yes” or “no”.")))]
    if len(answers) > 1:
        return [], [
            ("yes_no_knockout", str(_l("Choose either “yes” or “no” as the knockout answer, not both.")))
        ]
    return answers, []


def _check_question(data: QuestionData) -> _CleanQuestion:
    """The question as it will be stored, or QuestionRefused with every field error."""
    errors: list[tuple[str, str]] = []
    label = data.label.strip()
    help_text = data.help_text.strip()
    if not label:
        errors.append(("label", str(_l("Write the question."))))
    elif len(label) > LABEL_MAX:
        errors.append(("label", str(_l("The question can be at most 200 characters long."))))
    if len(help_text) > HELP_TEXT_MAX:
        errors.append(("help_text", str(_l("The help text can be at most 300 characters long."))))
    kind = QuestionKind(data.kind) if data.kind in {member.value for member in QuestionKind} else None
    if kind is None:
        errors.append(("kind", str(_l("Choose how the question is answered."))))
        raise QuestionRefused(errors)

    choices = list(dict.fromkeys(choice.strip() for choice in data.choices if choice.strip()))
    wanted = [answer.strip() for answer in data.knockout_answers if answer.strip()]
    knockouts: list[str] = []
    if kind in CHOICE_KINDS:
        errors.extend(_check_choices([choice.strip() for choice in data.choices if choice.strip()]))
        knockouts, knockout_errors = _choice_knockouts(choices, wanted)
        errors.extend(knockout_errors)
    else:
        choices = []
        if kind == QuestionKind.YES_NO:
            knockouts, knockout_errors = _yes_no_knockouts(wanted)
            errors.extend(knockout_errors)
        elif wanted:
            message = _l(
                "Text and number questions cannot have knockout answers; use a yes/no or choice question."
            )
            errors.append(("knockout_answers", str(message)))
    if errors:
        raise QuestionRefused(errors)
    return _CleanQuestion(label, kind, help_text, data.required, choices, knockouts)


def _apply(question: JobQuestion, clean: _CleanQuestion) -> None:
    question.label = clean.label
    question.kind = clean.kind
    question.help_text = clean.help_text
    question.required = clean.required
    question.choices = clean.choices
    question.knockout_answers = clean.knockout_answers


# --- writing ------------------------------------------------------------------------------------


def add_question(actor: User, job_id: int, data: QuestionData) -> JobQuestion:
    """Append a question to the end of a job's apply form."""
    job = get_managed_job(actor, job_id)
    clean = _check_question(data)
    existing = _questions_of(job)
    if len(existing) >= MAX_QUESTIONS:
        raise Invalid(str(_l("A job can have at most 50 questions.")))
    question = JobQuestion(
        organization_id=job.organization_id,
        job_id=job.id,
        position=max((other.position for other in existing), default=-1) + 1,
    )
    _apply(question, clean)
    db.session.add(question)
    db.session.flush()
    record_audit(actor.organization_id, actor, "job.question_added", "job", job.id, question_id=question.id)
    return question


def update_question(actor: User, job_id: int, question_id: int, data: QuestionData) -> JobQuestion:
    """Change a question; answers already given keep the wording they were given under."""
    question = get_question(actor, job_id, question_id)
    _apply(question, _check_question(data))
    db.session.flush()
    record_audit(actor.organization_id, actor, "job.question_updated", "job", job_id, question_id=question.id)
    return question


def delete_question(actor: User, job_id: int, question_id: int) -> None:
    """Remove a question from the apply form (answers already given stay, with their wording)."""
    question = get_question(actor, job_id, question_id)
    db.session.delete(question)
    db.session.flush()
    record_audit(actor.organization_id, actor, "job.question_removed", "job", job_id, question_id=question_id)


def move_question(actor: User, job_id: int, question_id: int, offset: int) -> None:
    """Move a question earlier (-1) or later (+1) on the apply form."""
    question = get_question(actor, job_id, question_id)
    questions = _questions_of(question.job)
    index = questions.index(question)
    target = max(0, min(len(questions) - 1, index + offset))
    questions.insert(target, questions.pop(index))
    for position, other in enumerate(questions):
        other.position = position
    db.session.flush()
    record_audit(actor.organization_id, actor, "job.question_updated", "job", job_id, question_id=question_id)
