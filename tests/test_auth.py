# SPDX-License-Identifier: AGPL-3.0-or-later
"""Signing in and out, throttling, server-side session revocation, password reset."""

from __future__ import annotations

from datetime import timedelta

from app.core.extensions import db
from app.models import AuthToken, Role, StaffSession, utcnow
from tests.factories import PASSWORD, make_organization, make_user
from tests.helpers import link_in_mail, login, logout, sent_mail, submit, text_of


def _recruiter(app, **kwargs):
    with app.app_context():
        user = make_user(make_organization(name="Acme"), Role.RECRUITER, **kwargs)
        db.session.commit()
        return user.email


def test_login_shows_the_dashboard(app, client):
    email = _recruiter(app, name="Rita Recruiter")
    response = login(client, email)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/app/")
    page = client.get("/app/")
    assert page.status_code == 200
    assert "Welcome, Rita Recruiter" in text_of(page)


def test_wrong_password_keeps_the_email_and_explains(app, client):
    email = _recruiter(app)
    response = login(client, email, "not-the-right-password")
    assert response.status_code == 401
    body = text_of(response)
    assert "The e-mail or password is not correct." in body
    assert f'value="{email}"' in body
    assert 'role="alert"' in body


def test_unknown_email_gets_the_same_answer(app, client):
    _recruiter(app)
    response = login(client, "nobody@example.com", "whatever-password-1")
    assert response.status_code == 401
    assert "The e-mail or password is not correct." in text_of(response)


def test_eleventh_failure_for_one_account_gets_429(app, client):
    email = _recruiter(app)
    for _ in range(10):
        assert login(client, email, "wrong-password-xyz").status_code == 401
    blocked = login(client, email, PASSWORD)
    assert blocked.status_code == 429
    assert "Too many requests" in text_of(blocked)


def test_one_address_guessing_many_accounts_gets_429(app_environ):
    from app import create_app
    from config import TestingConfig

    app = create_app(TestingConfig({**app_environ, "LOGIN_ADDRESS_FAILURE_LIMIT": "12 per 15 minutes"}))
    client = app.test_client()
    _recruiter(app)
    for number in range(12):
        assert login(client, f"guess{number}@example.com", "wrong-password-xyz").status_code == 401
    assert login(client, "another@example.com", "wrong-password-xyz").status_code == 429


def test_throttling_can_be_switched_off(app_environ, tmp_path):
    from app import create_app
    from config import TestingConfig

    app = create_app(TestingConfig({**app_environ, "RATELIMIT_ENABLED": "false"}))
    client = app.test_client()
    email = _recruiter(app)
    for _ in range(12):
        assert login(client, email, "wrong-password-xyz").status_code == 401
    assert login(client, email).status_code == 302


def test_old_session_cookie_stops_working_after_logout(app, client):
    email = _recruiter(app)
    login(client, email)
    stolen = client.get_cookie("session").value
    assert client.get("/app/").status_code == 200
    logout(client)
    client.set_cookie("session", stolen)
    response = client.get("/app/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_logout_needs_post(app, client):
    email = _recruiter(app)
    login(client, email)
    assert client.get("/logout").status_code == 405
    assert client.get("/app/").status_code == 200


def test_post_without_csrf_token_is_refused(app, client):
    email = _recruiter(app)
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 400
    assert "The form has expired" in text_of(response)


def test_next_parameter_only_redirects_inside_the_site(app, client):
    email = _recruiter(app)
    response = submit(client, "/login?next=//evil.example/steal", {"email": email, "password": PASSWORD})
    assert response.headers["Location"].endswith("/app/")
    logout(client)
    response = submit(
        client,
        "/login?next=/auth-check",
        {"email": email, "password": PASSWORD},
        action="/login?next=/app/%3Fwelcome%3D1",
    )
    assert response.headers["Location"] == "/app/?welcome=1"


def test_password_change_ends_other_sessions(app, client):
    email = _recruiter(app)
    other_device = app.test_client()
    login(client, email)
    login(other_device, email)
    response = submit(
        client,
        "/account/password",
        {
            "current_password": PASSWORD,
            "password": "saffron-lantern-quartz-42",
            "confirm": "saffron-lantern-quartz-42",
        },
    )
    assert response.status_code == 302
    assert client.get("/app/").status_code == 200
    assert other_device.get("/app/").status_code == 302
    logout(client)
    assert login(client, email, "saffron-lantern-quartz-42").status_code == 302


def test_password_policy_is_explained_next_to_the_field(app, client):
    email = _recruiter(app)
    login(client, email)
    short = submit(
        client, "/account/password", {"current_password": PASSWORD, "password": "short", "confirm": "short"}
    )
    assert short.status_code == 400
    assert "Use at least 12 characters." in text_of(short)
    common = submit(
        client,
        "/account/password",
        {"current_password": PASSWORD, "password": "qwerty123456", "confirm": "qwerty123456"},
    )
    assert "most common" in text_of(common)
    wrong_current = submit(
        client,
        "/account/password",
        {
            "current_password": "nope-nope-nope",
            "password": "saffron-lantern-quartz-42",
            "confirm": "saffron-lantern-quartz-42",
        },
    )
    assert "The current password is not correct." in text_of(wrong_current)


def test_password_reset_is_single_use_and_does_not_enumerate(app, client):
    email = _recruiter(app)
    unknown = submit(client, "/password/forgot", {"email": "nobody@example.com"}, follow_redirects=True)
    known = submit(client, "/password/forgot", {"email": email}, follow_redirects=True)
    assert unknown.status_code == known.status_code == 200
    message = "If an account uses this address"
    assert message in text_of(unknown) and message in text_of(known)
    assert [mail.to for mail in sent_mail(app)] == [email]

    link = link_in_mail(app, email, "password/reset/")
    weak = submit(client, link, {"password": "password", "confirm": "password"})
    assert weak.status_code == 400
    new_password = "velvet-harbor-mosaic-19"
    done = submit(client, link, {"password": new_password, "confirm": new_password})
    assert done.status_code == 302
    assert client.get(link).status_code == 410
    assert login(client, email, new_password).status_code == 302


def test_expired_reset_link_is_gone(app, client):
    email = _recruiter(app)
    submit(client, "/password/forgot", {"email": email})
    link = link_in_mail(app, email, "password/reset/")
    with app.app_context():
        for token in db.session.scalars(db.select(AuthToken)):
            token.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    response = client.get(link)
    assert response.status_code == 410
    assert "expired" in text_of(response)


def test_sessions_are_stored_hashed_and_revoked_on_logout(app, client):
    email = _recruiter(app)
    login(client, email)
    cookie = client.get_cookie("session").value
    logout(client)
    with app.app_context():
        sessions = db.session.scalars(db.select(StaffSession)).all()
        assert len(sessions) == 1
        assert sessions[0].revoked_at is not None
        assert sessions[0].token_hash not in cookie


def test_deactivated_user_cannot_sign_in(app, client):
    with app.app_context():
        organization = make_organization()
        make_user(organization, Role.ADMIN, email="boss@example.com")
        make_user(organization, Role.RECRUITER, email="leaver@example.com")
        db.session.commit()
    leaver = app.test_client()
    login(leaver, "leaver@example.com")
    login(client, "boss@example.com")
    with app.app_context():
        from app.models import User

        leaver_id = db.session.scalar(db.select(User.id).where(User.email == "leaver@example.com"))
    assert (
        submit(client, "/admin/users", {}, action=f"/admin/users/{leaver_id}/deactivate").status_code == 302
    )
    assert leaver.get("/app/").status_code == 302
    assert login(leaver, "leaver@example.com").status_code == 401


def test_session_cookie_flags(app, client):
    email = _recruiter(app)
    response = login(client, email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
