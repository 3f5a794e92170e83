# SPDX-License-Identifier: AGPL-3.0-or-later
"""The staff dashboard."""

from flask import render_template
from flask_login import current_user, login_required

from app.dashboard import bp
from app.dashboard.services import organization_overview
from app.feedback.promise import waiting_for


@bp.get("/")
@login_required
def index():
    """The organization at a glance, and what needs doing next."""
    return render_template(
        "dashboard/index.html",
        overview=organization_overview(current_user),
        waiting=waiting_for(current_user._get_current_object()),
    )
