# SPDX-License-Identifier: AGPL-3.0-or-later
"""POST /api/v1/events: batches of journey events from career pages and the widget (beacons)."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from flask import Response, current_app, request
from flask_babel import lazy_gettext as _l

from app.core.errors import Invalid
from app.core.extensions import csrf, db, limiter
from app.journey import bp, services

MAX_BODY_BYTES = 16 * 1024
DEFAULT_RATE_LIMIT = "120 per minute"
BODY_TYPES = {"text/plain", "application/json"}


def rate_limit() -> str:
    """Requests per IP, configurable as JOURNEY_RATE_LIMIT (a Flask-Limiter string)."""
    return current_app.config.get("JOURNEY_RATE_LIMIT") or DEFAULT_RATE_LIMIT


def read_json_body() -> object:
    """The request body parsed as JSON; Invalid when too large, of another type or malformed."""
    if request.mimetype not in BODY_TYPES:
        raise Invalid(str(_l("Send the events as application/json or text/plain.")))
    if (request.content_length or 0) > MAX_BODY_BYTES:
        raise Invalid(str(_l("The request body is larger than %(size)s KB.", size=MAX_BODY_BYTES // 1024)))
    body = request.stream.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        raise Invalid(str(_l("The request body is larger than %(size)s KB.", size=MAX_BODY_BYTES // 1024)))
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise Invalid(str(_l("The request body is not valid JSON."))) from None


def own_hosts() -> set[str]:
    """Our own host names: a referrer from one of them is navigation inside the career site."""
    hosts = {
        urlsplit(current_app.config["PUBLIC_URL"]).hostname or "",
        urlsplit(f"//{request.host}").hostname or "",
    }
    return {host.lower() for host in hosts if host}


@bp.post("", provide_automatic_options=False)
@limiter.limit(rate_limit, methods=["POST"])
@csrf.exempt
def record():
    """Record a batch of 1-20 events, all or nothing; 204 on success, 400 JSON saying what is wrong."""
    payload = read_json_body()
    services.record_browser_events(
        payload, ip=request.remote_addr, user_agent=request.user_agent.string, own_hosts=own_hosts()
    )
    db.session.commit()
    return Response(status=204)


@bp.route("", methods=["OPTIONS"])
@limiter.exempt
@csrf.exempt
def preflight():
    """CORS preflight for cross-origin posts with a JSON content type."""
    response = Response(status=204)
    response.headers["Access-Control-Allow-Methods"] = "POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type"
    response.headers["Access-Control-Max-Age"] = "86400"
    return response


@bp.after_request
def allow_any_origin(response: Response) -> Response:
    """Beacons come from any site embedding the widget; no cookie is read, so any origin is safe."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "no-store"
    return response
