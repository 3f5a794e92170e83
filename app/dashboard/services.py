# SPDX-License-Identifier: AGPL-3.0-or-later
"""What the staff home page shows: the state of the organization and what needs doing."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.admin.services import PendingInvitation, pending_invitations
from app.core.extensions import db
from app.models import AuditEvent, Organization, Role, User


@dataclass(frozen=True)
class SetupStep:
    """One step of getting the organization ready, done or not."""

    key: str
    done: bool


@dataclass(frozen=True)
class Overview:
    """Figures and lists for the dashboard of one organization."""

    organization: Organization
    members_by_role: dict[Role, int]
    inactive_members: int
    pending: list[PendingInvitation]
    setup: list[SetupStep]
    recent_activity: list[AuditEvent] = field(default_factory=list)

    @property
    def active_members(self) -> int:
        return sum(self.members_by_role.values())


def organization_overview(actor: User) -> Overview:
    """The dashboard figures for the actor's organization; admins also see activity."""
    organization = actor.organization
    counts = dict(
        db.session.execute(
            db.select(User.role, db.func.count(User.id))
            .where(
                User.organization_id == organization.id,
                User.active.is_(True),
                User.password_hash.is_not(None),
            )
            .group_by(User.role)
        ).all()
    )
    inactive = db.session.scalar(
        db.select(db.func.count(User.id)).where(
            User.organization_id == organization.id, User.active.is_(False)
        )
    )
    members_by_role = {role: counts.get(role, 0) for role in Role}
    is_admin = actor.role == Role.ADMIN
    return Overview(
        organization=organization,
        members_by_role=members_by_role,
        inactive_members=inactive or 0,
        pending=pending_invitations(organization.id) if is_admin else [],
        setup=_setup_steps(organization, members_by_role),
        recent_activity=_recent_activity(organization.id) if is_admin else [],
    )


def _setup_steps(organization: Organization, members_by_role: dict[Role, int]) -> list[SetupStep]:
    return [
        SetupStep("logo", organization.logo_key is not None),
        SetupStep("recruiter", members_by_role[Role.RECRUITER] > 0),
        SetupStep("manager", members_by_role[Role.MANAGER] > 0),
        SetupStep("employee", members_by_role[Role.EMPLOYEE] > 0),
    ]


def _recent_activity(organization_id: int, limit: int = 10) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            db.select(AuditEvent)
            .where(AuditEvent.organization_id == organization_id)
            .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
    )
