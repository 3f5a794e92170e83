# SPDX-License-Identifier: AGPL-3.0-or-later
"""Rules of authentication: credentials, server-side sessions and single-use tokens."""

from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.auth import mfa
from app.auth.emails import normalize_email
from app.auth.passwords import password_problems
from app.core.errors import Gone, Invalid, NotFound
from app.core.extensions import db
from app.core.security import hash_password, hash_token, new_token, password_needs_rehash, verify_password
from app.models import AuthToken, StaffSession, TokenPurpose, User, utcnow
from config import SUPPORTED_LANGUAGES

# How stale ``last_seen_at`` may get before a request writes it again (saves a write per request).
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


def find_user_by_email(email: str) -> User | None:
    """The staff account with this e-mail, if any."""
    return db.session.scalar(db.select(User).where(User.email == normalize_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None (same effort either way)."""
    user = find_user_by_email(email)
    valid = verify_password(user.password_hash if user else None, password)
    if not (user and user.password_hash and valid and user.active):
        return None
    if password_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def coarse_network(ip: str | None) -> str:
    """The network an address belongs to, coarse enough to say where without saying who (/24, /48)."""
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return ""
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def start_session(user: User, *, user_agent: str, lifetime: timedelta, ip_network: str = "") -> StaffSession:
    """Open a server-side session for a signed-in browser (it counts as a fresh authentication)."""
    raw, token_hash = new_token()
    now = utcnow()
    staff_session = StaffSession(
        user=user,
        token_hash=token_hash,
        user_agent=user_agent[:255],
        ip_network=ip_network[:64],
        created_at=now,
        last_seen_at=now,
        authenticated_at=now,
        expires_at=now + lifetime,
    )
    staff_session.cookie_token = raw
    user.current_session = staff_session
    user.last_login_at = now
    db.session.add(staff_session)
    db.session.flush()
    return staff_session


def session_is_live(
    staff_session: StaffSession, idle_timeout: timedelta, now: datetime | None = None
) -> bool:
    """Not revoked, not past its absolute limit and used within the idle timeout."""
    now = now or utcnow()
    return (
        staff_session.revoked_at is None
        and staff_session.expires_at > now
        and staff_session.last_seen_at + idle_timeout > now
    )


def load_session_user(cookie_token: str) -> User | None:
    """Flask-Login loader: the user of a live session (unrevoked, unexpired, not idle too long)."""
    staff_session = db.session.scalar(
        db.select(StaffSession).where(StaffSession.token_hash == hash_token(cookie_token))
    )
    if staff_session is None or not staff_session.user.active:
        return None
    if not session_is_live(staff_session, current_app.config["SESSION_IDLE_TIMEOUT"]):
        return None
    staff_session.cookie_token = cookie_token
    staff_session.user.current_session = staff_session
    return staff_session.user


def touch_session(staff_session: StaffSession) -> bool:
    """Note that the session is in use; True when the row changed (the caller commits)."""
    now = utcnow()
    if now - staff_session.last_seen_at < LAST_SEEN_RESOLUTION:
        return False
    staff_session.last_seen_at = now
    return True


def list_active_sessions(user: User, idle_timeout: timedelta) -> list[StaffSession]:
    """The user's own live sessions, most recently used first."""
    now = utcnow()
    sessions = db.session.scalars(
        db.select(StaffSession)
        .where(
            StaffSession.user_id == user.id,
            StaffSession.revoked_at.is_(None),
            StaffSession.expires_at > now,
            StaffSession.last_seen_at > now - idle_timeout,
        )
        .order_by(StaffSession.last_seen_at.desc(), StaffSession.id.desc())
    )
    return list(sessions)


def end_own_session(user: User, session_id: int) -> StaffSession:
    """End one of the user's own sessions; NotFound for anyone else's."""
    staff_session = db.session.scalar(
        db.select(StaffSession).where(StaffSession.id == session_id, StaffSession.user_id == user.id)
    )
    if staff_session is None:
        raise NotFound(str(_l("No such session.")))
    revoke_session(staff_session)
    return staff_session


def end_other_sessions(user: User, current: StaffSession | None) -> int:
    """End every session of the user except the one making the request."""
    sessions = db.session.scalars(
        db.select(StaffSession).where(
            StaffSession.user_id == user.id,
            StaffSession.revoked_at.is_(None),
            StaffSession.id != (current.id if current else -1),
        )
    ).all()
    for staff_session in sessions:
        revoke_session(staff_session)
    return len(sessions)


def needs_reauthentication(staff_session: StaffSession | None, window: timedelta) -> bool:
    """True when the person has not proved who they are in this session within ``window``."""
    if staff_session is None or staff_session.authenticated_at is None:
        return True
    return staff_session.authenticated_at + window <= utcnow()


def reauthenticate(user: User, staff_session: StaffSession, password: str, code: str | None) -> None:
    """Prove again who one is: the password, and a second-factor code when enrolled."""
    if not verify_password(user.password_hash, password):
        raise Invalid(str(_l("The password is not correct.")), field="password")
    if user.mfa_enabled and not mfa.verify_second_factor(user, code or ""):
        raise Invalid(str(_l("That code is not right.")), field="code")
    staff_session.authenticated_at = utcnow()


def revoke_session(staff_session: StaffSession | None) -> None:
    """End one session on the server: its cookie stops working."""
    if staff_session is not None and staff_session.revoked_at is None:
        staff_session.revoked_at = utcnow()


def revoke_all_sessions(user: User) -> int:
    """End every open session of a user (password change, reset, deactivation)."""
    sessions = db.session.scalars(
        db.select(StaffSession).where(StaffSession.user_id == user.id, StaffSession.revoked_at.is_(None))
    ).all()
    for staff_session in sessions:
        revoke_session(staff_session)
    return len(sessions)


def check_new_password(user: User, password: str, confirmation: str | None = None) -> None:
    """Apply the password policy; raises Invalid on the ``password`` field."""
    if confirmation is not None and password != confirmation:
        raise Invalid(str(_l("The two passwords do not match.")), field="confirm")
    problems = password_problems(password, [user.email, user.name, user.email.split("@")[0]])
    if problems:
        raise Invalid(problems[0], field="password")


def set_password(user: User, password: str) -> None:
    """Store a new password and end every existing session of the user."""
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    revoke_all_sessions(user)
    # A reset link asked for before this change must not undo it.
    expire_unused_tokens(user, TokenPurpose.PASSWORD_RESET)


def change_password(user: User, current: str, new: str, confirmation: str) -> None:
    """A signed-in user replaces their password; all their sessions end."""
    if not verify_password(user.password_hash, current):
        raise Invalid(str(_l("The current password is not correct.")), field="current_password")
    check_new_password(user, new, confirmation)
    set_password(user, new)


def update_profile(user: User, *, name: str, language: str | None) -> User:
    """Change one's own display name and preferred language (None: the organization's)."""
    if not name.strip():
        raise Invalid(str(_l("Tell us your name.")), field="name")
    if language and language not in SUPPORTED_LANGUAGES:
        raise Invalid(str(_l("Choose English or Italian.")), field="language")
    user.name = name.strip()[:120]
    user.language = language or None
    return user


def issue_token(user: User, purpose: TokenPurpose, ttl: timedelta) -> str:
    """A fresh single-use token for ``purpose``; older unused ones stop working."""
    expire_unused_tokens(user, purpose)
    raw, token_hash = new_token()
    db.session.add(AuthToken(user=user, purpose=purpose, token_hash=token_hash, expires_at=utcnow() + ttl))
    db.session.flush()
    return raw


def expire_unused_tokens(user: User, purpose: TokenPurpose | None = None) -> None:
    """Void the user's unused tokens of ``purpose`` (of every purpose when None)."""
    now = utcnow()
    query = db.select(AuthToken).where(AuthToken.user_id == user.id, AuthToken.used_at.is_(None))
    if purpose is not None:
        query = query.where(AuthToken.purpose == purpose)
    for token in db.session.scalars(query):
        token.used_at = now


def redeem_token(raw: str, purpose: TokenPurpose) -> AuthToken:
    """The valid token behind ``raw``; Gone when unknown, used or expired."""
    token = peek_token(raw, purpose)
    token.used_at = utcnow()
    return token


def peek_token(raw: str, purpose: TokenPurpose) -> AuthToken:
    """Look a token up without using it (to show the form it unlocks)."""
    token = db.session.scalar(db.select(AuthToken).where(AuthToken.token_hash == hash_token(raw)))
    if token is None or token.purpose != purpose or token.used_at is not None:
        raise Gone(str(_l("This link is no longer valid. Ask for a new one.")))
    if token.expires_at <= utcnow() or not token.user.active:
        raise Gone(str(_l("This link has expired. Ask for a new one.")))
    changed = token.user.password_changed_at
    if token.purpose == TokenPurpose.PASSWORD_RESET and changed is not None and token.created_at < changed:
        raise Gone(str(_l("This link is no longer valid. Ask for a new one.")))
    return token


def request_password_reset(email: str, ttl: timedelta) -> tuple[User, str] | None:
    """A reset token for an active account, or None; the caller answers the same either way."""
    user = find_user_by_email(email)
    if user is None or not user.active or not user.has_password:
        return None
    return user, issue_token(user, TokenPurpose.PASSWORD_RESET, ttl)


def reset_password(raw: str, password: str, confirmation: str) -> User:
    """Use a reset link once: new password, every session ended."""
    token = peek_token(raw, TokenPurpose.PASSWORD_RESET)
    check_new_password(token.user, password, confirmation)
    redeem_token(raw, TokenPurpose.PASSWORD_RESET)
    set_password(token.user, password)
    return token.user


def accept_invitation(raw: str, name: str, password: str, confirmation: str) -> User:
    """An invited person chooses their password and becomes an active account."""
    token = peek_token(raw, TokenPurpose.INVITE)
    user = token.user
    if name.strip():
        user.name = name.strip()
    check_new_password(user, password, confirmation)
    redeem_token(raw, TokenPurpose.INVITE)
    set_password(user, password)
    return user


def token_expires_at(raw: str, purpose: TokenPurpose) -> datetime:
    """When a still-valid token expires (for telling the user)."""
    return peek_token(raw, purpose).expires_at
