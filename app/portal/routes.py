# SPDX-License-Identifier: AGPL-3.0-or-later
"""The candidate portal's pages: entering by magic link, the status page, changes, export, erasure."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import flash, g, redirect, render_template, request, send_file, session, url_for
from flask_babel import force_locale, format_date
from flask_babel import gettext as _

from app.core.errors import Gone, Invalid, NotFound
from app.core.extensions import db, limiter
from app.core.forms import attach_error, require_valid
from app.core.storage import LocalStorage, ObjectNotFound, content_disposition, get_storage
from app.feedback import inbox
from app.models import Candidate, Organization
from app.organizations.services import find_organization_by_slug
from app.portal import bp, services
from app.portal import export as exports
from app.portal.forms import ConfirmForm, ContactForm, DeleteForm, LinkRequestForm

# Keys in the signed Flask session cookie: the raw portal session token, and the latest export's.
EXPORT_KEY = "portal_export"
NO_STORE = "private, no-store"


@bp.before_request
def load_candidate() -> None:
    """Find the candidate of this browser's portal session; their organization dresses the page."""
    g.portal_session = services.load_portal_session(session.get(services.SESSION_KEY))
    g.candidate = g.portal_session.candidate if g.portal_session else None
    if g.candidate is not None:
        g.organization = g.candidate.organization
    elif services.SESSION_KEY in session:
        session.pop(services.SESSION_KEY)  # revoked or expired on the server


@bp.after_request
def never_cache(response):
    """Personal pages and downloads stay out of shared and browser caches."""
    response.headers["Cache-Control"] = NO_STORE
    return response


def candidate_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Only with a live portal session; otherwise to the page that explains how to get a link."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any):
        if g.candidate is None:
            return redirect(url_for(".request_link"))
        return view(*args, **kwargs)

    return wrapper


def render_portal(template: str, status: int = 200, **context: Any):
    """Render a portal page in the candidate's language (else the organization's)."""
    candidate = g.get("candidate")
    language = (candidate.language or candidate.organization.default_language) if candidate else None
    if language is None:
        return render_template(template, format_date=format_date, **context), status
    with force_locale(language):
        return render_template(template, format_date=format_date, **context), status


@bp.route("/enter/<token>", methods=["GET", "POST"])
def enter(token: str):
    """A magic link: GET shows one button and spends nothing (mail scanners follow links); POST opens the portal."""
    form = ConfirmForm()
    if request.method == "POST":
        require_valid(form)
    try:
        if request.method == "GET":
            candidate = services.check_portal_link(token)
        else:
            candidate = services.redeem_portal_link(token)
    except services.PortalLinkGone as error:
        if error.candidate is not None and g.candidate is not None and error.candidate.id == g.candidate.id:
            return redirect(url_for(".home"))  # opened twice in a browser that is already in
        return link_gone(error)
    if request.method == "GET":
        if g.candidate is not None and g.candidate.id == candidate.id:
            return redirect(url_for(".home"))  # already in: keep the link for another browser
        return render_enter(candidate, form)
    services.end_portal_session(g.portal_session)  # whoever was in before, in this browser
    _portal_session, raw = services.start_portal_session(candidate)
    services.record_portal_visit(candidate)
    db.session.commit()
    session.pop(EXPORT_KEY, None)
    session[services.SESSION_KEY] = raw
    return redirect(url_for(".home"))


def render_enter(candidate: Candidate, form: ConfirmForm):
    """The page behind a magic link, in the candidate's language and their organization's colours."""
    g.organization = candidate.organization
    with force_locale(candidate.language or candidate.organization.default_language):
        return render_template("portal/enter.html", form=form, organization=candidate.organization)


def link_gone(error: services.PortalLinkGone):
    """The 410 page of a dead link, with the form that sends a new one."""
    organization = error.candidate.organization if error.candidate is not None else None
    if organization is not None:
        g.organization = organization
    return render_portal(
        "portal/link_gone.html",
        410,
        message=error.message,
        form=LinkRequestForm(),
        org_arg=org_arg(organization),
    )


@bp.get("/")
@candidate_required
def home():
    """The candidate's applications with their timelines, and what they can do with their data."""
    return render_portal(
        "portal/home.html",
        candidate=g.candidate,
        overview=services.build_overview(g.candidate),
        messages=inbox.messages_by_application(g.candidate),
    )


@bp.get("/applications/<public_id>/messages/<int:message_id>")
@candidate_required
def message(public_id: str, message_id: int):
    """One message from the company, with any feedback; opening it is the read receipt."""
    opened = inbox.open_message(g.candidate, public_id, message_id)
    db.session.commit()
    return render_portal("portal/message.html", message=opened, application=opened.application)


@bp.route("/details", methods=["GET", "POST"])
@candidate_required
def details():
    """Change name, phone, location and links."""
    form = ContactForm(obj=g.candidate)
    if form.validate_on_submit():
        try:
            services.update_contact_details(
                g.candidate,
                name=form.name.data,
                phone=form.phone.data or "",
                location=form.location.data or "",
                linkedin_url=form.linkedin_url.data or None,
                portfolio_url=form.portfolio_url.data or None,
            )
        except Invalid as error:
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Your details were saved."), "success")
            return redirect(url_for(".home"))
    return render_portal("portal/details.html", 400 if form.errors else 200, form=form, candidate=g.candidate)


@bp.route("/applications/<public_id>/withdraw", methods=["GET", "POST"])
@candidate_required
def withdraw(public_id: str):
    """Confirm, then withdraw one application; a second withdrawal is a 409."""
    application = services.find_own_application(g.candidate, public_id)
    form = ConfirmForm()
    if request.method == "POST":
        require_valid(form)
        services.withdraw_application(g.candidate, application)
        db.session.commit()
        flash(_("You withdrew your application for %(job)s.", job=application.job.title), "success")
        return redirect(url_for(".home"))
    services.check_can_withdraw(application)
    return render_portal("portal/withdraw.html", application=application, form=form)


@bp.post("/export")
@candidate_required
def export():
    """Build the zip of everything we hold, then show its download link."""
    require_valid(ConfirmForm())
    data_export, raw = exports.create_data_export(g.candidate)
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        if data_export.storage_key:
            get_storage().delete(data_export.storage_key)
        raise
    session[EXPORT_KEY] = raw
    return redirect(url_for(".export_ready"))


@bp.get("/export/ready")
@candidate_required
def export_ready():
    """The download link of the export just made (kept in this browser's session only)."""
    raw = session.get(EXPORT_KEY)
    try:
        data_export = exports.find_data_export(raw) if raw else None
    except (NotFound, Gone):
        data_export = None
    if data_export is None or data_export.candidate_id != g.candidate.id:
        session.pop(EXPORT_KEY, None)
        return redirect(url_for(".home"))
    return render_portal(
        "portal/export_ready.html",
        download_url=url_for(".download_export", token=raw),
        data_export=data_export,
    )


@bp.get("/export/<token>")
def download_export(token: str):
    """Stream the zip (local storage) or hand over a short-lived link to it (S3); 410 after 24 hours."""
    data_export = exports.find_data_export(token)
    key = data_export.storage_key
    if not key:  # find_data_export already refuses these
        raise NotFound(_("We could not find this download. Ask for your data again on your page."))
    storage = get_storage()
    filename = exports.export_filename(data_export)
    if not isinstance(storage, LocalStorage):
        return redirect(
            storage.download_url(
                key,
                filename=filename,
                content_type=exports.EXPORT_CONTENT_TYPE,
                expires_in=60,
            )
        )
    try:
        path = storage.path_of(key)
    except ObjectNotFound as error:
        raise NotFound(_("We could not find this download. Ask for your data again on your page.")) from error
    response = send_file(path, mimetype=exports.EXPORT_CONTENT_TYPE, conditional=True, max_age=0)
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/delete", methods=["GET", "POST"])
@candidate_required
def delete():
    """Explain what goes, then erase everything once the candidate typed the confirmation."""
    form = DeleteForm()
    if form.validate_on_submit():
        try:
            organization = services.erase_my_data(g.candidate, confirmation=form.confirmation.data)
        except Invalid as error:
            attach_error(form, error)
        else:
            db.session.commit()
            session.pop(services.SESSION_KEY, None)
            session.pop(EXPORT_KEY, None)
            return redirect(url_for(".goodbye", org=organization.slug))
    return render_portal(
        "portal/delete.html",
        400 if form.errors else 200,
        form=form,
        overview=services.build_overview(g.candidate),
    )


@bp.get("/goodbye")
def goodbye():
    """After erasure: what happened, in the organization's colours."""
    load_optional_organization(request.args.get("org"))
    return render_portal("portal/goodbye.html")


@bp.post("/logout")
@candidate_required
def logout():
    """End the portal session on the server, then forget it in this browser."""
    require_valid(ConfirmForm())
    organization = g.candidate.organization
    services.end_portal_session(g.portal_session)
    db.session.commit()
    session.pop(services.SESSION_KEY, None)
    session.pop(EXPORT_KEY, None)
    flash(_("You are signed out of your page."), "info")
    return redirect(url_for(".request_link", **org_arg(organization)))


@bp.route("/link", methods=["GET", "POST"])
@limiter.limit(services.LINK_REQUEST_RATE_LIMIT, methods=["POST"])
def request_link():
    """Ask for a new link; the answer is the same whether or not we know the address."""
    organization = load_optional_organization(request.args.get("org"))
    form = LinkRequestForm()
    if form.validate_on_submit():
        services.request_portal_links(form.email.data, organization)
        db.session.commit()
        return redirect(url_for(".link_sent", **org_arg(organization)))
    return render_portal(
        "portal/request_link.html", 400 if form.errors else 200, form=form, org_arg=org_arg(organization)
    )


@bp.get("/link/sent")
def link_sent():
    """The one answer to every link request."""
    organization = load_optional_organization(request.args.get("org"))
    return render_portal("portal/link_sent.html", org_arg=org_arg(organization))


@bp.errorhandler(429)
def too_many_link_requests(error):
    """Too many link requests from one address: say when to try again."""
    slug = request.args.get("org")
    return render_template("portal/rate_limited.html", org_arg={"org": slug} if slug else {}), 429


def load_optional_organization(slug: str | None) -> Organization | None:
    """The organization named by ``?org=`` (its branding dresses the page); 404 for an unknown slug."""
    if not slug:
        return None
    organization = find_organization_by_slug(slug)
    g.organization = organization
    return organization


def org_arg(organization: Organization | None) -> dict[str, Any]:
    """``?org=`` for links that keep the organization's branding."""
    return {"org": organization.slug} if organization is not None else {}
