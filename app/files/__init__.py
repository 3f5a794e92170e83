"""Serving and receiving files for the local storage backend."""

from flask import Blueprint

bp = Blueprint("files", __name__, url_prefix="/files")
