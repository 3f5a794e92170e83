"""The embeddable job widget: its loader script and the iframe variant."""

from flask import Blueprint

bp = Blueprint("embed", __name__, url_prefix="/embed/v1")
