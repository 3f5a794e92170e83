"""Development helpers: the local mail outbox viewer."""

from flask import Blueprint

bp = Blueprint("dev", __name__, url_prefix="/dev")
