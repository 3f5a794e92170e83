# SPDX-License-Identifier: AGPL-3.0-or-later
"""Binding Flask-Login: the stored id is a server-side session token, not the user id."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager

from app.auth.services import load_session_user


def init_login(app: Flask, login_manager: LoginManager) -> None:
    """Bind Flask-Login to the app with the server-side session loader."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_session_user)
