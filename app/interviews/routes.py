# SPDX-License-Identifier: AGPL-3.0-or-later
"""Staff pages for interviews: templates, questions, recorded prompts and invitations."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectChoice

from app.applications.services import find_application_for_staff, find_job_for_staff
from app.auth.decorators import actor, roles_required
from app.candidates.privacy import delete_files_after_commit
from app.core.errors import DomainError
from app.core.extensions import db
from app.core.forms import attach_error, require_valid
from app.core.markdown import render_markdown
from app.interviews import bp, invitations, services
from app.interviews.forms import (
    BulkInviteForm,
    ButtonForm,
    DeadlineForm,
    InviteForm,
    JobTemplateForm,
    MoveForm,
    PromptVideoForm,
    QuestionForm,
    TemplateForm,
)
from app.media.recordings import confirmed_upload_key, requested_content_type, ticket_response
from app.media.services import welcome_media_urls
from app.models import Role
from app.models.interview import AnswerType, InterviewQuestion, InterviewTemplate, InvitationState

staff_required = roles_required(Role.ADMIN, Role.RECRUITER, Role.MANAGER)
editor_required = roles_required(Role.ADMIN, Role.RECRUITER)
# Room for multipart boundaries around a 200 MB video.
VIDEO_REQUEST_LIMIT = services.PROMPT_VIDEO_MAX_BYTES + 64 * 1024
DEFAULT_DEADLINE_DAYS = 7

STATE_LABELS = {
    InvitationState.SENT: _l("Sent"),
    InvitationState.OPENED: _l("Opened"),
    InvitationState.STARTED: _l("Started"),
    InvitationState.COMPLETED: _l("Completed"),
    InvitationState.EXPIRED: _l("Expired"),
    InvitationState.CANCELLED: _l("Cancelled"),
}
ANSWER_TYPE_LABELS = {AnswerType.VIDEO: _l("Video"), AnswerType.TEXT: _l("Written")}
LANGUAGE_NAMES = {"en": "English", "it": "Italiano"}


def end_of_day(day: date) -> datetime:
    """The last second of a day, in UTC: a deadline chosen as a date."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


@bp.context_processor
def interviews_context() -> dict[str, object]:
    """Labels and permissions the interview pages present."""
    editor = current_user.is_authenticated and current_user.role in services.EDITING_ROLES
    return {
        "state_labels": STATE_LABELS,
        "answer_type_labels": ANSWER_TYPE_LABELS,
        "language_names": LANGUAGE_NAMES,
        "can_edit": editor,
    }


# --- templates -----------------------------------------------------------------------------------


def template_data(form: TemplateForm) -> services.TemplateData:
    """The service's input from the template form."""
    return services.TemplateData(
        name=form.name.data or "",
        intro_md=form.intro_md.data or "",
        outro_md=form.outro_md.data or "",
        allow_text_accommodation=bool(form.allow_text_accommodation.data),
        language=form.language.data,
    )


@bp.get("/")
@staff_required
def index():
    """The organization's interview templates."""
    return render_template("interviews/index.html", templates=services.list_templates(actor()))


@bp.route("/new", methods=["GET", "POST"])
@editor_required
def new():
    """Create an interview template."""
    form = TemplateForm(language=actor().organization.default_language)
    if form.validate_on_submit():
        try:
            template = services.create_template(actor(), template_data(form))
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("The interview was created. Now add its questions."), "success")
            return redirect(url_for("interviews.show", template_id=template.id))
    status = 400 if form.is_submitted() else 200
    return render_template("interviews/template_form.html", form=form, template=None), status


@bp.route("/<int:template_id>/edit", methods=["GET", "POST"])
@editor_required
def edit(template_id: int):
    """Change an interview's name, intro and outro."""
    template = services.get_template(actor(), template_id)
    form = TemplateForm(obj=template)
    if form.validate_on_submit():
        try:
            services.update_template(actor(), template_id, template_data(form))
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("The interview was saved."), "success")
            return redirect(url_for("interviews.show", template_id=template_id))
    status = 400 if form.is_submitted() else 200
    return render_template("interviews/template_form.html", form=form, template=template), status


def render_show(
    template: InterviewTemplate,
    question_form: QuestionForm | None = None,
    status: int = 200,
    video_form: PromptVideoForm | None = None,
):
    """A template's page: welcome video, intro, questions, the add-question form and its jobs."""
    job_form = JobTemplateForm()
    job_form.job_id.choices = [SelectChoice(job.id, job.title) for job in services.assignable_jobs(actor())]
    return (
        render_template(
            "interviews/show.html",
            template=template,
            intro=render_markdown(template.intro_md),
            outro=render_markdown(template.outro_md),
            question_form=question_form or QuestionForm(formdata=None),
            video_form=video_form or PromptVideoForm(formdata=None),
            welcome_video=welcome_media_urls(template),
            record_seconds=services.PROMPT_RECORD_SECONDS,
            job_form=job_form,
            jobs=services.jobs_using(actor(), template),
            button_form=ButtonForm(),
        ),
        status,
    )


@bp.get("/<int:template_id>")
@staff_required
def show(template_id: int):
    """One interview template."""
    return render_show(services.get_template(actor(), template_id))


@bp.post("/<int:template_id>/job")
@editor_required
def set_job(template_id: int):
    """Use this interview as a job's default."""
    form = JobTemplateForm()
    form.job_id.choices = [SelectChoice(job.id, job.title) for job in services.assignable_jobs(actor())]
    if not form.validate_on_submit():
        return render_show(services.get_template(actor(), template_id), status=400)
    job = services.set_job_template(actor(), template_id, form.job_id.data)
    db.session.commit()
    flash(_("%(job)s now uses this interview.", job=job.title), "success")
    return redirect(url_for("interviews.show", template_id=template_id))


# --- questions -----------------------------------------------------------------------------------


def _filled(raw_data: list[str] | None) -> bool:
    """Whether a field was sent with a value (an empty thinking time means unlimited)."""
    return bool(raw_data and str(raw_data[0]).strip())


def question_data(form: QuestionForm) -> services.QuestionData:
    """The service's input from the question form."""
    return services.QuestionData(
        prompt_text=form.prompt_text.data or "",
        answer_type=AnswerType(form.answer_type.data),
        think_seconds=form.think_seconds.data if _filled(form.think_seconds.raw_data) else None,
        max_seconds=form.max_seconds.data,
        max_chars=form.max_chars.data,
        retakes=form.retakes.data,
        required=bool(form.required.data),
        is_practice=bool(form.is_practice.data),
    )


@bp.post("/<int:template_id>/questions")
@editor_required
def add_question(template_id: int):
    """Add a question to an interview."""
    form = QuestionForm()
    if form.validate_on_submit():
        try:
            question = services.add_question(actor(), template_id, question_data(form))
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("The question was added."), "success")
            return redirect(url_for("interviews.question", template_id=template_id, question_id=question.id))
    return render_show(services.get_template(actor(), template_id), question_form=form, status=400)


def render_question(question: InterviewQuestion, form=None, video_form=None, status: int = 200):
    """A question's page: its settings and its recorded prompt."""
    return (
        render_template(
            "interviews/question.html",
            template=question.template,
            question=question,
            form=form or QuestionForm(obj=question),
            video_form=video_form or PromptVideoForm(formdata=None),
            video_url=invitations.prompt_video_url(question),
            record_seconds=services.PROMPT_RECORD_SECONDS,
            button_form=ButtonForm(),
        ),
        status,
    )


@bp.get("/<int:template_id>/questions/<int:question_id>")
@staff_required
def question(template_id: int, question_id: int):
    """One question, with the prompt recorder."""
    return render_question(services.get_question(actor(), template_id, question_id))


@bp.post("/<int:template_id>/questions/<int:question_id>")
@editor_required
def update_question(template_id: int, question_id: int):
    """Save a question's settings."""
    form = QuestionForm()
    if form.validate_on_submit():
        try:
            services.update_question(actor(), template_id, question_id, question_data(form))
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("The question was saved."), "success")
            return redirect(url_for("interviews.show", template_id=template_id))
    return render_question(services.get_question(actor(), template_id, question_id), form=form, status=400)


@bp.post("/<int:template_id>/questions/<int:question_id>/delete")
@editor_required
def delete_question(template_id: int, question_id: int):
    """Remove a question."""
    require_valid(ButtonForm())
    delete_files_after_commit(services.delete_question(actor(), template_id, question_id))
    db.session.commit()
    flash(_("The question was removed."), "success")
    return redirect(url_for("interviews.show", template_id=template_id))


@bp.post("/<int:template_id>/questions/<int:question_id>/move")
@editor_required
def move_question(template_id: int, question_id: int):
    """Move a question up or down."""
    form = require_valid(MoveForm())
    services.move_question(actor(), template_id, question_id, form.offset.data)
    db.session.commit()
    return redirect(url_for("interviews.show", template_id=template_id, _anchor="questions"))


# --- recorded prompts ----------------------------------------------------------------------------


@bp.post("/<int:template_id>/questions/<int:question_id>/video/ticket")
@staff_required
def video_ticket(template_id: int, question_id: int):
    """Where the browser uploads a recorded prompt (JSON, for recorder.js)."""
    ticket = services.prompt_video_ticket(actor(), template_id, question_id, requested_content_type())
    db.session.commit()  # the ticket's record is what a confirm will accept
    return ticket_response(ticket)


@bp.post("/<int:template_id>/questions/<int:question_id>/video/confirm")
@staff_required
def confirm_video(template_id: int, question_id: int):
    """Adopt a finished browser upload as the question's prompt (JSON, for recorder.js)."""
    delete_files_after_commit(
        services.confirm_prompt_video(actor(), template_id, question_id, confirmed_upload_key())
    )
    db.session.commit()
    return jsonify(ok=True, message=_("The question video was saved."))


@bp.post("/<int:template_id>/questions/<int:question_id>/video")
@staff_required
def upload_video(template_id: int, question_id: int):
    """Upload a prompt video file instead of recording one."""
    request.max_content_length = VIDEO_REQUEST_LIMIT
    form = PromptVideoForm()
    if form.validate_on_submit():
        try:
            old_keys = services.upload_prompt_video(actor(), template_id, question_id, form.video.data.stream)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            delete_files_after_commit(old_keys)
            db.session.commit()
            flash(_("The question video was saved."), "success")
            return redirect(url_for("interviews.question", template_id=template_id, question_id=question_id))
    question = services.get_question(actor(), template_id, question_id)
    return render_question(question, video_form=form, status=400)


@bp.post("/<int:template_id>/questions/<int:question_id>/video/delete")
@staff_required
def delete_video(template_id: int, question_id: int):
    """Remove the recorded prompt."""
    require_valid(ButtonForm())
    delete_files_after_commit(services.remove_prompt_video(actor(), template_id, question_id))
    db.session.commit()
    flash(_("The question video was removed."), "success")
    return redirect(url_for("interviews.question", template_id=template_id, question_id=question_id))


# --- the welcome video ---------------------------------------------------------------------------


@bp.post("/<int:template_id>/welcome-video/ticket")
@staff_required
def welcome_ticket(template_id: int):
    """Where the browser uploads a recorded welcome video (JSON, for recorder.js)."""
    ticket = services.welcome_video_ticket(actor(), template_id, requested_content_type())
    db.session.commit()  # the ticket's record is what a confirm will accept
    return ticket_response(ticket)


@bp.post("/<int:template_id>/welcome-video/confirm")
@staff_required
def confirm_welcome(template_id: int):
    """Adopt a finished browser upload as the welcome video (JSON, for recorder.js)."""
    delete_files_after_commit(services.confirm_welcome_video(actor(), template_id, confirmed_upload_key()))
    db.session.commit()
    return jsonify(ok=True, message=_("The welcome video was saved."))


@bp.post("/<int:template_id>/welcome-video")
@staff_required
def upload_welcome(template_id: int):
    """Upload a welcome video file instead of recording one."""
    request.max_content_length = VIDEO_REQUEST_LIMIT
    form = PromptVideoForm()
    if form.validate_on_submit():
        try:
            old_keys = services.upload_welcome_video(actor(), template_id, form.video.data.stream)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            delete_files_after_commit(old_keys)
            db.session.commit()
            flash(_("The welcome video was saved."), "success")
            return redirect(url_for("interviews.show", template_id=template_id, _anchor="welcome"))
    return render_show(services.get_template(actor(), template_id), status=400, video_form=form)


@bp.post("/<int:template_id>/welcome-video/delete")
@staff_required
def delete_welcome(template_id: int):
    """Remove the welcome video."""
    require_valid(ButtonForm())
    delete_files_after_commit(services.remove_welcome_video(actor(), template_id))
    db.session.commit()
    flash(_("The welcome video was removed."), "success")
    return redirect(url_for("interviews.show", template_id=template_id, _anchor="welcome"))


# --- invitations ---------------------------------------------------------------------------------


def template_choices() -> list[tuple[int, str]]:
    """The organization's interviews that have questions, for a select."""
    return [SelectChoice(t.id, t.name) for t in services.list_templates(actor()) if t.questions]


def render_invite(application, form: InviteForm, status: int = 200):
    """The page inviting one application's candidate, with earlier invitations."""
    return (
        render_template(
            "interviews/invite.html",
            application=application,
            form=form,
            invitations=invitations.list_application_invitations(application),
            deadline_form=DeadlineForm(formdata=None),
            button_form=ButtonForm(),
        ),
        status,
    )


@bp.route("/applications/<public_id>/invite", methods=["GET", "POST"])
@editor_required
def invite(public_id: str):
    """Invite an application's candidate to a video interview."""
    application = find_application_for_staff(actor(), public_id)
    form = InviteForm(template_id=application.job.interview_template_id)
    form.template_id.choices = template_choices()
    if request.method == "GET":
        form.deadline.data = date.today() + timedelta(days=DEFAULT_DEADLINE_DAYS)
        return render_invite(application, form)
    if not form.validate_on_submit():
        return render_invite(application, form, 400)
    try:
        template = services.get_template(actor(), form.template_id.data)
        invitations.invite_application(actor(), application, template, end_of_day(form.deadline.data))
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return render_invite(find_application_for_staff(actor(), public_id), form, error.status_code)
    db.session.commit()
    flash(_("The invitation was sent to %(name)s.", name=application.candidate.name), "success")
    return redirect(url_for("interviews.invite", public_id=public_id))


@bp.route("/jobs/<int:job_id>/invite", methods=["GET", "POST"])
@editor_required
def bulk_invite(job_id: int):
    """Invite several of a job's candidates at once."""
    job = find_job_for_staff(actor(), job_id)
    form = BulkInviteForm(template_id=job.interview_template_id)
    form.template_id.choices = template_choices()
    candidates = invitations.invitable_applications(actor(), job)
    form.application_ids.choices = [SelectChoice(a.id, a.candidate.name) for a in candidates]
    if request.method == "GET":
        form.deadline.data = date.today() + timedelta(days=DEFAULT_DEADLINE_DAYS)
    elif form.validate_on_submit():
        try:
            template = services.get_template(actor(), form.template_id.data)
            sent = invitations.invite_applications(
                actor(), job, form.application_ids.data, template, end_of_day(form.deadline.data)
            )
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("%(count)d invitations were sent.", count=len(sent)), "success")
            return redirect(url_for("interviews.job_invitations", job_id=job_id))
    status = 400 if request.method == "POST" else 200
    return render_template("interviews/bulk_invite.html", job=job, form=form, applications=candidates), status


@bp.get("/jobs/<int:job_id>/invitations")
@editor_required
def job_invitations(job_id: int):
    """The interview invitations of a job, with their state and dates."""
    job = find_job_for_staff(actor(), job_id)
    return render_template(
        "interviews/job_invitations.html",
        job=job,
        invitations=invitations.list_job_invitations(actor(), job),
        deadline_form=DeadlineForm(formdata=None),
        button_form=ButtonForm(),
    )


def _back_to(invitation) -> str:
    """Back to the job's invitations or to the application's, whichever page the form was on."""
    if request.form.get("next") == "job":
        return url_for("interviews.job_invitations", job_id=invitation.application.job_id)
    return url_for("interviews.invite", public_id=invitation.application.public_id)


@bp.post("/invitations/<int:invitation_id>/extend")
@editor_required
def extend(invitation_id: int):
    """Give the candidate more time."""
    form = DeadlineForm()
    if not form.validate_on_submit():
        abort(400, _("Choose a valid date for the new deadline."))
    invitation = invitations.extend_invitation(actor(), invitation_id, end_of_day(form.deadline.data))
    db.session.commit()
    flash(_("The deadline was moved."), "success")
    return redirect(_back_to(invitation))


@bp.post("/invitations/<int:invitation_id>/cancel")
@editor_required
def cancel(invitation_id: int):
    """Cancel an invitation; its link stops working."""
    require_valid(ButtonForm())
    invitation = invitations.cancel_invitation(actor(), invitation_id)
    db.session.commit()
    flash(_("The invitation was cancelled."), "success")
    return redirect(_back_to(invitation))
