"""Routes of this area (being written)."""

from flask import abort

from app.applications import bp


@bp.route("/careers/<org_slug>/jobs/<job_slug>/apply", methods=["GET", "POST"])
def apply(org_slug: str, job_slug: str):
    """The apply form (being written)."""
    abort(404)
