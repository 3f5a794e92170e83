# SPDX-License-Identifier: AGPL-3.0-or-later
"""Administration of the organization: branding and staff accounts."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
