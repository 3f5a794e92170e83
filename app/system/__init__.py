"""Routes that belong to no product area: the front door, health, public brand assets."""

from flask import Blueprint

bp = Blueprint("system", __name__)

from app.system import routes  # noqa: E402, F401
