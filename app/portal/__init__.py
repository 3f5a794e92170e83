"""The candidate portal: a personal page opened by magic links, without an account."""

from flask import Blueprint

bp = Blueprint("portal", __name__, url_prefix="/portal")
