# SPDX-License-Identifier: AGPL-3.0-or-later
"""Routes that belong to no product area: the front door, health, public brand assets."""

from flask import Blueprint

bp = Blueprint("system", __name__)
