# SPDX-License-Identifier: AGPL-3.0-or-later
"""Analytics pages: the live dashboard, its JSON (with ETags), CSV per table, the journey as JSON Lines."""

from __future__ import annotations

from flask import Response, jsonify, redirect, render_template, request, stream_with_context, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from app.analytics import bp
from app.analytics.export import journey_lines
from app.analytics.filters import DashboardFilters, jobs_for_filter, resolve_filters
from app.analytics.forms import FilterForm
from app.analytics.live import live_dashboard
from app.analytics.services import build_table
from app.analytics.tables import table_csv
from app.auth.decorators import actor, roles_required
from app.core.errors import DomainError, error_response
from app.core.forms import attach_error
from app.models import Role

analytics_required = roles_required(Role.ADMIN, Role.RECRUITER)
POLL_SECONDS = 2


def read_filters() -> tuple[FilterForm, DashboardFilters | None]:
    """The filter form from the query string, and the filters it means (None when invalid)."""
    form = FilterForm(formdata=request.args)
    form.job.choices = [
        ("", _("All jobs")),
        *[(str(job_id), title) for job_id, title in jobs_for_filter(actor())],
    ]
    if not form.validate():
        return form, None
    try:
        filters = resolve_filters(
            actor(), first_day=form.start.data, last_day=form.end.data, job_id=form.job_id()
        )
    except DomainError as error:
        attach_error(form, error)
        return form, None
    form.start.data, form.end.data = filters.first_day, filters.last_day
    return form, filters


def first_error(form: FilterForm) -> str:
    """The first problem with the filters, for answers that are not a page."""
    for message in form.form_errors:
        return message
    for field in (form.start, form.end, form.job):
        if field.errors:
            return f"{field.label.text}: {field.errors[0]}"
    return _("The filters are not valid.")


def file_name(filters: DashboardFilters, name: str, extension: str) -> str:
    """A download's name, saying what and which days it holds."""
    job = f"-job{filters.job_id}" if filters.job_id is not None else ""
    return f"openround-{name}{job}-{filters.first_day.isoformat()}-{filters.last_day.isoformat()}.{extension}"


@bp.get("/")
@analytics_required
def index():
    """The dashboard for the chosen days and job; it keeps itself up to date in the browser."""
    form, filters = read_filters()
    if filters is None:
        return render_template("analytics/index.html", form=form, filters=None), 400
    # The same figures the live JSON serves, so the page's first poll is a 304.
    computed = live_dashboard(filters, str(get_locale()))
    return render_template(
        "analytics/index.html",
        form=form,
        filters=filters,
        dashboard=computed.payload,
        etag=computed.etag,
        poll_seconds=POLL_SECONDS,
    )


@bp.get("/jobs/<int:job_id>")
@analytics_required
def job(job_id: int):
    """One job's dashboard."""
    return redirect(url_for("analytics.index", job=job_id))


@bp.get("/data.json")
@analytics_required
def data():
    """The dashboard as JSON; 304 while nothing changed (the ETag comes from a cheap data version)."""
    form, filters = read_filters()
    if filters is None:
        return jsonify(error={"status": 400, "message": first_error(form), "fields": form.errors}), 400
    computed = live_dashboard(filters, str(get_locale()))
    if request.if_none_match.contains(computed.etag):
        response = Response(status=304)
    else:
        response = jsonify(computed.payload)
    response.set_etag(computed.etag)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/export/<key>.csv")
@analytics_required
def export_table(key: str):
    """One dashboard table as CSV, with the same figures as on screen."""
    form, filters = read_filters()
    if filters is None:
        return error_response(400, first_error(form))
    table = build_table(filters, key)
    response = Response(table_csv(table), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{file_name(filters, key, "csv")}"'
    return response


@bp.get("/export/journey.jsonl")
@analytics_required
def export_journey():
    """Every journey event and stage change of the chosen days as JSON Lines, streamed."""
    form, filters = read_filters()
    if filters is None:
        return error_response(400, first_error(form))
    response = Response(stream_with_context(journey_lines(filters)), mimetype="application/x-ndjson")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{file_name(filters, "journey", "jsonl")}"'
    )
    return response
