# SPDX-License-Identifier: AGPL-3.0-or-later
"""The widget's scripts and stylesheet for any site, and the iframe variant."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Response, abort, current_app, render_template, request
from flask_babel import force_locale

from app.api import services as public
from app.core.extensions import limiter, talisman
from app.embed import bp, services

ASSET_MAX_AGE = 300
# The frame is shown inside other sites' pages: any ancestor may frame it, scripts stay nonce-bound.
FRAME_POLICY = {
    "default-src": "'none'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": ["'self'", "data:"],
    "connect-src": "'self'",
    "base-uri": "'none'",
    "form-action": "'none'",
    "frame-ancestors": "*",
}


def serve_asset(filename: str, mimetype: str) -> Response:
    """A file of static/embed/v1 for any origin, cached briefly and revalidated by its hash."""
    if current_app.static_folder is None:  # create_app always sets it; without it there is no widget
        abort(404)
    body = Path(current_app.static_folder, "embed", "v1", filename).read_bytes()
    response = current_app.response_class(body, mimetype=mimetype)
    response.set_etag(hashlib.sha256(body).hexdigest())
    response.headers["Cache-Control"] = f"public, max-age={ASSET_MAX_AGE}"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.vary.add("Accept-Encoding")
    response.make_conditional(request)  # updates the response in place (304 when it matches)
    return response


@bp.get("/jobs.js")
@limiter.exempt
def loader():
    """The loader script marketing pastes next to ``<div data-openround-jobs>``."""
    return serve_asset("jobs.js", "text/javascript")


@bp.get("/widget.css")
@limiter.exempt
def stylesheet():
    """The widget's styles, fetched by the loader and linked by the frame."""
    return serve_asset("widget.css", "text/css")


@bp.get("/frame-resizer.js")
@limiter.exempt
def resizer():
    """The script that lets the host page size the iframe to its content."""
    return serve_asset("frame-resizer.js", "text/javascript")


@bp.get("/frame/<org_slug>")
@limiter.limit("300 per minute")
@talisman(frame_options=None, content_security_policy=FRAME_POLICY)
def frame(org_slug: str):
    """The open jobs as a small page any site may frame (for hosts that forbid scripts)."""
    options = services.parse_widget_options(request.args)
    organization = public.find_public_organization(org_slug)
    embed_host = services.embed_host_from(request.referrer)
    jobs = services.frame_jobs(organization, options)
    lang = options.lang or organization.default_language
    with force_locale(lang):
        return render_template(
            "embed/frame.html",
            organization=public.public_organization(organization),
            careers_link=services.tracked_link(public.careers_url(organization), embed_host),
            cards=services.frame_cards(organization, jobs, embed_host),
            layout=options.layout,
            lang=lang,
            embed_host=embed_host,
        )
