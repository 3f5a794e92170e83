# SPDX-License-Identifier: AGPL-3.0-or-later
"""Public JSON API used by the embeddable widget (read-only, cacheable, cookie-free)."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1/public")
