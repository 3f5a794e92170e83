# SPDX-License-Identifier: AGPL-3.0-or-later
"""Applying without an account: the apply form, candidates and their applications."""

from flask import Blueprint

bp = Blueprint("applications", __name__)
