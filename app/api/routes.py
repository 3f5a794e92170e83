# SPDX-License-Identifier: AGPL-3.0-or-later
"""Public, read-only JSON for the job widget: any origin, cacheable, no cookies."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import Response, current_app, request

from app.api import bp, services
from app.core.extensions import csrf, limiter

MAX_AGE = 60
csrf.exempt(bp)


def cacheable_json(document: dict[str, Any]) -> Response:
    """A JSON answer with a strong ETag of its body; 304 when the client already has it."""
    body = json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    response = current_app.response_class(body, mimetype="application/json")
    response.set_etag(hashlib.sha256(body).hexdigest())
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}, stale-while-revalidate=300"
    response.make_conditional(request)  # updates the response in place (304 when it matches)
    return response


@bp.after_request
def allow_any_origin(response: Response) -> Response:
    """Every answer of this API (errors and preflights too) may be read by any site."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "If-None-Match"
    response.headers["Access-Control-Expose-Headers"] = "ETag"
    response.headers["Access-Control-Max-Age"] = "86400"
    response.vary.add("Accept-Encoding")
    return response


@bp.get("/orgs/<org_slug>/jobs")
@limiter.limit("300 per minute")
def jobs(org_slug: str):
    """The organization's open jobs, optionally narrowed by team, country, work model, type, language."""
    filters = services.parse_job_filters(request.args)
    organization = services.find_public_organization(org_slug)
    found = services.list_public_jobs(organization, filters)
    return cacheable_json(services.jobs_document(organization, found))


@bp.get("/orgs/<org_slug>/jobs/<job_slug>")
@limiter.limit("300 per minute")
def job(org_slug: str, job_slug: str):
    """One open job of the organization."""
    organization = services.find_public_organization(org_slug)
    found = services.find_public_job(organization, job_slug)
    return cacheable_json(services.job_document(organization, found))
