# SPDX-License-Identifier: AGPL-3.0-or-later
"""Staff side of asynchronous interviews: templates, recorded prompts, invitations, playback."""

from flask import Blueprint

bp = Blueprint("interviews", __name__, url_prefix="/app/interviews")
