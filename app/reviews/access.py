# SPDX-License-Identifier: AGPL-3.0-or-later
"""What a hiring manager may see: only the applications on shortlists shared with them.

The applications area asks these questions for its own pages, so this module imports models only.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Select, or_

from app.core.audit import record_audit
from app.core.extensions import db
from app.models import Application, Role, User, utcnow
from app.models.review import Shortlist, ShortlistEntry, ShortlistShare


def share_is_active(now: datetime | None = None) -> ColumnElement[bool]:
    """The SQL condition of a share that is neither revoked nor expired."""
    moment = now or utcnow()
    return (ShortlistShare.revoked_at.is_(None)) & or_(
        ShortlistShare.expires_at.is_(None), ShortlistShare.expires_at > moment
    )


def active_manager_shares(user: User) -> Select:
    """The user's running shares (as a manager), within their organization."""
    return (
        db.select(ShortlistShare)
        .join(Shortlist, Shortlist.id == ShortlistShare.shortlist_id)
        .where(
            ShortlistShare.user_id == user.id,
            Shortlist.organization_id == user.organization_id,
            share_is_active(),
        )
    )


def shared_application_ids(user: User) -> Select:
    """The ids of the applications on shortlists actively shared with ``user``."""
    return (
        db.select(ShortlistEntry.application_id)
        .join(ShortlistShare, ShortlistShare.shortlist_id == ShortlistEntry.shortlist_id)
        .join(Shortlist, Shortlist.id == ShortlistEntry.shortlist_id)
        .where(
            ShortlistShare.user_id == user.id,
            Shortlist.organization_id == user.organization_id,
            share_is_active(),
        )
    )


def shared_job_ids(user: User) -> Select:
    """The ids of the jobs with a shortlist actively shared with ``user``."""
    return (
        db.select(Shortlist.job_id)
        .join(ShortlistShare, ShortlistShare.shortlist_id == Shortlist.id)
        .where(
            ShortlistShare.user_id == user.id,
            Shortlist.organization_id == user.organization_id,
            share_is_active(),
        )
    )


def is_application_shared_with(user: User, application: Application) -> bool:
    """Whether ``application`` is on a shortlist actively shared with ``user``."""
    query = shared_application_ids(user).where(ShortlistEntry.application_id == application.id).limit(1)
    return db.session.scalar(query) is not None


def is_job_shared_with(user: User, job_id: int) -> bool:
    """Whether a shortlist of the job is actively shared with ``user``."""
    query = active_manager_shares(user).where(Shortlist.job_id == job_id).limit(1)
    return db.session.scalar(query) is not None


def sees_only_shared(user: User) -> bool:
    """Hiring managers see only what recruiters shared with them."""
    return user.role == Role.MANAGER


def share_for_application(user: User, application: Application) -> ShortlistShare | None:
    """The running share through which a manager reaches ``application`` (for the audit trail)."""
    query = (
        active_manager_shares(user)
        .join(ShortlistEntry, ShortlistEntry.shortlist_id == Shortlist.id)
        .where(ShortlistEntry.application_id == application.id)
        .order_by(ShortlistShare.id)
        .limit(1)
    )
    return db.session.scalar(query)


def record_share_event(
    share: ShortlistShare,
    action: str,
    subject_type: str = "shortlist",
    subject_id: int | None = None,
    actor: User | None = None,
    **details: object,
) -> None:
    """Put a view or an action through a share in the audit trail, naming the share.

    Outside reviewers have no account, so their events have no actor; a manager's carry the manager.
    """
    record_audit(
        share.shortlist.organization_id,
        actor,
        action,
        subject_type,
        subject_id if subject_id is not None else share.shortlist_id,
        share_id=share.id,
        share_kind="link" if share.is_link else "manager",
        share_label=share.label,
        shortlist_id=share.shortlist_id,
        **details,
    )
