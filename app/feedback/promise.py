# SPDX-License-Identifier: AGPL-3.0-or-later
"""No candidate without an answer: applications waiting past the organization's response promise.

An application got an answer once it has a message or a stage change made by staff; until then,
and while it is open, it counts as waiting from the day it was submitted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from app.core import mail
from app.core.audit import record_audit
from app.core.errors import Invalid, PermissionDenied
from app.core.extensions import db
from app.core.urls import public_url
from app.models import (
    Application,
    ApplicationStageChange,
    CandidateMessage,
    Organization,
    ResponseDigest,
    Role,
    User,
    utcnow,
)
from app.pipeline.stages import stages_for

logger = logging.getLogger(__name__)
MIN_PROMISE_DAYS, MAX_PROMISE_DAYS = 1, 90
DASHBOARD_LIMIT = 10
DIGEST_LIMIT = 50
DIGEST_ROLES = (Role.ADMIN, Role.RECRUITER)


@dataclass(frozen=True)
class WaitingApplication:
    """An open application nobody answered yet, and for how many days."""

    application: Application
    days_waiting: int


@dataclass(frozen=True)
class WaitingSummary:
    """The oldest waiting applications a colleague may see, and how many there are in all."""

    promise_days: int
    items: list[WaitingApplication] = field(default_factory=list)
    total: int = 0


@dataclass
class DigestReport:
    """What one digest pass did."""

    sent: int = 0
    skipped: int = 0


def answered(application_id_column=Application.id):
    """SQL condition: the application has a message or a stage change made by staff."""
    has_message = db.select(CandidateMessage.id).where(
        CandidateMessage.application_id == application_id_column
    )
    moved_by_staff = db.select(ApplicationStageChange.id).where(
        ApplicationStageChange.application_id == application_id_column,
        ApplicationStageChange.actor_user_id.is_not(None),
    )
    return db.or_(has_message.exists(), moved_by_staff.exists())


def waiting_query(organization: Organization, now: datetime, job_ids: list[int] | None = None):
    """The select of the organization's open applications left unanswered past its promise, oldest first."""
    end_keys = [stage.key for stage in stages_for(organization.id, include_archived=True) if stage.is_end]
    cutoff = now - timedelta(days=organization.response_promise_days)
    query = (
        db.select(Application)
        .join(Application.candidate)
        .join(Application.job)
        .where(
            Application.organization_id == organization.id,
            Application.closed_at.is_(None),
            Application.stage.not_in(end_keys),
            Application.submitted_at < cutoff,
            db.not_(answered()),
        )
    )
    if job_ids is not None:
        query = query.where(Application.job_id.in_(job_ids))
    return query


def waiting_applications(
    organization: Organization, now: datetime, job_ids: list[int] | None = None, limit: int | None = None
) -> tuple[list[WaitingApplication], int]:
    """The waiting applications (the oldest ``limit``) and how many there are."""
    query = waiting_query(organization, now, job_ids)
    total = db.session.scalar(query.with_only_columns(db.func.count(Application.id)).order_by(None)) or 0
    rows = db.session.scalars(
        query.options(contains_eager(Application.candidate), contains_eager(Application.job))
        .order_by(Application.submitted_at, Application.id)
        .limit(limit)
    ).all()
    return [WaitingApplication(row, (now - row.submitted_at).days) for row in rows], total


def visible_job_ids(actor: User) -> list[int] | None:
    """None when the actor sees every job's applications; managers and employees see none here.

    Answering candidates is the recruiters' promise; managers only see shortlists shared with them.
    """
    if actor.role in (Role.ADMIN, Role.RECRUITER):
        return None
    return []


def waiting_for(
    actor: User, now: datetime | None = None, limit: int = DASHBOARD_LIMIT
) -> WaitingSummary | None:
    """The dashboard card's content for a colleague; None for those who see no applications."""
    organization = actor.organization
    job_ids = visible_job_ids(actor)
    if job_ids == []:
        return None
    items, total = waiting_applications(organization, now or utcnow(), job_ids, limit)
    return WaitingSummary(organization.response_promise_days, items, total)


def update_response_promise(actor: User, days: int) -> Organization:
    """Set how many days every applicant should wait at most for an answer (admins only)."""
    if actor.role != Role.ADMIN:
        raise PermissionDenied(str(_l("Only administrators can change the response promise.")))
    if not MIN_PROMISE_DAYS <= days <= MAX_PROMISE_DAYS:
        raise Invalid(
            str(
                _l(
                    "Choose between %(min)d and %(max)d days.",
                    min=MIN_PROMISE_DAYS,
                    max=MAX_PROMISE_DAYS,
                )
            ),
            field="response_promise_days",
        )
    organization = actor.organization
    organization.response_promise_days = days
    record_audit(
        organization.id,
        actor,
        "organization.response_promise_updated",
        "organization",
        organization.id,
        days=days,
    )
    db.session.flush()
    return organization


# -- the daily digest ------------------------------------------------------------------------


def digest_recipients(organization: Organization) -> list[User]:
    """The colleagues who answer candidates: active admins and recruiters with a password set."""
    return list(
        db.session.scalars(
            db.select(User)
            .where(
                User.organization_id == organization.id,
                User.role.in_(DIGEST_ROLES),
                User.active.is_(True),
                User.password_hash.is_not(None),
            )
            .order_by(User.id)
        )
    )


def claim_digest(organization: Organization, user: User, day: date, count: int) -> bool:
    """Record today's digest for a colleague; False if it was already sent (idempotent per day)."""
    already = db.session.scalar(
        db.select(ResponseDigest.id).where(ResponseDigest.user_id == user.id, ResponseDigest.sent_on == day)
    )
    if already is not None:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(
                ResponseDigest(
                    organization_id=organization.id, user_id=user.id, sent_on=day, application_count=count
                )
            )
    except IntegrityError:
        return False  # another worker claimed it at the same moment
    return True


def send_organization_digests(organization: Organization, now: datetime) -> DigestReport:
    """Mail today's digest to each recipient who has not had it yet, if anyone is waiting."""
    report = DigestReport()
    items, total = waiting_applications(organization, now, limit=DIGEST_LIMIT)
    if total == 0:
        return report
    for user in digest_recipients(organization):
        if not claim_digest(organization, user, now.date(), total):
            report.skipped += 1
            continue
        mail_digest(organization, user, items, total)
        report.sent += 1
    return report


def mail_digest(organization: Organization, user: User, items: list[WaitingApplication], total: int) -> None:
    """The digest e-mail: who is waiting, for how long, with links to their applications."""
    mail.send_mail(
        to=user.email,
        subject=lazy_ngettext(
            "%(num)d candidate is waiting for an answer",
            "%(num)d candidates are waiting for an answer",
            total,
        ),
        template="response_digest",
        organization=organization,
        locale=user.language,
        user=user,
        items=[
            (item, public_url("applications.detail", public_id=item.application.public_id)) for item in items
        ],
        total=total,
        more=max(total - len(items), 0),
        promise_days=organization.response_promise_days,
        dashboard_url=public_url("dashboard.index"),
    )


def send_response_digests(now: datetime | None = None) -> DigestReport:
    """The daily pass over every organization, committing per organization."""
    now = now or utcnow()
    report = DigestReport()
    organization_ids = db.session.scalars(db.select(Organization.id).order_by(Organization.id)).all()
    for organization_id in organization_ids:
        try:
            organization = db.session.get_one(Organization, organization_id)
            done = send_organization_digests(organization, now)
            db.session.commit()
        except Exception:
            # One organization's failure must not keep the others' candidates waiting.
            db.session.rollback()
            logger.exception("Response digest failed for organization %s", organization_id)
            continue
        report.sent += done.sent
        report.skipped += done.skipped
    return report
