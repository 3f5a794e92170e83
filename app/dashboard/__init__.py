# SPDX-License-Identifier: AGPL-3.0-or-later
"""The staff home page."""

from flask import Blueprint

bp = Blueprint("dashboard", __name__, url_prefix="/app")
