# SPDX-License-Identifier: AGPL-3.0-or-later
"""The public career site, job pages, job feeds and the sitemap."""

from flask import Blueprint

bp = Blueprint("careers", __name__)
