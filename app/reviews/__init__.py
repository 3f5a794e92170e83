# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reviewing interviews: ratings, scorecards, comments, shortlists and their shares."""

from flask import Blueprint

bp = Blueprint("reviews", __name__, url_prefix="/app/reviews")
