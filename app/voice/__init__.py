"""Voice of candidates and employees: cNPS surveys and eNPS pulses."""

from flask import Blueprint

bp = Blueprint("voice", __name__, url_prefix="/app/voice")

from app.voice import routes  # noqa: E402, F401
