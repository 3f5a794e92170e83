# SPDX-License-Identifier: AGPL-3.0-or-later
"""Messages to candidates: templates per stage and reason, and the response promise."""

from flask import Blueprint

bp = Blueprint("feedback", __name__, url_prefix="/app/feedback")
