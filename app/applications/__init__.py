"""Applying without an account: the apply form, candidates and their applications."""

from flask import Blueprint

bp = Blueprint("applications", __name__)
