# SPDX-License-Identifier: AGPL-3.0-or-later
"""Marketing tools for staff: the embed snippet builder with a live preview."""

from flask import Blueprint

bp = Blueprint("marketing", __name__, url_prefix="/app/marketing")
