# SPDX-License-Identifier: AGPL-3.0-or-later
"""Development helpers: the local mail outbox viewer."""

from flask import Blueprint

bp = Blueprint("dev", __name__, url_prefix="/dev")
