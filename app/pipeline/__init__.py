# SPDX-License-Identifier: AGPL-3.0-or-later
"""Pipeline per job: stages, the board and the list, filters, search and bulk actions."""

from flask import Blueprint

bp = Blueprint("pipeline", __name__, url_prefix="/app/pipeline")
