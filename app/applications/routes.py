# SPDX-License-Identifier: AGPL-3.0-or-later
"""The public apply form and thank-you page, and the recruiters' list and detail of applications."""

from __future__ import annotations

from flask import abort, current_app, g, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required

from app.applications import bp, services
from app.applications.forms import ApplyForm, attribution_from_query
from app.applications.questions import answers_from_form, build_apply_form, error_entries, question_fields
from app.applications.uploads import MAX_CV_BYTES, UnsafeUpload, inspect_cv, read_limited
from app.candidates.timeline import build_timeline
from app.core.errors import RETRY_AFTER_SECONDS, is_outage
from app.core.extensions import csrf, db, limiter
from app.core.storage import get_storage
from app.journey import services as journey
from app.journey.attribution import Attribution
from app.models import Job, Organization, Role
from app.pipeline.stages import stage_names
from app.voice.services import offer_after_applying, offer_from_token, offer_like_new

# Room for the other fields and the multipart framing around a CV of the largest allowed size.
MAX_REQUEST_BYTES = MAX_CV_BYTES + 256 * 1024


@bp.route("/careers/<org_slug>/jobs/<job_slug>/apply", methods=["GET", "POST"])
@csrf.exempt  # checked below, once the upload limit of this page is in place
@limiter.limit(services.APPLY_RATE_LIMIT, methods=["POST"])
def apply(org_slug: str, job_slug: str):
    """The apply form; a valid submission stores the application and mails a confirmation."""
    request.max_content_length = MAX_REQUEST_BYTES
    organization, job = load_open_job(org_slug, job_slug)
    if request.method == "POST":
        csrf.protect()
    form = build_apply_form(services.list_questions(job))(data=attribution_from_query(request.args))
    if request.method == "POST" and form.leave_empty.data:
        return redirect(url_for(".thanks", org_slug=org_slug, job_slug=job_slug))  # a bot: store nothing
    if not form.validate_on_submit():
        return render_apply(organization, job, form, 400 if request.method == "POST" else 200)
    attribution = services.attribution_from_first_touch(form.attribution())
    try:
        application = submit_form(form, organization, job, attribution)
    except services.AlreadyApplied:
        # The same answer as a new application: only the address's owner hears, by e-mail.
        db.session.rollback()
        services.notify_already_applied(job, form.email.data)
        db.session.commit()
        return redirect(url_for(".thanks", org_slug=org_slug, job_slug=job_slug, survey=offer_like_new(job)))
    except UnsafeUpload as error:
        form.cv.errors = [error.message]
        return render_apply(organization, job, form, 400)
    except Exception as error:
        if not is_outage(error):
            raise
        return render_apply_outage(organization, job, form, error)
    services.send_confirmation(application)
    services.record_application_events(organization, application, attribution, visitor_of(organization))
    survey = offer_after_applying(application)
    commit_or_delete_cv(application.cv_key)
    return redirect(url_for(".thanks", org_slug=org_slug, job_slug=job_slug, survey=survey))


def render_apply_outage(organization: Organization, job: Job, form: ApplyForm, error: Exception):
    """Storage or database briefly down: 503, and the form again with everything typed but the file."""
    current_app.logger.warning("Applying failed on an unavailable dependency: %s", error)
    db.session.rollback()
    page, status = render_apply(organization, job, form, 503, outage=True)
    response = make_response(page, status)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@bp.get("/careers/<org_slug>/jobs/<job_slug>/apply/thanks")
def thanks(org_slug: str, job_slug: str):
    """What happens next, after applying."""
    organization, job = services.find_published_job(org_slug, job_slug)
    g.organization = organization
    return render_template(
        "applications/thanks.html",
        job=job,
        career_site_url=career_site_url(organization),
        retention_days=organization.retention_days,
        survey_offer=offer_from_token(request.args.get("survey")),
    )


@bp.get("/app/jobs/<int:job_id>/applications")
@login_required
def job_applications(job_id: int):
    """The applications to one job, for recruiters, admins and the job's hiring manager."""
    job, pagination = services.list_job_applications(
        current_user._get_current_object(), job_id, request.args.get("page", 1, type=int)
    )
    return render_template(
        "applications/job_applications.html",
        job=job,
        pagination=pagination,
        stage_labels=stage_names(current_user.organization_id),
        channel_labels=services.CHANNEL_LABELS,
    )


@bp.get("/app/applications/<public_id>")
@login_required
def detail(public_id: str):
    """One application: contact details, answers, attribution, the CV and everything that happened."""
    application = services.find_application_for_staff(current_user._get_current_object(), public_id)
    return render_template(
        "applications/detail.html",
        application=application,
        candidate=application.candidate,
        answers=[(answer.question_label, services.describe_answer(answer)) for answer in application.answers],
        cv=services.cv_links(application),
        stage_labels=stage_names(current_user.organization_id),
        channel_labels=services.CHANNEL_LABELS,
        timeline=build_timeline(application),
        can_decide=current_user.role in (Role.ADMIN, Role.RECRUITER),
    )


@bp.errorhandler(413)
def upload_too_large(error):
    """A body over the limit: say how large a CV may be, and lead back to the form."""
    return render_template("applications/too_large.html", back_url=apply_url_from_request()), 413


@bp.errorhandler(429)
def too_many_applications(error):
    """Too many submissions from one address: explain, without blaming the candidate."""
    return render_template("applications/rate_limited.html", back_url=apply_url_from_request()), 429


# -- helpers ----------------------------------------------------------------------------------


def load_open_job(org_slug: str, job_slug: str) -> tuple[Organization, Job]:
    """The published job, or a 410 page pointing to the career site once it has closed."""
    organization, job = services.find_published_job(org_slug, job_slug)
    g.organization = organization
    if not services.is_open(job):
        page = render_template(
            "applications/closed.html", job=job, career_site_url=career_site_url(organization)
        )
        abort(make_response(page, 410))
    return organization, job


def submit_form(form: ApplyForm, organization: Organization, job: Job, attribution: Attribution):
    """Check the CV and hand the validated input to the service."""
    upload = form.cv.data
    document = inspect_cv(upload.filename or "", read_limited(upload.stream))
    return services.submit_application(
        organization,
        job,
        services.ApplicantDetails(
            name=form.name.data,
            email=form.email.data,
            phone=form.phone.data or "",
            location=form.location.data or "",
            linkedin_url=form.linkedin_url.data or None,
            portfolio_url=form.portfolio_url.data or None,
            cover_note=form.cover_note.data or "",
            talent_pool_consent=bool(form.talent_pool.data),
            language=str(get_locale() or "") or None,
        ),
        questions=form.questions,
        answers=answers_from_form(form),
        document=document,
        attribution=attribution,
    )


def commit_or_delete_cv(cv_key: str | None) -> None:
    """Commit; if the database refuses, the stored CV must not outlive the missing row."""
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        if cv_key:
            get_storage().delete(cv_key)
        raise


def render_apply(organization: Organization, job: Job, form: ApplyForm, status: int, outage: bool = False):
    """The apply form, with errors when it was sent back (and a notice when we could not save it)."""
    return render_template(
        "applications/apply.html",
        outage=outage,
        organization=organization,
        job=job,
        form=form,
        questions=question_fields(form),
        errors=error_entries(form),
        submitted=request.method == "POST",
        job_url=url_for("careers.job", org_slug=organization.slug, job_slug=job.slug),
        retention_days=organization.retention_days,
        max_cv_bytes=MAX_CV_BYTES,
    ), status


def career_site_url(organization: Organization) -> str:
    """The organization's career site."""
    return url_for("careers.site", org_slug=organization.slug)


def visitor_of(organization: Organization) -> str:
    """Today's anonymous visitor hash of this browser, as the journey counts visitors."""
    return journey.visitor_hash(
        request.remote_addr, request.user_agent.string, organization.id, journey.today_utc()
    )


def apply_url_from_request() -> str | None:
    """The apply form's address, for error pages raised while it was being sent."""
    if request.endpoint == "applications.apply" and request.view_args:
        return url_for("applications.apply", **request.view_args)
    return None
