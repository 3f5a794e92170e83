"""Live analytics of the brand experience journey: funnel, sources, timing, experience, advocacy."""

from flask import Blueprint

bp = Blueprint("analytics", __name__, url_prefix="/app/analytics")
