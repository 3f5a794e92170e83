# SPDX-License-Identifier: AGPL-3.0-or-later
"""Choosing the language of a page: the user's, then the organization's, then the browser's."""

from __future__ import annotations

from flask import current_app, g, has_request_context, request
from flask_login import current_user


def select_locale() -> str:
    """Flask-Babel locale selector."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    organization = g.get("organization")
    if organization is None and current_user and current_user.is_authenticated:
        organization = current_user.organization
    if organization is not None and organization.default_language in languages:
        return organization.default_language
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
