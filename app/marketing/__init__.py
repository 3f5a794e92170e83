"""Marketing tools for staff: the embed snippet builder with a live preview."""

from flask import Blueprint

bp = Blueprint("marketing", __name__, url_prefix="/app/marketing")
