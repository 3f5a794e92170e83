# SPDX-License-Identifier: AGPL-3.0-or-later
"""The embeddable job widget: its loader script and the iframe variant."""

from flask import Blueprint

bp = Blueprint("embed", __name__, url_prefix="/embed/v1")
