# SPDX-License-Identifier: AGPL-3.0-or-later
"""Live analytics of the brand experience journey: funnel, sources, timing, experience, advocacy."""

from flask import Blueprint

bp = Blueprint("analytics", __name__, url_prefix="/app/analytics")
