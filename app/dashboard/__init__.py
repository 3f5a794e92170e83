"""The staff home page."""

from flask import Blueprint

bp = Blueprint("dashboard", __name__, url_prefix="/app")

from app.dashboard import routes  # noqa: E402, F401
