# SPDX-License-Identifier: AGPL-3.0-or-later
"""Staff pages for jobs: list, write, publish, close, media and testimonials."""

from __future__ import annotations

from decimal import Decimal

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import login_required
from wtforms import SelectChoice

from app.auth.decorators import actor, roles_required
from app.core.errors import DomainError
from app.core.extensions import db
from app.core.forms import attach_error, require_valid
from app.core.markdown import render_markdown
from app.core.storage import file_url
from app.core.storage.stored_files import delete_files_after_commit
from app.media.recordings import confirmed_upload_key, requested_content_type, ticket_response
from app.models import Job, JobStatus, Role
from app.postings import bp, media, services
from app.postings import testimonials as testimonial_rules
from app.postings.forms import (
    ButtonForm,
    JobForm,
    MovePhotoForm,
    PhotoForm,
    TestimonialForm,
    VideoForm,
)
from app.postings.labels import EMPLOYMENT_TYPE_LABELS, SALARY_PERIOD_LABELS, STATUS_LABELS, WORK_MODEL_LABELS

manage_required = roles_required(Role.ADMIN, Role.RECRUITER)
staff_required = roles_required(Role.ADMIN, Role.RECRUITER, Role.MANAGER)
# Room for multipart boundaries around a 200 MB video and its captions.
VIDEO_REQUEST_LIMIT = media.VIDEO_MAX_BYTES + media.CAPTIONS_MAX_BYTES + 64 * 1024
MARKDOWN_FIELDS = ("description_md", "responsibilities_md", "requirements_md", "perks_md")


def job_preview_url(job: Job) -> str:
    """The career site's staff preview of a job."""
    return url_for("careers.preview", org_slug=job.organization.slug, job_slug=job.slug)


@bp.context_processor
def postings_context() -> dict[str, object]:
    """Labels and links the postings templates present."""
    return {
        "status_labels": STATUS_LABELS,
        "employment_labels": EMPLOYMENT_TYPE_LABELS,
        "work_model_labels": WORK_MODEL_LABELS,
        "salary_period_labels": SALARY_PERIOD_LABELS,
        "job_preview_url": job_preview_url,
        "format_day": lambda value: format_date(value, "medium") if value else "",
    }


# --- the job form -------------------------------------------------------------------------------


def prepare_job_form(form: JobForm, organization_id: int) -> JobForm:
    """Fill the choices that depend on the organization and the language."""
    form.add_blank_rows()
    countries = [SelectChoice("", _("Choose a country"))] + [
        SelectChoice(code, name) for code, name in services.country_choices(str(get_locale() or "en"))
    ]
    for entry in form.locations:
        entry.form.country.choices = countries
    form.hiring_manager_id.choices = [SelectChoice("", _("No hiring manager"))] + [
        SelectChoice(str(user.id), user.name) for user in services.hiring_manager_candidates(organization_id)
    ]
    return form


def form_from_job(job: Job) -> JobForm:
    """The job form filled with what the job holds."""
    form = JobForm(formdata=None, obj=job)
    form.employment_type.data = job.employment_type.value
    form.work_model.data = job.work_model.value
    form.remote_countries.data = ", ".join(job.remote_countries)
    form.remote_time_zones.data = ", ".join(job.remote_time_zones)
    form.salary_period.data = job.salary_period.value if job.salary_period else ""
    form.salary_currency.data = job.salary_currency or ""
    form.hiring_manager_id.data = str(job.hiring_manager_id) if job.hiring_manager_id else ""
    form.valid_through.data = job.valid_through.date() if job.valid_through else None
    return form


def _filled(rows) -> list:
    return [entry for entry in rows if not entry.form.is_blank()]


def _optional_id(value: str | None) -> int | None:
    if not value:
        return None
    return int(value) if value.isdigit() else -1


def _amount(value: Decimal | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


def job_data_from(form: JobForm) -> services.JobData:
    """Plain data for the services; empty location and FAQ rows are left out."""
    return services.JobData(
        title=form.title.data or "",
        team=form.team.data or "",
        employment_type=form.employment_type.data or "",
        work_model=form.work_model.data or "",
        locations=[services.LocationData(**entry.form.data) for entry in _filled(form.locations)],
        remote_countries=services.parse_code_list(form.remote_countries.data or ""),
        remote_time_zones=services.parse_code_list(form.remote_time_zones.data or ""),
        salary_min=_amount(form.salary_min.data),
        salary_max=_amount(form.salary_max.data),
        salary_currency=form.salary_currency.data or "",
        salary_period=form.salary_period.data or "",
        **{name: getattr(form, name).data or "" for name in MARKDOWN_FIELDS},
        language=form.language.data or "en",
        hiring_manager_id=_optional_id(form.hiring_manager_id.data),
        valid_through=form.valid_through.data,
        faqs=[services.FaqData(**entry.form.data) for entry in _filled(form.faqs)],
    )


def attach_job_errors(form: JobForm, error: DomainError) -> None:
    """Put each refusal next to its field, including fields inside location and FAQ rows."""
    errors = error.errors if isinstance(error, services.JobRefused) else [(error.field or "", error.message)]
    for path, message in errors:
        name, _sep, rest = path.partition(".")
        if name in ("locations", "faqs") and rest:
            index, _sep, subfield = rest.partition(".")
            entry = _filled(getattr(form, name))[int(index)]
            target = getattr(entry.form, subfield)
            target.errors = [*target.errors, message]
        elif name in ("locations", "faqs"):
            form.group_errors.setdefault(name, []).append(message)
        else:
            attach_error(form, DomainError(message, name or None))


def render_job_form(form: JobForm, job: Job | None = None, status: int = 200, preview: bool = False):
    """The create/edit page, with the Markdown rendered when a preview was asked for."""
    if not hasattr(form, "group_errors"):
        form.group_errors = {}
    rendered = (
        {name: render_markdown(getattr(form, name).data) for name in MARKDOWN_FIELDS} if preview else {}
    )
    prepare_job_form(form, actor().organization_id)
    return render_template("postings/form.html", form=form, job=job, rendered=rendered), status


def save_job_form(form: JobForm, job: Job | None):
    """Validate, call the service, commit; on refusal show the errors beside the fields."""
    form.group_errors = {}
    if form.preview.data:
        return render_job_form(form, job, preview=True)
    if not form.validate_on_submit():
        return render_job_form(form, job, 400)
    try:
        data = job_data_from(form)
        saved = services.update_job(actor(), job.id, data) if job else services.create_job(actor(), data)
    except DomainError as error:
        db.session.rollback()
        attach_job_errors(form, error)
        return render_job_form(form, job, error.status_code)
    db.session.commit()
    flash(_("“%(title)s” was saved.", title=saved.title), "success")
    return redirect(url_for("postings.show", job_id=saved.id))


# --- list, create, edit, state changes ----------------------------------------------------------


@bp.get("")
@staff_required
def index():
    """The organization's jobs (a hiring manager's own), filtered by status."""
    status = request.args.get("status", "")
    selected = JobStatus(status) if status in {member.value for member in JobStatus} else None
    return render_template(
        "postings/index.html",
        jobs=services.list_jobs(actor(), selected),
        counts=services.count_jobs(actor()),
        selected=selected,
        can_manage=actor().role in services.MANAGING_ROLES,
    )


@bp.route("/new", methods=["GET", "POST"])
@manage_required
def new():
    """Write a new job, saved as a draft."""
    form = JobForm()
    if request.method == "GET":
        form.language.data = actor().organization.default_language
        return render_job_form(form)
    return save_job_form(form, None)


@bp.route("/<int:job_id>/edit", methods=["GET", "POST"])
@manage_required
def edit(job_id: int):
    """Change a job's fields."""
    job = services.get_managed_job(actor(), job_id)
    if request.method == "GET":
        return render_job_form(form_from_job(job), job)
    return save_job_form(JobForm(), job)


def render_show(job: Job, photo_form=None, video_form=None, status: int = 200):
    """A job's page: its details, actions, photos and pitch video."""
    return render_template(
        "postings/show.html",
        job=job,
        can_manage=actor().role in services.MANAGING_ROLES,
        photo_form=photo_form or PhotoForm(formdata=None),
        video_form=video_form or VideoForm(formdata=None),
        move_form=MovePhotoForm(formdata=None),
        rendered={name: render_markdown(getattr(job, name)) for name in MARKDOWN_FIELDS},
        record_seconds=120,
    ), status


@bp.get("/<int:job_id>")
@staff_required
def show(job_id: int):
    """A job's details, actions and media."""
    return render_show(services.get_job(actor(), job_id))


@bp.post("/<int:job_id>/publish")
@manage_required
def publish(job_id: int):
    """Make a draft public; what is missing is shown next to the fields."""
    require_valid(ButtonForm())
    try:
        job = services.publish_job(actor(), job_id)
    except services.JobRefused as error:
        db.session.rollback()
        job = services.get_managed_job(actor(), job_id)
        form = form_from_job(job)
        form.group_errors = {}
        form.form_errors.append(_("This job cannot be published yet. Fix what is marked below."))
        attach_job_errors(form, error)
        return render_job_form(form, job, 400)
    db.session.commit()
    flash(_("“%(title)s” is published.", title=job.title), "success")
    return redirect(url_for("postings.show", job_id=job.id))


@bp.post("/<int:job_id>/close")
@manage_required
def close(job_id: int):
    """Stop a published job from taking applications."""
    require_valid(ButtonForm())
    job = services.close_job(actor(), job_id)
    db.session.commit()
    flash(_("“%(title)s” is closed.", title=job.title), "success")
    return redirect(url_for("postings.show", job_id=job.id))


@bp.post("/<int:job_id>/duplicate")
@manage_required
def duplicate(job_id: int):
    """Copy a job into a new draft and open it for editing."""
    require_valid(ButtonForm())
    job = services.duplicate_job(actor(), job_id)
    db.session.commit()
    flash(_("A copy was saved as a draft."), "success")
    return redirect(url_for("postings.edit", job_id=job.id))


# --- photos -------------------------------------------------------------------------------------


@bp.post("/<int:job_id>/photos")
@manage_required
def add_photo(job_id: int):
    """Add a team photo with its description."""
    job = services.get_managed_job(actor(), job_id)
    form = PhotoForm()
    if not form.validate_on_submit():
        return render_show(job, photo_form=form, status=400)
    try:
        media.add_job_photo(actor(), job.id, form.photo.data.stream, form.alt_text.data)
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return render_show(services.get_job(actor(), job_id), photo_form=form, status=error.status_code)
    db.session.commit()
    flash(_("The photo was added."), "success")
    return redirect(url_for("postings.show", job_id=job_id, _anchor="photos"))


@bp.get("/<int:job_id>/photos/<int:photo_id>")
@staff_required
def photo_file(job_id: int, photo_id: int):
    """A short-lived link to a job photo."""
    photo = media.get_job_photo(actor(), job_id, photo_id)
    return redirect(file_url(photo.key, filename="photo", content_type=photo.content_type, inline=True))


@bp.post("/<int:job_id>/photos/<int:photo_id>/delete")
@manage_required
def delete_photo(job_id: int, photo_id: int):
    """Remove a photo (its file goes once the change is saved)."""
    require_valid(ButtonForm())
    delete_files_after_commit([media.delete_job_photo(actor(), job_id, photo_id)])
    db.session.commit()
    flash(_("The photo was removed."), "success")
    return redirect(url_for("postings.show", job_id=job_id, _anchor="photos"))


@bp.post("/<int:job_id>/photos/<int:photo_id>/move")
@manage_required
def move_photo(job_id: int, photo_id: int):
    """Move a photo earlier or later."""
    form = require_valid(MovePhotoForm())
    media.move_job_photo(actor(), job_id, photo_id, form.offset.data)
    db.session.commit()
    return redirect(url_for("postings.show", job_id=job_id, _anchor="photos"))


# --- pitch video --------------------------------------------------------------------------------


@bp.post("/<int:job_id>/video")
@staff_required
def upload_video(job_id: int):
    """Upload a pitch video file and/or its captions."""
    request.max_content_length = VIDEO_REQUEST_LIMIT
    job = services.get_job(actor(), job_id)
    form = VideoForm()
    if not form.validate_on_submit() or not (form.video.data or form.captions.data):
        if not form.errors:
            form.form_errors.append(_("Choose a video or a captions file."))
        return render_show(job, video_form=form, status=400)
    try:
        old_keys = _store_video_form(job.id, form)
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return render_show(services.get_job(actor(), job_id), video_form=form, status=error.status_code)
    delete_files_after_commit(old_keys)
    db.session.commit()
    flash(_("The pitch video was updated."), "success")
    return redirect(url_for("postings.show", job_id=job_id, _anchor="video"))


def _store_video_form(job_id: int, form: VideoForm) -> list[str]:
    old_keys: list[str] = []
    if form.video.data:
        old_keys += media.replace_pitch_video(actor(), job_id, form.video.data.stream)
    if form.captions.data:
        old_keys += media.replace_pitch_captions(actor(), job_id, form.captions.data.stream)
    return old_keys


@bp.post("/<int:job_id>/video/ticket")
@staff_required
def video_ticket(job_id: int):
    """Where the browser uploads a recording (JSON, for recorder.js)."""
    ticket = media.pitch_video_ticket(actor(), job_id, requested_content_type())
    db.session.commit()  # the ticket's record is what a confirm will accept
    return ticket_response(ticket)


@bp.post("/<int:job_id>/video/confirm")
@staff_required
def confirm_video(job_id: int):
    """Adopt a finished browser upload as the pitch video (JSON, for recorder.js)."""
    old_keys = media.confirm_pitch_video(actor(), job_id, confirmed_upload_key())
    delete_files_after_commit(old_keys)
    db.session.commit()
    return jsonify(
        ok=True,
        message=_("The pitch video was saved."),
        video_url=url_for("postings.video_file", job_id=job_id),
    )


@bp.post("/<int:job_id>/video/delete")
@staff_required
def delete_video(job_id: int):
    """Remove the pitch video and its captions."""
    require_valid(ButtonForm())
    old_keys = media.remove_pitch_video(actor(), job_id)
    delete_files_after_commit(old_keys)
    db.session.commit()
    flash(_("The pitch video was removed."), "success")
    return redirect(url_for("postings.show", job_id=job_id, _anchor="video"))


@bp.get("/<int:job_id>/video")
@staff_required
def video_file(job_id: int):
    """A short-lived link to the pitch video."""
    job = services.get_job(actor(), job_id)
    if not job.pitch_video_key:
        return redirect(url_for("postings.show", job_id=job_id))
    content_type = job.pitch_video_content_type or "video/webm"
    return redirect(file_url(job.pitch_video_key, filename="pitch", content_type=content_type, inline=True))


@bp.get("/<int:job_id>/captions")
@staff_required
def captions_file(job_id: int):
    """A short-lived link to the pitch video's captions."""
    job = services.get_job(actor(), job_id)
    if not job.pitch_captions_key:
        return redirect(url_for("postings.show", job_id=job_id))
    return redirect(file_url(job.pitch_captions_key, filename="captions.vtt", content_type="text/vtt"))


# --- testimonials -------------------------------------------------------------------------------


def render_testimonials(form: TestimonialForm | None = None, status: int = 200):
    """Staff's testimonial page, with the form to add one."""
    form = form or TestimonialForm(formdata=None)
    authors = testimonial_rules.testimonial_authors(actor().organization_id)
    form.employee_id.choices = [SelectChoice("", _("Choose a colleague"))] + [
        SelectChoice(str(user.id), user.name) for user in authors
    ]
    form.job_id.choices = [SelectChoice("", _("Every job (organization-wide)"))] + [
        SelectChoice(str(job.id), job.title) for job in services.list_jobs(actor())
    ]
    return render_template(
        "postings/testimonials.html",
        form=form,
        testimonials=testimonial_rules.list_testimonials(actor()),
        authors=authors,
    ), status


@bp.route("/testimonials", methods=["GET", "POST"])
@manage_required
def testimonials():
    """Colleagues' words for job cards: list and add."""
    form = TestimonialForm()
    if request.method == "GET":
        return render_testimonials()
    if not form.validate_on_submit():
        return render_testimonials(form, 400)
    try:
        testimonial_rules.create_testimonial(
            actor(),
            employee_id=_optional_id(form.employee_id.data) or -1,
            job_id=_optional_id(form.job_id.data),
            quote=form.quote.data,
            author_name=form.author_name.data or "",
            author_role=form.author_role.data or "",
            photo=form.photo.data.stream if form.photo.data else None,
            video=form.video.data.stream if form.video.data else None,
        )
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return render_testimonials(form, error.status_code)
    db.session.commit()
    flash(_("The testimonial was added. It is shown once your colleague approves it."), "success")
    return redirect(url_for("postings.testimonials"))


@bp.post("/testimonials/<int:testimonial_id>/delete")
@manage_required
def delete_testimonial(testimonial_id: int):
    """Remove a testimonial and its photo."""
    require_valid(ButtonForm())
    keys = testimonial_rules.delete_testimonial(actor(), testimonial_id)
    delete_files_after_commit(keys)
    db.session.commit()
    flash(_("The testimonial was deleted."), "success")
    return redirect(url_for("postings.testimonials"))


@bp.get("/testimonials/mine")
@login_required
def my_testimonials():
    """What colleagues wrote down from you, to approve or withdraw."""
    return render_template(
        "postings/my_testimonials.html", testimonials=testimonial_rules.my_testimonials(actor())
    )


@bp.post("/testimonials/<int:testimonial_id>/approve")
@login_required
def approve_testimonial(testimonial_id: int):
    """Agree to be quoted on job cards."""
    require_valid(ButtonForm())
    testimonial_rules.approve_testimonial(actor(), testimonial_id)
    db.session.commit()
    flash(_("Thank you! Your testimonial can now be shown."), "success")
    return redirect(url_for("postings.my_testimonials"))


@bp.post("/testimonials/<int:testimonial_id>/withdraw")
@login_required
def withdraw_testimonial(testimonial_id: int):
    """Withdraw consent: the testimonial is hidden at once."""
    require_valid(ButtonForm())
    testimonial_rules.withdraw_testimonial(actor(), testimonial_id)
    db.session.commit()
    flash(_("Your testimonial is no longer shown."), "success")
    return redirect(url_for("postings.my_testimonials"))


@bp.get("/testimonials/<int:testimonial_id>/photo")
@login_required
def testimonial_photo(testimonial_id: int):
    """A short-lived link to a testimonial's photo (staff of the same organization)."""
    testimonial = testimonial_rules.get_testimonial_photo(actor(), testimonial_id)
    key, content_type = testimonial.photo_key, testimonial.photo_content_type
    if not key or not content_type:  # get_testimonial_photo refuses testimonials without a photo
        abort(404)
    return redirect(file_url(key, filename="photo", content_type=content_type, inline=True))
