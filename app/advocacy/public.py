# SPDX-License-Identifier: AGPL-3.0-or-later
"""Public pages of advocacy: the short share links and the referred person's confirm or decline page."""

from __future__ import annotations

from typing import Any

from flask import Response, g, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_login import current_user

from app.advocacy import public_bp, referrals, services
from app.advocacy.forms import DeclineForm, ReferralConfirmForm
from app.applications.routes import MAX_REQUEST_BYTES, commit_or_delete_cv
from app.applications.services import AlreadyApplied, ApplicantDetails, is_open, notify_already_applied
from app.applications.uploads import UnsafeUpload, inspect_cv, read_limited
from app.core.extensions import csrf, db, limiter
from app.core.forms import require_valid
from app.journey import services as journey
from app.models import Job, Organization, Referral
from config import SUPPORTED_LANGUAGES

FOLLOW_RATE_LIMIT = "120 per minute"
CONFIRM_RATE_LIMIT = "20 per hour"


@public_bp.get("/r/<code>")
@limiter.limit(FOLLOW_RATE_LIMIT)
def follow(code: str):
    """Count the click (no personal data: the journey's daily visitor hash) and open the job card."""
    link = services.find_share_link(code)
    job, is_open_job = services.landing_job(link)
    organization = job.organization
    if is_open_job:
        visitor = journey.visitor_hash(
            request.remote_addr, request.user_agent.string, organization.id, journey.today_utc()
        )
        viewer = current_user._get_current_object() if current_user.is_authenticated else None
        services.record_click(link, visitor_hash=visitor, user_agent=request.user_agent.string, viewer=viewer)
        db.session.commit()
    query: dict[str, Any] = services.landing_query(link, link.ambassador.code)
    response = redirect(url_for("careers.job", org_slug=organization.slug, job_slug=job.slug, **query), 302)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def page_language(referral: Referral, organization: Organization) -> str:
    """The referral's language (the e-mail's), else the organization's."""
    if referral.language in SUPPORTED_LANGUAGES:
        return referral.language
    return organization.default_language if organization.default_language in SUPPORTED_LANGUAGES else "en"


@public_bp.route("/referrals/<token>", methods=["GET", "POST"])
@csrf.exempt  # checked below, once the upload limit of this page is in place
@limiter.limit(CONFIRM_RATE_LIMIT, methods=["POST"])
def referral(token: str):
    """What we hold and why; confirming makes the person a candidate, declining erases it."""
    request.max_content_length = MAX_REQUEST_BYTES
    item = referrals.find_pending_referral(token)
    job = item.job
    organization = job.organization
    g.organization = organization
    if request.method == "POST":
        csrf.protect()
    with force_locale(page_language(item, organization)):
        if not is_open(job):
            return render_referral("advocacy/referral_closed.html", item, token, None, 410)
        form = ReferralConfirmForm(data={"name": item.name, "email": item.email})
        if not form.validate_on_submit():
            return render_referral(
                "advocacy/referral.html", item, token, form, 400 if request.method == "POST" else 200
            )
        try:
            application = referrals.confirm_referral(item, applicant_details(form, item), checked_cv(form))
        except UnsafeUpload as error:
            form.cv.errors = [error.message]
            return render_referral("advocacy/referral.html", item, token, form, 400)
        except AlreadyApplied:
            # The referral is dropped and the page is the same as for a new application:
            # only the address's owner hears, by e-mail, that they had applied already.
            db.session.rollback()
            referrals.decline_referral(db.session.get_one(Referral, item.id))
            notify_already_applied(db.session.get_one(Job, job.id), form.email.data)
            db.session.commit()
            return redirect(url_for("applications.thanks", org_slug=organization.slug, job_slug=job.slug))
        commit_or_delete_cv(application.cv_key)
    return redirect(url_for("applications.thanks", org_slug=organization.slug, job_slug=job.slug))


@public_bp.post("/referrals/<token>/decline")
def decline(token: str):
    """The person says no: everything the referral held about them is erased now."""
    require_valid(DeclineForm())
    item = referrals.find_pending_referral(token)
    slug = item.job.organization.slug
    referrals.decline_referral(item)
    db.session.commit()
    return redirect(url_for(".declined", org=slug))


@public_bp.get("/referrals/declined")
def declined():
    """Confirmation that nothing is kept."""
    slug = request.args.get("org", "")
    organization = db.session.scalar(db.select(Organization).where(Organization.slug == slug[:63]))
    if organization is not None:
        g.organization = organization
    return render_template("advocacy/referral_declined.html", organization=organization)


@public_bp.after_request
def keep_private(response: Response) -> Response:
    """Pages behind a personal link are never cached nor indexed (their templates also ask for no referrer)."""
    if request.endpoint in {"advocacy_public.referral", "advocacy_public.decline"}:
        response.headers["Cache-Control"] = "private, no-store"
        response.headers["X-Robots-Tag"] = "noindex"
    return response


# -- helpers ----------------------------------------------------------------------------------


def applicant_details(form: ReferralConfirmForm, item: Referral) -> ApplicantDetails:
    """What the person told us, in the apply service's shape."""
    return ApplicantDetails(
        name=form.name.data,
        email=form.email.data,
        phone=form.phone.data or "",
        location=form.location.data or "",
        linkedin_url=form.linkedin_url.data or None,
        portfolio_url=form.portfolio_url.data or None,
        cover_note=form.cover_note.data or "",
        talent_pool_consent=bool(form.talent_pool.data),
        language=item.language,
    )


def checked_cv(form: ReferralConfirmForm):
    """The optional CV, checked like on the apply form; None when no file was chosen."""
    upload = form.cv.data
    if upload is None or not getattr(upload, "filename", ""):
        return None
    return inspect_cv(upload.filename or "", read_limited(upload.stream))


def render_referral(template: str, item: Referral, token: str, form: ReferralConfirmForm | None, status: int):
    """The confirm page (or the "job closed" page), with the decline button."""
    job = item.job
    organization = job.organization
    return render_template(
        template,
        referral=item,
        job=job,
        organization=organization,
        referrer=item.ambassador.user.name,
        token=token,
        form=form,
        decline_form=DeclineForm(formdata=None),
        days=referrals.REFERRAL_TTL.days,
        retention_days=organization.retention_days,
        job_url=url_for("careers.job", org_slug=organization.slug, job_slug=job.slug),
        submitted=request.method == "POST",
    ), status
