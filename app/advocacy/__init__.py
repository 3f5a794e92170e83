"""Employee advocacy: ambassadors' share links, points, leaderboard, referrals, attribution."""

from flask import Blueprint

bp = Blueprint("advocacy", __name__, url_prefix="/app/advocacy")

from app.advocacy import routes  # noqa: E402, F401
