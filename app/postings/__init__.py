# SPDX-License-Identifier: AGPL-3.0-or-later
"""Staff side of job postings: write, preview, duplicate, publish and close jobs."""

from flask import Blueprint

bp = Blueprint("postings", __name__, url_prefix="/app/jobs")
