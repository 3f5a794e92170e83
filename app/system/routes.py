# SPDX-License-Identifier: AGPL-3.0-or-later
"""The front door, /healthz, /livez, the running source and organization logos."""

import io

from flask import abort, current_app, jsonify, redirect, send_file, url_for
from flask_login import current_user

from app.core.extensions import csrf, limiter
from app.core.storage import file_url
from app.organizations.services import find_organization_by_slug
from app.system import bp
from app.system.services import health_report
from app.system.source import source_archive
from config import BASE_DIR


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
    """JSON state of database, storage, queue, outbox and consumer; 503 naming what fails."""
    report = health_report()
    response = jsonify(report)
    response.status_code = 200 if report["status"] == "ok" else 503
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/source")
@limiter.limit("30 per hour")
def source():
    """The source code of this server as a .tar.gz (AGPL-3.0 section 13)."""
    archive = source_archive(current_app.extensions.setdefault("source_archive", {}), BASE_DIR)
    response = send_file(
        io.BytesIO(archive),
        mimetype="application/gzip",
        as_attachment=True,
        download_name="openround-source.tar.gz",
    )
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.get("/livez")
@limiter.exempt
@csrf.exempt
def livez():
    """Cheap liveness for load balancers: the process answers, nothing else is checked."""
    response = jsonify(status="ok")
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
