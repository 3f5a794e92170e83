"""The front door, /healthz and organization logos."""

from flask import abort, jsonify, redirect, url_for
from flask_login import current_user

from app.extensions import csrf, limiter
from app.organizations.services import find_organization_by_slug
from app.storage import file_url
from app.system import bp
from app.system.services import health_report


@bp.get("/")
def index():
    """Staff go to their dashboard, everyone else to sign in."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    return redirect(url_for("auth.login"))


@bp.get("/healthz")
@limiter.exempt
@csrf.exempt
def healthz():
    """JSON state of the database and storage; 503 when one of them fails."""
    report = health_report()
    response = jsonify(report)
    response.status_code = 200 if report["status"] == "ok" else 503
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/brand/<slug>/logo")
def organization_logo(slug: str):
    """A stable address for an organization's logo, redirecting to a fresh file link."""
    organization = find_organization_by_slug(slug)
    if not organization.logo_key:
        abort(404)
    url = file_url(
        organization.logo_key,
        filename="logo",
        content_type=organization.logo_content_type or "image/png",
        inline=True,
    )
    response = redirect(url)
    response.headers["Cache-Control"] = "public, max-age=60"
    return response
