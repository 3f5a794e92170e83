# SPDX-License-Identifier: AGPL-3.0-or-later
"""Staff pages for a job's apply-form questions: list, add, edit, reorder and remove."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.core.errors import DomainError
from app.core.extensions import db
from app.core.forms import attach_error, require_valid
from app.models import Job, JobQuestion, QuestionKind
from app.postings import bp, questions, services
from app.postings.forms import ButtonForm, MovePhotoForm, QuestionForm
from app.postings.routes import actor, manage_required


def question_data_from(form: QuestionForm) -> questions.QuestionData:
    """Plain data for the services; the yes/no select and the knockout lines are both passed on."""
    knockouts = questions.split_lines(form.knockout_answers.data)
    if form.yes_no_knockout.data:
        knockouts.append(form.yes_no_knockout.data)
    return questions.QuestionData(
        label=form.label.data or "",
        kind=form.kind.data or "",
        help_text=form.help_text.data or "",
        required=bool(form.required.data),
        choices=questions.split_lines(form.choices.data),
        knockout_answers=knockouts,
    )


def form_from_question(question: JobQuestion) -> QuestionForm:
    """The question form filled with what the question holds."""
    form = QuestionForm(formdata=None, obj=question)
    form.kind.data = question.kind.value
    form.choices.data = "\n".join(question.choices or [])
    is_yes_no = question.kind == QuestionKind.YES_NO
    knockouts = question.knockout_answers or []
    form.yes_no_knockout.data = knockouts[0] if is_yes_no and knockouts else ""
    form.knockout_answers.data = "" if is_yes_no else "\n".join(knockouts)
    return form


def attach_question_errors(form: QuestionForm, error: DomainError) -> None:
    """Put each refusal next to its field."""
    errors = (
        error.errors if isinstance(error, questions.QuestionRefused) else [(error.field or "", error.message)]
    )
    for name, message in errors:
        attach_error(form, DomainError(message, name or None))


def render_questions(job: Job, form: QuestionForm | None = None, status: int = 200):
    """The job's questions and the form that adds one."""
    return render_template(
        "postings/questions.html",
        job=job,
        questions=questions.list_questions(actor(), job.id),
        form=form or QuestionForm(formdata=None),
        kind_labels=questions.QUESTION_KIND_LABELS,
        button_form=ButtonForm(formdata=None),
    ), status


def render_edit(job: Job, question: JobQuestion, form: QuestionForm, status: int = 200):
    """The page that changes one question."""
    return render_template("postings/question_edit.html", job=job, question=question, form=form), status


@bp.get("/<int:job_id>/questions", endpoint="questions")
@manage_required
def questions_page(job_id: int):
    """The custom questions of a job's apply form."""
    return render_questions(services.get_managed_job(actor(), job_id))


@bp.post("/<int:job_id>/questions")
@manage_required
def add_question(job_id: int):
    """Add a question at the end of the apply form."""
    job = services.get_managed_job(actor(), job_id)
    form = QuestionForm()
    if not form.validate_on_submit():
        return render_questions(job, form, 400)
    try:
        questions.add_question(actor(), job.id, question_data_from(form))
    except DomainError as error:
        db.session.rollback()
        attach_question_errors(form, error)
        return render_questions(services.get_managed_job(actor(), job_id), form, error.status_code)
    db.session.commit()
    flash(_("The question was added."), "success")
    return redirect(url_for("postings.questions", job_id=job_id))


@bp.route("/<int:job_id>/questions/<int:question_id>/edit", methods=["GET", "POST"])
@manage_required
def edit_question(job_id: int, question_id: int):
    """Change a question (answers already given keep their wording)."""
    question = questions.get_question(actor(), job_id, question_id)
    if request.method == "GET":
        return render_edit(question.job, question, form_from_question(question))
    form = QuestionForm()
    if not form.validate_on_submit():
        return render_edit(question.job, question, form, 400)
    try:
        questions.update_question(actor(), job_id, question_id, question_data_from(form))
    except DomainError as error:
        db.session.rollback()
        attach_question_errors(form, error)
        question = questions.get_question(actor(), job_id, question_id)
        return render_edit(question.job, question, form, error.status_code)
    db.session.commit()
    flash(_("The question was saved."), "success")
    return redirect(url_for("postings.questions", job_id=job_id))


@bp.post("/<int:job_id>/questions/<int:question_id>/delete")
@manage_required
def delete_question(job_id: int, question_id: int):
    """Remove a question from the apply form."""
    require_valid(ButtonForm())
    questions.delete_question(actor(), job_id, question_id)
    db.session.commit()
    flash(_("The question was removed."), "success")
    return redirect(url_for("postings.questions", job_id=job_id))


@bp.post("/<int:job_id>/questions/<int:question_id>/move")
@manage_required
def move_question(job_id: int, question_id: int):
    """Move a question earlier or later."""
    form = require_valid(MovePhotoForm())
    questions.move_question(actor(), job_id, question_id, form.offset.data)
    db.session.commit()
    return redirect(url_for("postings.questions", job_id=job_id, _anchor=f"question-{question_id}"))
