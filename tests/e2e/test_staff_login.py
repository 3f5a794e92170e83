# SPDX-License-Identifier: AGPL-3.0-or-later
"""A recruiter signs in with real Chromium and sees the dashboard."""

from __future__ import annotations

import time

import pyotp
import pytest

from app.core.extensions import db
from app.models import Role
from tests.factories import PASSWORD, make_organization, make_user

pytestmark = pytest.mark.e2e


def test_recruiter_signs_in_and_sees_the_dashboard(app, live_server, page):
    with app.app_context():
        make_user(
            make_organization(name="Aurora Robotics"),
            Role.RECRUITER,
            email="rita@example.com",
            name="Rita Recruiter",
        )
        db.session.commit()

    page.goto(f"{live_server.url}/app/")
    assert page.url.startswith(f"{live_server.url}/login")
    page.get_by_label("E-mail").fill("rita@example.com")
    page.get_by_label("Password").fill("wrong-password-here")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text() == "The e-mail or password is not correct."
    assert page.get_by_label("E-mail").input_value() == "rita@example.com"

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/app/")
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome, Rita Recruiter"
    assert page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").is_visible()
    assert "Aurora Robotics" in page.locator(".brand").inner_text()

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server.url}/login")
    page.goto(f"{live_server.url}/app/")
    assert page.url.startswith(f"{live_server.url}/login")


def test_two_step_sign_in_with_real_chromium(app, live_server, page):
    with app.app_context():
        make_user(make_organization(name="Aurora Robotics"), Role.RECRUITER, email="tess@example.com")
        db.session.commit()
    blocked = []
    page.on(
        "console",
        lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None,
    )

    page.goto(f"{live_server.url}/login")
    page.get_by_label("E-mail").fill("tess@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/app/")
    page.goto(f"{live_server.url}/account/security")
    page.get_by_role("link", name="Set up two-step sign-in").click()
    qr = page.get_by_role("img", name="QR code for your authenticator app").locator("svg")
    box = qr.bounding_box()
    assert box and box["width"] >= 100 and box["height"] >= 100
    totp = pyotp.TOTP(page.locator("#mfa-secret").inner_text())
    page.get_by_label("Code from the app").fill(totp.now())
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    assert page.locator(".recovery-codes li").count() == 10

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server.url}/login")
    page.get_by_label("E-mail").fill("tess@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/login/verify")
    page.get_by_label("Code").fill(totp.at(time.time() + 30))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{live_server.url}/app/")
    assert blocked == []
