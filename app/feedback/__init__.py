"""Messages to candidates: templates per stage and reason, and the response promise."""

from flask import Blueprint

bp = Blueprint("feedback", __name__, url_prefix="/app/feedback")
