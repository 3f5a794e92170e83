"""The public career site, job pages, job feeds and the sitemap."""

from flask import Blueprint

bp = Blueprint("careers", __name__)

from app.careers import routes  # noqa: E402, F401
