# SPDX-License-Identifier: AGPL-3.0-or-later
"""The candidate portal: a personal page opened by magic links, without an account."""

from flask import Blueprint

bp = Blueprint("portal", __name__, url_prefix="/portal")
