# SPDX-License-Identifier: AGPL-3.0-or-later
"""Staff accounts, their server-side sessions and single-use tokens."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.extensions import Model
from app.models.base import UTCDateTime, enum_column, utcnow
from app.models.organization import Organization


class Role(enum.StrEnum):
    """What a staff member may do; admins manage the organization."""

    ADMIN = "admin"
    RECRUITER = "recruiter"
    MANAGER = "manager"
    EMPLOYEE = "employee"


class TokenPurpose(enum.StrEnum):
    """Why a single-use token was issued."""

    INVITE = "invite"
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a purpose name, not a secret


class User(UserMixin, Model):
    """A staff member of one organization (admin, recruiter, manager or employee)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(enum_column(Role, "user_role", length=16))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    language: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Multi-factor sign-in: the TOTP secret encrypted with a key derived from SECRET_KEY (set at
    # enrolment, confirmed by mfa_enabled_at) and the last time step accepted, so no code is used twice.
    mfa_secret: Mapped[str | None] = mapped_column(String(255))
    mfa_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    mfa_last_step: Mapped[int | None] = mapped_column()

    organization: Mapped[Organization] = relationship(back_populates="users")

    # Set by the login machinery: the server-side session this request runs under.
    current_session = None  # type: StaffSession | None

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None

    @property
    def mfa_enabled(self) -> bool:
        return self.mfa_enabled_at is not None

    def get_id(self) -> str | None:
        """Flask-Login stores the session token, so revoking the session logs out."""
        return self.current_session.cookie_token if self.current_session else None

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class StaffSession(Model):
    """A signed-in browser; revoking the row ends that session on the server."""

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_agent: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Coarse network of the browser that signed in (IPv4 /24, IPv6 /48), shown to its owner.
    ip_network: Mapped[str] = mapped_column(String(64), default="", server_default="")
    # When the person last proved who they are in this session (sign-in or re-authentication).
    authenticated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    # The raw token lives only in the cookie; it is kept here for the request that made it.
    cookie_token = None  # type: str | None


class AuthToken(Model):
    """A single-use, expiring token sent by e-mail (invitation or password reset)."""

    __tablename__ = "auth_tokens"
    __table_args__ = (Index("ix_auth_tokens_user_purpose", "user_id", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    purpose: Mapped[TokenPurpose] = mapped_column(enum_column(TokenPurpose, "token_purpose"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class MfaRecoveryCode(Model):
    """A one-time code that replaces the authenticator app once; only its keyed hash is stored."""

    __tablename__ = "mfa_recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
