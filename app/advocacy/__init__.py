# SPDX-License-Identifier: AGPL-3.0-or-later
"""Employee advocacy: ambassadors' share links, points, leaderboard, referrals, attribution.

``bp`` holds the staff pages under /app/advocacy; ``public_bp`` the public short links
(``/r/<code>``) and the pages where a referred person confirms or declines.
"""

from flask import Blueprint

bp = Blueprint("advocacy", __name__, url_prefix="/app/advocacy")
public_bp = Blueprint("advocacy_public", __name__)
