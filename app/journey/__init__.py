# SPDX-License-Identifier: AGPL-3.0-or-later
"""Journey events: recording each step of the brand experience journey with its source."""

from flask import Blueprint

bp = Blueprint("journey", __name__, url_prefix="/api/v1/events")
