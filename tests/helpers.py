# SPDX-License-Identifier: AGPL-3.0-or-later
"""Helpers for driving the app like a browser: CSRF tokens, signing in, reading pages."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.factories import PASSWORD

_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str) -> str:
    """The CSRF token of the form on ``path``, read from the page as a browser would."""
    response = client.get(path)
    match = _CSRF.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {path} (status {response.status_code})"
    return match.group(1) or match.group(2)


def submit(
    client: FlaskClient, form_path: str, data: dict, action: str | None = None, **kwargs
) -> TestResponse:
    """Open the page holding a form, then post it with that page's CSRF token."""
    token = csrf_token(client, form_path)
    return client.post(action or form_path, data={"csrf_token": token, **data}, **kwargs)


def follow_magic_link(client: FlaskClient, path: str, **kwargs) -> TestResponse:
    """Open a mailed link as a person does: its page (which spends nothing), then the one button on it.

    When the page is not the button (already signed in, a dead link), that answer is returned as is.
    """
    page = client.get(path)
    match = _CSRF.search(page.get_data(as_text=True)) if page.status_code == 200 else None
    if match is None:
        return page
    return client.post(path, data={"csrf_token": match.group(1) or match.group(2)}, **kwargs)


def login(client: FlaskClient, email: str, password: str = PASSWORD) -> TestResponse:
    """Sign in through the login form."""
    return submit(client, "/login", {"email": email, "password": password})


def logout(client: FlaskClient) -> TestResponse:
    """Sign out with the form in the page header."""
    return submit(client, "/app/", {}, action="/logout")


def text_of(response: TestResponse) -> str:
    """The response body as text."""
    return response.get_data(as_text=True)


def sent_mail(app) -> list:
    """Messages in the test app's outbox, newest first."""
    from app.core.mail import list_outbox

    return list_outbox(app.config["MAIL_OUTBOX_PATH"])


def link_in_mail(app, to: str, path_fragment: str) -> str:
    """The path of the newest link to ``path_fragment`` mailed to ``to``."""
    for message in sent_mail(app):
        if to in message.to:
            match = re.search(rf"https?://[^/\s]+(/{path_fragment}[^\s\"<]+)", message.text or "")
            if match:
                return match.group(1)
    raise AssertionError(f"no mail to {to} with a link to /{path_fragment}")
