# SPDX-License-Identifier: AGPL-3.0-or-later
"""Profiles that employees own: skills, languages, interests, each with its visibility."""

from flask import Blueprint

bp = Blueprint("profiles", __name__, url_prefix="/app/profiles")
