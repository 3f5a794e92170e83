# SPDX-License-Identifier: AGPL-3.0-or-later
"""Routes of the pipeline area: a job's board and list, moves, bulk actions and stage settings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from wtforms import SelectChoice

from app.applications.services import CHANNEL_LABELS
from app.auth.decorators import actor, admin_required, roles_required
from app.core.errors import DomainError, Invalid, wants_json
from app.core.extensions import db
from app.core.forms import attach_error, require_valid
from app.models import Application, Job
from app.pipeline import bp, queries, services, settings, tags
from app.pipeline.forms import BulkForm, ButtonForm, ListFilterForm, MoveForm, StageMoveForm, StageNameForm
from app.pipeline.stages import Stage, stage_label, stages_for

pipeline_required = roles_required(*services.PIPELINE_ROLES)
MAX_EXPANDED = 20
FEEDBACK_ENDPOINT = "feedback.compose"
DEFAULT_DEADLINE_DAYS = 7


def days_label(days: int) -> str:
    """A number of days in the page's language, e.g. "3 days"."""
    return ngettext("%(num)d day", "%(num)d days", days)


@bp.app_template_global("pipeline_days")
def pipeline_days(days: int) -> str:
    """Days in a stage, for the cards and rows."""
    return days_label(days)


# --- the board -----------------------------------------------------------------------------------


@bp.get("/jobs/<int:job_id>")
@pipeline_required
def board(job_id: int):
    """A job's applications in columns per stage."""
    return render_board(services.find_pipeline_job(actor(), job_id, for_page=True))


def render_board(job: Job, status: int = 200, error: str | None = None):
    """The board, with a message when a move was refused."""
    expanded = [key for key in request.args.getlist("expand") if key][:MAX_EXPANDED]
    return (
        render_template(
            "pipeline/board.html",
            job=job,
            board=queries.build_board(job, expanded),
            expanded=expanded,
            error=error,
            channel_labels=CHANNEL_LABELS,
        ),
        status,
    )


@bp.post("/applications/<public_id>/move")
@pipeline_required
def move(public_id: str):
    """Move one application to another stage: from the card's form or by drag and drop (JSON)."""
    application = services.find_pipeline_application(actor(), public_id)
    form = MoveForm()
    try:
        if not form.validate_on_submit():
            raise Invalid(_("Choose the stage to move this application to."), field="stage")
        services.move_to_stage(actor(), application, form.stage.data)
    except DomainError as error:
        db.session.rollback()
        if wants_json():
            raise
        return render_board(load_job(public_id), error.status_code, error.message)
    db.session.commit()
    stage_name = stage_label(application.organization_id, application.stage)
    message = _("%(name)s moved to %(stage)s.", name=application.candidate.name, stage=stage_name)
    if wants_json():
        return jsonify(
            stage=application.stage, stage_name=stage_name, message=message, days_label=days_label(0)
        )
    flash(message, "success")
    return redirect(url_for(".board", job_id=application.job_id, _anchor=f"card-{public_id}"))


def load_job(public_id: str) -> Job:
    """The job of an application, read again after a rollback."""
    return services.find_pipeline_application(actor(), public_id).job


# --- the list ------------------------------------------------------------------------------------


@bp.route("/jobs/<int:job_id>/list", methods=["GET", "POST"])
@pipeline_required
def job_list(job_id: int):
    """A job's applications as a filtered, sorted, searchable list with bulk actions on checked rows."""
    # Only a GET is a page and nothing more; a bulk action hands the job to services that may load more.
    job = services.find_pipeline_job(actor(), job_id, for_page=request.method == "GET")
    bulk = BulkForm()
    if request.method == "GET":
        return render_list(job, bulk)
    status = 400
    if bulk.validate_on_submit():
        try:
            return run_bulk_action(job, bulk)
        except DomainError as error:
            db.session.rollback()
            attach_error(bulk, error)
            status = error.status_code
    return render_list(job, bulk, status)


def run_bulk_action(job: Job, form: BulkForm):
    """Apply the pressed button's action to the checked applications, then show the same list again."""
    applications = services.find_job_applications(actor(), job, form.application.data or [])
    action = form.action.data
    if action == "reject":
        return redirect(rejection_url(applications))
    if action == "move":
        outcome = services.move_applications(actor(), applications, form.stage.data or "")
        message = ngettext(
            "%(num)d application was moved.", "%(num)d applications were moved.", outcome.changed
        )
    elif action == "invite":
        deadline = end_of_day(form.deadline.data) if form.deadline.data else None
        sent = services.invite_to_interview(actor(), job, applications, form.template_id.data, deadline)
        message = ngettext("%(num)d invitation was sent.", "%(num)d invitations were sent.", len(sent))
    elif action == "tag":
        tag, count = tags.tag_applications(actor(), applications, form.tag.data or "")
        message = ngettext(
            "Tag “%(tag)s” added to %(num)d application.",
            "Tag “%(tag)s” added to %(num)d applications.",
            count,
            tag=tag.name,
        )
    else:
        tag, count = tags.untag_applications(actor(), applications, form.tag.data or "")
        message = ngettext(
            "Tag “%(tag)s” removed from %(num)d application.",
            "Tag “%(tag)s” removed from %(num)d applications.",
            count,
            tag=tag.name,
        )
    db.session.commit()
    flash(message, "success")
    return redirect(request.full_path)


def rejection_url(applications: list[Application]) -> str:
    """The feedback page that writes to the chosen candidates and rejects them."""
    if FEEDBACK_ENDPOINT not in current_app.view_functions:
        raise Invalid(_("Writing rejection feedback is not available yet."), field="action")
    return url_for(FEEDBACK_ENDPOINT, application=[a.public_id for a in applications], stage="rejected")


def end_of_day(day: date) -> datetime:
    """The last second of a day, in UTC: a deadline chosen as a date."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


def filter_form_for(job: Job, stages: list[Stage]) -> ListFilterForm:
    """The filter form read from the query string, with the organization's choices."""
    form = ListFilterForm(formdata=request.args)
    form.stage.choices = [SelectChoice("", _("Any stage")), *[SelectChoice(s.key, s.name) for s in stages]]
    form.channel.choices = [
        SelectChoice("", _("Anywhere")),
        *[SelectChoice(key.value, str(label)) for key, label in CHANNEL_LABELS.items()],
    ]
    form.tag.choices = [
        SelectChoice("", _("Any tag")),
        *[SelectChoice(tag.name, tag.name) for tag in tags.list_tags(job.organization_id)],
    ]
    form.validate()
    return form


def filters_from(form: ListFilterForm) -> queries.ListFilters:
    """The filters of the fields that hold valid input (others are shown with their error)."""

    def valid(field) -> Any:
        return None if field.errors else field.data

    rating = valid(form.min_rating)
    return queries.ListFilters(
        stages=(form.stage.data,) if valid(form.stage) else (),
        min_rating=float(rating) if rating else None,
        channels=(form.channel.data,) if valid(form.channel) else (),
        source=(valid(form.source) or "").strip(),
        applied_from=valid(form.applied_from),
        applied_to=valid(form.applied_to),
        tags=(form.tag.data,) if valid(form.tag) else (),
        search=(valid(form.q) or "").strip(),
        sort=form.sort.data if valid(form.sort) in queries.SORTS else "applied",
        descending=form.order.data != "asc",
    )


def list_url(job: Job, **changes: object) -> str:
    """The list's address with the current filters, some of them changed."""
    args: dict[str, Any] = request.args.to_dict(flat=False)
    args.update({key: [str(value)] for key, value in changes.items()})
    return url_for(".job_list", job_id=job.id, **args)


def render_list(job: Job, bulk: BulkForm, status: int = 200):
    """The list page; a bulk form that failed keeps its checked rows and input."""
    stages = stages_for(job.organization_id, include_archived=True)
    form = filter_form_for(job, stages)
    page = queries.list_page(job, filters_from(form), request.args.get("page", 1, type=int), stages=stages)
    targets = [stage for stage in stages if not stage.archived]
    bulk.stage.choices = [
        SelectChoice("", _("Choose a stage")),
        *[SelectChoice(stage.key, stage.name) for stage in targets],
    ]
    bulk.template_id.choices = [SelectChoice(t.id, t.name) for t in services.invite_templates(actor())]
    if bulk.deadline.data is None and request.method == "GET":
        bulk.deadline.data = date.today() + timedelta(days=DEFAULT_DEADLINE_DAYS)
    return (
        render_template(
            "pipeline/list.html",
            job=job,
            form=form,
            bulk=bulk,
            page=page,
            stage_names={stage.key: stage.name for stage in stages},
            channel_labels=CHANNEL_LABELS,
            selected=set(bulk.application.data or []),
            prev_url=list_url(job, page=page.page - 1) if page.has_prev else None,
            next_url=list_url(job, page=page.page + 1) if page.has_next else None,
            action_url=request.full_path,
            feedback_available=FEEDBACK_ENDPOINT in current_app.view_functions,
            tag_names=[choice.value for choice in form.tag.choices[1:]],
        ),
        400 if form.errors and status == 200 else status,
    )


# --- stage settings ------------------------------------------------------------------------------


@bp.get("/stages")
@admin_required
def stages():
    """The organization's stages: names, order, archived stages."""
    return render_stages()


def render_stages(
    status: int = 200, errors: dict[str, str] | None = None, values: dict[str, str] | None = None
):
    """The settings page, with a refusal next to the stage it concerns and the typed names kept."""
    return (
        render_template(
            "pipeline/stages.html",
            stages=settings.list_stage_settings(actor()),
            errors=errors or {},
            values=values or {},
        ),
        status,
    )


def settle(key: str, action: Callable[[], object], success: str, typed: str | None = None):
    """Run a settings change, commit and go back; a refusal is shown next to the stage."""
    try:
        action()
    except DomainError as error:
        db.session.rollback()
        return render_stages(
            error.status_code, {key: error.message}, {key: typed} if typed is not None else {}
        )
    db.session.commit()
    flash(success, "success")
    return redirect(url_for(".stages", _anchor=f"stage-{key}"))


def form_refusal(key: str, form, typed: str | None = None):
    """The settings page with the first error of a form that did not validate."""
    messages = [error for errors in form.errors.values() for error in errors]
    message = (
        messages[0]
        if messages
        else _("The form was incomplete or has expired. Reload the page and try again.")
    )
    return render_stages(400, {key: str(message)}, {key: typed} if typed is not None else {})


@bp.post("/stages")
@admin_required
def add_stage():
    """Add an open stage before the end stages."""
    form = StageNameForm()
    if not form.validate_on_submit():
        return form_refusal("new", form, form.name.data or "")
    name = form.name.data
    return settle(
        "new",
        lambda: settings.add_stage(actor(), name),
        _("Stage “%(name)s” added.", name=name.strip()),
        name,
    )


@bp.post("/stages/<key>/rename")
@admin_required
def rename_stage(key: str):
    """Rename a stage."""
    form = StageNameForm()
    if not form.validate_on_submit():
        return form_refusal(key, form, form.name.data or "")
    name = form.name.data
    return settle(key, lambda: settings.rename_stage(actor(), key, name), _("Stage renamed."), name)


@bp.post("/stages/<key>/move")
@admin_required
def move_stage(key: str):
    """Move a stage one place earlier or later."""
    form = StageMoveForm()
    if not form.validate_on_submit():
        return form_refusal(key, form)
    offset = form.offset.data
    return settle(key, lambda: settings.move_stage(actor(), key, offset), _("Stage order saved."))


@bp.post("/stages/<key>/archive")
@admin_required
def archive_stage(key: str):
    """Archive a stage: it keeps its applications and takes no new ones."""
    require_valid(ButtonForm())
    return settle(key, lambda: settings.archive_stage(actor(), key), _("Stage archived."))


@bp.post("/stages/<key>/restore")
@admin_required
def restore_stage(key: str):
    """Let an archived stage take applications again."""
    require_valid(ButtonForm())
    return settle(key, lambda: settings.restore_stage(actor(), key), _("Stage restored."))


@bp.post("/stages/<key>/delete")
@admin_required
def delete_stage(key: str):
    """Delete a custom stage that never held an application."""
    require_valid(ButtonForm())
    return settle(key, lambda: settings.delete_stage(actor(), key), _("Stage deleted."))
