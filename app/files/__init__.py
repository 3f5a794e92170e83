# SPDX-License-Identifier: AGPL-3.0-or-later
"""Serving and receiving files for the local storage backend."""

from flask import Blueprint

bp = Blueprint("files", __name__, url_prefix="/files")
