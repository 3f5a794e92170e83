"""Staff side of job postings: write, preview, duplicate, publish and close jobs."""

from flask import Blueprint

bp = Blueprint("postings", __name__, url_prefix="/app/jobs")

from app.postings import question_routes, routes  # noqa: E402, F401
