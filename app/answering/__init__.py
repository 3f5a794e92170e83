# SPDX-License-Identifier: AGPL-3.0-or-later
"""The candidate's side of an interview, reached through a personal link without an account."""

from flask import Blueprint

bp = Blueprint("answering", __name__, url_prefix="/interview")
