"""Staff authentication: login, logout, password reset, invitations, server-side sessions."""

from flask import Blueprint

bp = Blueprint("auth", __name__)
