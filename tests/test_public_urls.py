# SPDX-License-Identifier: AGPL-3.0-or-later
"""Every link in mail, feeds and shares starts with PUBLIC_URL, whatever Host the request claims."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

from app.core.extensions import db
from app.core.urls import public_url
from app.models import Role
from tests.factories import PASSWORD, make_organization, make_user
from tests.fixtures.smtp import SmtpServer
from tests.helpers import sent_mail

PUBLIC = "http://jobs.acme.example"  # plain http: the test client does not send Secure cookies
APP_DIR = Path(__file__).resolve().parent.parent / "app"
LINK = re.compile(r"https?://[^\s\"<>]+")
# A forged Host header, and a forged X-Forwarded-Host behind one trusted proxy (which ProxyFix honours).
FORGERIES = {
    "host": ({"Host": "evil.example"}, "http://localhost"),
    "x-forwarded-host": ({"X-Forwarded-Host": "evil.example"}, "http://localhost"),
}


@pytest.fixture
def app_environ(app_environ: dict[str, str]) -> dict[str, str]:
    """A public address unlike the test client's host, behind one trusted proxy."""
    app_environ["PUBLIC_URL"] = PUBLIC
    app_environ["TRUSTED_PROXIES"] = "1"
    return app_environ


def forged_post(client, path: str, data: dict, forgery: str, action: str | None = None):
    """Open the form and post it, both on the forged host (cookies follow that host)."""
    headers, base_url = FORGERIES[forgery]
    page = client.get(path, base_url=base_url, headers=headers).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return client.post(action or path, data={"csrf_token": token, **data}, base_url=base_url, headers=headers)


def links_in(text: str) -> list[str]:
    """Every absolute address in a mail body."""
    return LINK.findall(text)


@pytest.mark.parametrize("forgery", sorted(FORGERIES))
def test_password_reset_mail_links_to_public_url_whatever_the_host(
    app_environ: dict[str, str], smtp_server: SmtpServer, request: pytest.FixtureRequest, forgery: str
) -> None:
    app_environ["SMTP_URL"] = smtp_server.url
    app: Flask = request.getfixturevalue("app")
    with app.app_context():
        user = make_user(make_organization(name="Acme"), Role.RECRUITER)
        db.session.commit()
        email = user.email
    response = forged_post(app.test_client(), "/password/forgot", {"email": email}, forgery)
    assert response.status_code == 302

    message = smtp_server.wait_for(1)[0].message
    body = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    links = links_in(body)
    assert any("/password/reset/" in link for link in links)
    assert all(link.startswith(PUBLIC + "/") for link in links if "/password/reset/" in link)
    assert "evil.example" not in body and "evil.example" not in html


@pytest.mark.parametrize("forgery", sorted(FORGERIES))
def test_staff_invitation_mail_links_to_public_url_whatever_the_host(app: Flask, forgery: str) -> None:
    with app.app_context():
        make_user(make_organization(name="Acme"), Role.ADMIN, email="admin@example.com")
        db.session.commit()
    client = app.test_client()
    signed_in = forged_post(client, "/login", {"email": "admin@example.com", "password": PASSWORD}, forgery)
    assert signed_in.status_code == 302
    invitee = {"name": "Marco", "email": "marco@example.com", "role": "manager"}
    response = forged_post(client, "/admin/users", invitee, forgery, action="/admin/users/invite")
    assert response.status_code == 302
    message = next(message for message in sent_mail(app) if message.to == "marco@example.com")
    invitation_links = [link for link in links_in(message.text) if "/invitation/" in link]
    assert invitation_links and all(link.startswith(PUBLIC + "/invitation/") for link in invitation_links)
    assert "evil.example" not in message.text and "evil.example" not in (message.html or "")


def test_public_url_is_the_same_inside_a_forged_request_and_outside_any_request(app: Flask) -> None:
    with app.app_context():
        outside = public_url("auth.reset_password", token="abc")
    with app.test_request_context("/", base_url="http://evil.example/prefix"):
        inside = public_url("auth.reset_password", token="abc")
    assert outside == inside == f"{PUBLIC}/password/reset/abc"
    with app.app_context():
        assert public_url("careers.site", org_slug="acme", _anchor="jobs") == f"{PUBLIC}/careers/acme#jobs"


@pytest.mark.single_database
def test_one_public_url_helper_and_no_request_built_absolute_links() -> None:
    """Guard: absolute links come only from app/core/urls.py, never from url_for(..., _external=True)."""
    external, helpers = [], []
    for path in APP_DIR.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        relative = path.relative_to(APP_DIR.parent).as_posix()
        if "_external=True" in text.replace("forbid_external=True", ""):
            external.append(relative)
        if re.search(r"^def _?public_url\(", text, re.MULTILINE) and relative != "app/core/urls.py":
            helpers.append(relative)
        if re.search(r"\+ url_for\(|PUBLIC_URL.\]\s*\+", text) and relative != "app/core/urls.py":
            helpers.append(relative)  # an address glued together by hand
    assert external == [], (
        f"absolute links built on the request's host in {external}; use app.urls.public_url"
    )
    assert helpers == [], f"copies of public_url in {helpers}; import it from app.core.urls"
