# SPDX-License-Identifier: AGPL-3.0-or-later
"""Rules for managing staff: invitations, roles, deactivation, all inside one organization."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l

from app.auth.emails import check_staff_email
from app.auth.mfa import remove_second_factor
from app.auth.services import (
    check_new_password,
    expire_unused_tokens,
    issue_token,
    revoke_all_sessions,
    set_password,
)
from app.core.audit import record_audit
from app.core.errors import Conflict, Invalid, NotFound, PermissionDenied
from app.core.extensions import db
from app.models import AuthToken, Organization, Role, TokenPurpose, User, utcnow


@dataclass(frozen=True)
class PendingInvitation:
    """An invited colleague who has not chosen a password yet."""

    user: User
    expires_at: datetime | None

    @property
    def expired(self) -> bool:
        return self.expires_at is None or self.expires_at <= utcnow()


def parse_role(value: str) -> Role:
    """The Role named by ``value``; Invalid lists the accepted names."""
    try:
        return Role(value.strip().lower())
    except ValueError:
        raise Invalid(
            str(_l("Unknown role “%(role)s”. Use one of: %(roles)s.", role=value, roles=", ".join(Role))),
            field="role",
        ) from None


def internal_email_domains(organization: Organization) -> list[str]:
    """The internal domains the organization allows for staff addresses."""
    return organization.staff_email_domains.split()


def _ensure_email_free(organization: Organization, email: str) -> str:
    email = check_staff_email(email, internal_email_domains(organization))
    if db.session.scalar(db.select(User.id).where(User.email == email)) is not None:
        raise Conflict(
            str(_l("A staff account with the e-mail %(email)s already exists.", email=email)), field="email"
        )
    return email


def create_user(organization: Organization, *, email: str, name: str, role: Role, password: str) -> User:
    """A ready-to-use account with a password (used by the CLI and the demo)."""
    user = User(
        organization=organization,
        email=_ensure_email_free(organization, email),
        name=name.strip()[:120],
        role=role,
    )
    check_new_password(user, password)
    db.session.add(user)
    set_password(user, password)
    db.session.flush()
    return user


def invite_user(actor: User, *, email: str, name: str, role: Role, ttl: timedelta) -> tuple[User, str]:
    """Create an account without a password and a single-use invitation token."""
    _require_admin(actor)
    user = User(
        organization=actor.organization,
        email=_ensure_email_free(actor.organization, email),
        name=name.strip()[:120],
        role=role,
    )
    db.session.add(user)
    db.session.flush()
    token = issue_token(user, TokenPurpose.INVITE, ttl)
    record_audit(actor.organization_id, actor, "user.invited", "user", user.id, role=role.value)
    return user, token


def resend_invitation(actor: User, user_id: int, ttl: timedelta) -> tuple[User, str]:
    """A new invitation link for someone who has not accepted yet (the old link stops working)."""
    user = get_member(actor, user_id)
    if user.has_password:
        raise Conflict(str(_l("%(name)s has already accepted the invitation.", name=user.name)))
    token = issue_token(user, TokenPurpose.INVITE, ttl)
    record_audit(actor.organization_id, actor, "user.invitation_resent", "user", user.id)
    return user, token


def change_role(actor: User, user_id: int, role: Role) -> User:
    """Give a colleague another role; the organization always keeps an active admin."""
    user = get_member(actor, user_id)
    if user.role == Role.ADMIN and role != Role.ADMIN:
        _ensure_another_admin(user)
    previous = user.role
    user.role = role
    record_audit(
        actor.organization_id,
        actor,
        "user.role_changed",
        "user",
        user.id,
        previous=previous.value,
        role=role.value,
    )
    return user


def deactivate_user(actor: User, user_id: int) -> User:
    """Block a colleague from signing in, end their sessions and void their pending links now."""
    user = get_member(actor, user_id)
    if user.id == actor.id:
        raise Invalid(str(_l("You cannot deactivate your own account.")))
    if user.role == Role.ADMIN:
        _ensure_another_admin(user)
    user.active = False
    revoke_all_sessions(user)
    # A later reactivation must not bring an old invitation or reset link back to life.
    expire_unused_tokens(user)
    record_audit(actor.organization_id, actor, "user.deactivated", "user", user.id)
    return user


def reset_member_mfa(actor: User | None, user: User) -> User:
    """Remove the second factor of someone who lost their phone and codes; their sessions end.

    They sign in with their password next time and enrol again if the organization requires it.
    ``actor`` is None when done from the command line.
    """
    if actor is not None:
        _require_admin(actor)
        if user.organization_id != actor.organization_id:
            raise NotFound(str(_l("No such colleague in your organization.")))
        if user.id == actor.id:
            raise Invalid(str(_l("Use your own security page to change your two-step sign-in.")))
    remove_second_factor(user)
    revoke_all_sessions(user)
    record_audit(user.organization_id, actor, "user.mfa_reset", "user", user.id)
    return user


def reactivate_user(actor: User, user_id: int) -> User:
    """Let a deactivated colleague sign in again."""
    user = get_member(actor, user_id)
    user.active = True
    record_audit(actor.organization_id, actor, "user.reactivated", "user", user.id)
    return user


def get_member(actor: User, user_id: int) -> User:
    """A colleague in the actor's organization (admins only); NotFound for anyone else's."""
    _require_admin(actor)
    user = db.session.scalar(
        db.select(User).where(User.id == user_id, User.organization_id == actor.organization_id)
    )
    if user is None:
        raise NotFound(str(_l("No such colleague in your organization.")))
    return user


def list_members(actor: User) -> list[User]:
    """Everyone in the actor's organization, admins first, then by name."""
    return list(
        db.session.scalars(
            db.select(User)
            .where(User.organization_id == actor.organization_id)
            .order_by(User.role, User.name)
        )
    )


def pending_invitations(organization_id: int) -> list[PendingInvitation]:
    """Colleagues invited but not yet signed up, with when their link expires."""
    latest_expiry = (
        db.select(db.func.max(AuthToken.expires_at))
        .where(
            AuthToken.user_id == User.id,
            AuthToken.purpose == TokenPurpose.INVITE,
            AuthToken.used_at.is_(None),
        )
        .correlate(User)
        .scalar_subquery()
    )
    rows = db.session.execute(
        db.select(User, latest_expiry)
        .where(User.organization_id == organization_id, User.password_hash.is_(None), User.active.is_(True))
        .order_by(User.created_at.desc())
    )
    return [PendingInvitation(user, expires) for user, expires in rows]


def _require_admin(actor: User) -> None:
    if actor.role != Role.ADMIN:
        raise PermissionDenied(str(_l("Only administrators can manage colleagues.")))


def _ensure_another_admin(user: User) -> None:
    others = db.session.scalar(
        db.select(db.func.count(User.id)).where(
            User.organization_id == user.organization_id,
            User.role == Role.ADMIN,
            User.active.is_(True),
            User.id != user.id,
        )
    )
    if not others:
        raise Conflict(str(_l("The organization needs at least one active administrator.")))
