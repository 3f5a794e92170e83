# SPDX-License-Identifier: AGPL-3.0-or-later
"""Issue 24 (security hardening): sign-in throttling that cannot lock the owner out, links that die
with the password or the account, two-step sign-in, idle sessions and one's own sessions, and one
rule for staff e-mail addresses."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pyotp
import pytest

from app import create_app
from app.core.extensions import db
from app.models import MfaRecoveryCode, Organization, Role, StaffSession, User, utcnow
from config import TestingConfig
from tests.factories import PASSWORD, make_organization, make_user
from tests.helpers import link_in_mail, login, logout, sent_mail, submit, text_of

NEW_PASSWORD = "saffron-lantern-quartz-42"


def _make(app, role: Role = Role.RECRUITER, **kwargs) -> str:
    with app.app_context():
        user = make_user(make_organization(name="Acme"), role, **kwargs)
        db.session.commit()
        return user.email


def _from(client, address: str):
    """Make every request of ``client`` come from ``address``."""
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _user(email: str) -> User:
    return db.session.scalar(db.select(User).where(User.email == email))


def _app_with(app_environ, **settings: str):
    return create_app(TestingConfig({**app_environ, **settings}))


# --- 5. Sign-in throttling that cannot lock out the owner -------------------------------------


def test_failures_from_one_address_never_stop_the_right_password_from_another(app, client):
    email = _make(app)
    attacker = _from(client, "203.0.113.9")
    for _ in range(10):
        assert login(attacker, email, "wrong-password-xyz").status_code == 401
    assert login(attacker, email, PASSWORD).status_code == 429
    owner = _from(app.test_client(), "198.51.100.7")
    response = login(owner, email, PASSWORD)
    assert response.status_code == 302
    assert owner.get("/app/").status_code == 200


def test_an_ipv6_attacker_cannot_escape_by_changing_the_last_bits(app, client):
    email = _make(app)
    for number in range(10):
        attacker = _from(app.test_client(), f"2001:db8:1:1::{number + 1:x}")
        assert login(attacker, email, "wrong-password-xyz").status_code == 401
    assert login(_from(app.test_client(), "2001:db8:1:1::ff"), email, PASSWORD).status_code == 429
    assert login(_from(app.test_client(), "2001:db8:2::1"), email, PASSWORD).status_code == 302


def test_many_addresses_lock_the_account_and_the_owner_unlocks_it_by_mail(app_environ):
    app = _app_with(
        app_environ, LOGIN_FAILURE_LIMIT="3 per 15 minutes", LOGIN_ACCOUNT_FAILURE_LIMIT="6 per 15 minutes"
    )
    email = _make(app)
    for address in ("203.0.113.1", "203.0.113.2"):
        attacker = _from(app.test_client(), address)
        for _ in range(3):
            assert login(attacker, email, "wrong-password-xyz").status_code == 401
        assert login(attacker, email, PASSWORD).status_code == 429  # the attacking address: 429
    unlock_mails = [mail for mail in sent_mail(app) if "locked" in mail.subject]
    assert [mail.to for mail in unlock_mails] == [email]  # one mail, when the lock started

    owner = _from(app.test_client(), "198.51.100.7")
    locked = login(owner, email, PASSWORD)
    assert locked.status_code == 423
    assert "locked after many failed sign-ins" in text_of(locked)
    assert owner.get("/app/").status_code == 302

    link = link_in_mail(app, email, "login/unlock/")
    page = owner.get(link)
    assert page.status_code == 200 and "Unlock my account" in text_of(page)
    assert submit(owner, link, {}).status_code == 302
    assert login(owner, email, PASSWORD).status_code == 302
    assert owner.get("/app/").status_code == 200
    assert owner.get("/login/unlock/forged-token").status_code == 410


def test_the_account_lock_does_not_reveal_which_addresses_have_accounts(app_environ):
    app = _app_with(
        app_environ, LOGIN_FAILURE_LIMIT="2 per 15 minutes", LOGIN_ACCOUNT_FAILURE_LIMIT="4 per 15 minutes"
    )
    known = _make(app)
    answers = {}
    for email in (known, "nobody@example.com"):
        for address in ("203.0.113.1", "203.0.113.2"):
            attacker = _from(app.test_client(), address)
            for _ in range(2):
                login(attacker, email, "wrong-password-xyz")
        answers[email] = login(
            _from(app.test_client(), "198.51.100.7"), email, "wrong-password-xyz"
        ).status_code
    assert answers == {known: 423, "nobody@example.com": 423}
    assert {mail.to for mail in sent_mail(app)} == {known}


# --- 8. Reset links die with the password, invitations with the account ----------------------


def test_reset_link_stops_working_once_the_password_is_changed_another_way(app, client):
    email = _make(app)
    submit(client, "/password/forgot", {"email": email})
    link = link_in_mail(app, email, "password/reset/")
    assert client.get(link).status_code == 200
    login(client, email)
    changed = submit(
        client,
        "/account/password",
        {"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert changed.status_code == 302
    logout(client)
    assert client.get(link).status_code == 410
    assert login(client, email, NEW_PASSWORD).status_code == 302


def test_invitation_stops_working_when_the_account_is_deactivated(app, client):
    with app.app_context():
        organization = make_organization()
        make_user(organization, Role.ADMIN, email="boss@example.com")
        db.session.commit()
    login(client, "boss@example.com")
    invited = submit(
        client,
        "/admin/users",
        {"name": "Nina New", "email": "nina@example.com", "role": "recruiter"},
        action="/admin/users/invite",
    )
    assert invited.status_code == 302
    link = link_in_mail(app, "nina@example.com", "invitation/")
    with app.app_context():
        nina_id = _user("nina@example.com").id
    assert submit(client, "/admin/users", {}, action=f"/admin/users/{nina_id}/deactivate").status_code == 302
    assert submit(client, "/admin/users", {}, action=f"/admin/users/{nina_id}/reactivate").status_code == 302
    assert app.test_client().get(link).status_code == 410


# --- 10. Two-step sign-in, re-authentication, idle timeout, one's own sessions ---------------


def _enrol(client) -> tuple[pyotp.TOTP, list[str]]:
    """Set up two-step sign-in through the pages, as a person with an authenticator app would."""
    page = client.get("/account/mfa/setup")
    assert page.status_code == 200
    body = text_of(page)
    assert "<svg" in body and "<script" not in body.split("<main", 1)[-1].split("</main>", 1)[0]
    secret = re.search(r'<code id="mfa-secret">([A-Z2-7]+)</code>', body).group(1)
    totp = pyotp.TOTP(secret)
    done = submit(client, "/account/mfa/setup", {"code": totp.now()})
    assert done.status_code == 200, text_of(done)
    codes = re.findall(r"<code>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</code>", text_of(done))
    assert len(codes) == 10
    return totp, codes


def _next_code(totp: pyotp.TOTP) -> str:
    """The code of the next 30-second step (accepted: one step either side is allowed)."""
    return totp.at(time.time() + 30)


def test_enrolment_then_sign_in_needs_a_fresh_code(app, client):
    email = _make(app)
    login(client, email)
    totp, _codes = _enrol(client)
    enrolment_code = totp.now()
    logout(client)

    first_step = login(client, email)
    assert first_step.status_code == 302 and first_step.headers["Location"].endswith("/login/verify")
    assert client.get("/app/").status_code == 302  # no session before the second step
    replay = submit(client, "/login/verify", {"code": enrolment_code})
    assert replay.status_code == 401  # a code already used is refused
    assert submit(client, "/login/verify", {"code": "000000"}).status_code == 401
    accepted = submit(client, "/login/verify", {"code": _next_code(totp)})
    assert accepted.status_code == 302 and accepted.headers["Location"].endswith("/app/")
    assert client.get("/app/").status_code == 200


def test_recovery_codes_work_once_and_secrets_are_not_stored_in_clear(app, client):
    email = _make(app)
    login(client, email)
    totp, codes = _enrol(client)
    with app.app_context():
        user = _user(email)
        assert totp.secret not in user.mfa_secret
        hashes = db.session.scalars(
            db.select(MfaRecoveryCode.code_hash).where(MfaRecoveryCode.user_id == user.id)
        ).all()
        assert len(hashes) == 10
        assert not {code.replace("-", "") for code in codes} & set(hashes)
    logout(client)
    login(client, email)
    assert submit(client, "/login/verify", {"code": codes[0].upper()}).status_code == 302
    logout(client)
    login(client, email)
    assert submit(client, "/login/verify", {"code": codes[0]}).status_code == 401
    page = submit(client, "/login/verify", {"code": codes[1]})
    assert page.status_code == 302
    assert "8 recovery codes left" in text_of(client.get("/account/security"))


def test_wrong_codes_are_throttled(app_environ):
    app = _app_with(app_environ, MFA_FAILURE_LIMIT="3 per 15 minutes")
    client = app.test_client()
    email = _make(app)
    login(client, email)
    totp, _codes = _enrol(client)
    logout(client)
    login(client, email)
    for _ in range(3):
        assert submit(client, "/login/verify", {"code": "123456"}).status_code == 401
    assert submit(client, "/login/verify", {"code": _next_code(totp)}).status_code == 429


def _age_authentication(app, email: str, minutes: int) -> None:
    with app.app_context():
        for staff_session in db.session.scalars(
            db.select(StaffSession).join(User).where(User.email == email, StaffSession.revoked_at.is_(None))
        ):
            staff_session.authenticated_at = utcnow() - timedelta(minutes=minutes)
        db.session.commit()


def test_security_changes_need_a_recent_password_and_code(app, client):
    email = _make(app)
    login(client, email)
    totp, _codes = _enrol(client)
    _age_authentication(app, email, 11)
    asked = client.get("/account/password")
    assert asked.status_code == 302 and "/account/confirm" in asked.headers["Location"]
    disable = submit(client, "/account/security", {}, action="/account/mfa/disable")
    assert "/account/confirm" in disable.headers["Location"]
    with app.app_context():
        assert _user(email).mfa_enabled

    confirm_url = asked.headers["Location"]
    no_code = submit(client, confirm_url, {"password": PASSWORD})
    assert no_code.status_code == 400 and "That code is not right." in text_of(no_code)
    confirmed = submit(client, confirm_url, {"password": PASSWORD, "code": _next_code(totp)})
    assert confirmed.status_code == 302 and confirmed.headers["Location"] == "/account/password"
    assert client.get("/account/password").status_code == 200
    assert submit(client, "/account/security", {}, action="/account/mfa/disable").status_code == 302
    with app.app_context():
        user = _user(email)
        assert not user.mfa_enabled and user.mfa_secret is None
    logout(client)
    assert login(client, email).headers["Location"].endswith("/app/")


def test_organization_can_require_mfa_for_admins_who_enrol_before_anything_else(app, client):
    with app.app_context():
        organization = make_organization()
        make_user(organization, Role.ADMIN, email="boss@example.com")
        make_user(organization, Role.RECRUITER, email="rita@example.com")
        db.session.commit()
        organization_id = organization.id
    login(client, "boss@example.com")
    _age_authentication(app, "boss@example.com", 11)
    saved = submit(
        client,
        "/admin/organization",
        {"mfa_policy": "admins", "staff_email_domains": ""},
        action="/admin/organization/security",
    )
    assert "/account/confirm" in saved.headers["Location"]  # re-authentication first
    submit(client, saved.headers["Location"], {"password": PASSWORD})
    saved = submit(
        client,
        "/admin/organization",
        {"mfa_policy": "admins", "staff_email_domains": ""},
        action="/admin/organization/security",
    )
    assert saved.status_code == 302
    with app.app_context():
        assert (
            db.session.scalar(db.select(Organization.mfa_policy).where(Organization.id == organization_id))
            == "admins"
        )

    # The admin who saved it must enrol too: even signing out goes through the enrolment page.
    assert client.get("/app/").headers["Location"].endswith("/account/mfa/setup")
    submit(client, "/account/mfa/setup", {}, action="/logout")
    login(client, "boss@example.com")
    for path in ("/app/", "/admin/users", "/account"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].endswith("/account/mfa/setup"), (
            path
        )
    setup = client.get("/account/mfa/setup")
    assert "Your organization requires two-step sign-in" in text_of(setup)
    _enrol(client)
    assert client.get("/app/").status_code == 200
    refused = submit(client, "/account/security", {}, action="/account/mfa/disable")
    assert refused.status_code == 409

    recruiter = app.test_client()
    login(recruiter, "rita@example.com")
    assert recruiter.get("/app/").status_code == 200


def test_sessions_end_after_the_idle_timeout_as_well_as_the_absolute_limit(app, client):
    email = _make(app)
    login(client, email)
    assert client.get("/app/").status_code == 200
    with app.app_context():
        staff_session = db.session.scalar(db.select(StaffSession))
        staff_session.last_seen_at = utcnow() - timedelta(minutes=59)
        db.session.commit()
    assert client.get("/app/").status_code == 200  # use within the hour keeps it alive...
    with app.app_context():
        staff_session = db.session.scalar(db.select(StaffSession))
        assert staff_session.last_seen_at > utcnow() - timedelta(minutes=1)
        staff_session.last_seen_at = utcnow() - timedelta(minutes=61)
        db.session.commit()
    response = client.get("/app/")  # ...an hour without use ends it
    assert response.status_code == 302 and "/login" in response.headers["Location"]

    login(client, email)
    with app.app_context():
        for staff_session in db.session.scalars(
            db.select(StaffSession).where(StaffSession.revoked_at.is_(None))
        ):
            staff_session.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert client.get("/app/").status_code == 302


def test_idle_timeout_is_configurable(app_environ):
    app = _app_with(app_environ, SESSION_IDLE_MINUTES="5")
    client = app.test_client()
    email = _make(app)
    login(client, email)
    with app.app_context():
        db.session.scalar(db.select(StaffSession)).last_seen_at = utcnow() - timedelta(minutes=6)
        db.session.commit()
    assert client.get("/app/").status_code == 302


def test_each_person_sees_and_ends_their_own_sessions(app, client):
    email = _make(app)
    other_email = _make(app)
    laptop = _from(client, "198.51.100.23")
    laptop.environ_base["HTTP_USER_AGENT"] = "Laptop Browser/1.0"
    phone = _from(app.test_client(), "203.0.113.77")
    phone.environ_base["HTTP_USER_AGENT"] = "Phone Browser/2.0"
    tablet = app.test_client()
    tablet.environ_base["HTTP_USER_AGENT"] = "Tablet Browser/3.0"
    someone_else = app.test_client()
    login(laptop, email)
    login(phone, email)
    login(tablet, email)
    login(someone_else, other_email)

    page = text_of(laptop.get("/account/sessions"))
    assert "Laptop Browser/1.0" in page and "Phone Browser/2.0" in page and "Tablet Browser/3.0" in page
    assert "198.51.100.0/24" in page and "203.0.113.0/24" in page
    assert "198.51.100.23" not in page and "203.0.113.77" not in page
    with app.app_context():
        sessions = {s.user_agent: s.id for s in db.session.scalars(db.select(StaffSession))}
    other_person = sessions[
        next(
            agent
            for agent in sessions
            if "Laptop" not in agent and "Phone" not in agent and "Tablet" not in agent
        )
    ]
    assert (
        submit(laptop, "/account/sessions", {}, action=f"/account/sessions/{other_person}/end").status_code
        == 404
    )
    assert someone_else.get("/app/").status_code == 200

    ended = submit(
        laptop, "/account/sessions", {}, action=f"/account/sessions/{sessions['Phone Browser/2.0']}/end"
    )
    assert ended.status_code == 302
    assert phone.get("/app/").status_code == 302
    assert tablet.get("/app/").status_code == 200
    assert submit(laptop, "/account/sessions", {}, action="/account/sessions/end-others").status_code == 302
    assert tablet.get("/app/").status_code == 302
    assert laptop.get("/app/").status_code == 200
    assert "Tablet Browser/3.0" not in text_of(laptop.get("/account/sessions"))


def test_ending_other_sessions_needs_a_recent_authentication(app, client):
    email = _make(app)
    other = app.test_client()
    login(client, email)
    login(other, email)
    _age_authentication(app, email, 11)
    response = submit(client, "/account/sessions", {}, action="/account/sessions/end-others")
    assert "/account/confirm" in response.headers["Location"]
    assert other.get("/app/").status_code == 200


# --- 11. One rule for staff e-mail addresses ------------------------------------------------


def _cli_create(runner, email: str):
    return runner.invoke(
        args=["user", "create", "--org", "acme", "--email", email, "--name", "Ivo", "--role", "admin"],
        input=PASSWORD + "\n",
    )


def test_an_account_the_cli_creates_can_sign_in(app, runner, client):
    assert runner.invoke(args=["org", "create", "--name", "Acme", "--slug", "acme"]).exit_code == 0
    refused = _cli_create(runner, "ivo@corp.local")
    assert refused.exit_code != 0 and "not a public e-mail domain" in refused.output
    assert _cli_create(runner, "not an address").exit_code != 0

    # The organization runs on an intranet: an administrator allows its internal domain.
    assert _cli_create(runner, "boss@acme.example.com").exit_code == 0
    login(client, "boss@acme.example.com")
    saved = submit(
        client,
        "/admin/organization",
        {"mfa_policy": "off", "staff_email_domains": "corp.local\n"},
        action="/admin/organization/security",
    )
    assert saved.status_code == 302
    created = _cli_create(runner, "Ivo@Corp.Local")
    assert created.exit_code == 0, created.output
    signed_in = login(app.test_client(), "ivo@corp.local")
    assert signed_in.status_code == 302


def test_invitations_and_sign_in_follow_the_same_rule(app, client):
    with app.app_context():
        organization = make_organization()
        make_user(organization, Role.ADMIN, email="boss@example.com")
        db.session.commit()
    login(client, "boss@example.com")
    refused = submit(
        client,
        "/admin/users",
        {"name": "Ina", "email": "ina@intranet", "role": "recruiter"},
        action="/admin/users/invite",
    )
    assert refused.status_code == 400 and "not a public e-mail domain" in text_of(refused)
    bad = submit(
        client,
        "/admin/organization",
        {"mfa_policy": "off", "staff_email_domains": "not a/domain"},
        action="/admin/organization/security",
    )
    assert bad.status_code == 400
    submit(
        client,
        "/admin/organization",
        {"mfa_policy": "off", "staff_email_domains": "intranet"},
        action="/admin/organization/security",
    )
    invited = submit(
        client,
        "/admin/users",
        {"name": "Ina", "email": "ina@intranet", "role": "recruiter"},
        action="/admin/users/invite",
    )
    assert invited.status_code == 302
    link = link_in_mail(app, "ina@intranet", "invitation/")
    newcomer = app.test_client()
    accepted = submit(newcomer, link, {"name": "Ina", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert accepted.status_code == 302
    logout(newcomer)
    assert login(newcomer, "ina@intranet", NEW_PASSWORD).status_code == 302


@pytest.mark.single_database
@pytest.mark.parametrize(
    ("email", "internal", "accepted"),
    [
        ("a@example.com", "", True),
        ("A@Example.COM ", "", True),
        ("a@corp.local", "", False),
        ("a@corp.local", "corp.local", True),
        ("a@eu.corp.local", "corp.local", True),
        ("a@notcorp.local", "corp.local", False),
        ("a@x.test", "corp.local", False),
        ("a b@example.com", "", False),
        ("a@-bad.example.com", "", False),
        ("a@@example.com", "", False),
    ],
)
def test_one_rule_for_staff_addresses(email, internal, accepted):
    from app.auth.emails import check_staff_email, email_shape_problem
    from app.core.errors import Invalid

    app = create_app(TestingConfig({"DATABASE_URL": "sqlite://"}))
    with app.test_request_context():
        try:
            normalized = check_staff_email(email, internal.split())
        except Invalid:
            assert not accepted
        else:
            assert accepted and normalized == email.strip().lower()
            assert email_shape_problem(email) is None  # whatever can be created passes sign-in's check


def test_an_admin_or_the_cli_resets_a_lost_second_factor(app, client, runner):
    with app.app_context():
        organization = make_organization()
        make_user(organization, Role.ADMIN, email="boss@example.com")
        make_user(organization, Role.RECRUITER, email="rita@example.com")
        db.session.commit()
        rita_id = _user("rita@example.com").id
    rita = app.test_client()
    login(rita, "rita@example.com")
    _enrol(rita)
    login(client, "boss@example.com")
    assert "Reset two-step sign-in" in text_of(client.get("/admin/users"))
    assert submit(client, "/admin/users", {}, action=f"/admin/users/{rita_id}/reset-mfa").status_code == 302
    assert rita.get("/app/").status_code == 302  # her sessions ended
    assert login(rita, "rita@example.com").headers["Location"].endswith("/app/")  # password alone now

    _enrol(rita)
    result = runner.invoke(args=["user", "reset-mfa", "--email", "Rita@example.com"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert not _user("rita@example.com").mfa_enabled
    assert runner.invoke(args=["user", "reset-mfa", "--email", "nobody@example.com"]).exit_code != 0
