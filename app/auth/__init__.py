# SPDX-License-Identifier: AGPL-3.0-or-later
"""Staff authentication: login (with two-step sign-in), logout, password reset, invitations, sessions."""

from flask import Blueprint

bp = Blueprint("auth", __name__)
