# SPDX-License-Identifier: AGPL-3.0-or-later
"""Candidate data retention: when a candidate's data is due, the notice before, and the erasure.

The rules, per organization (``retention_days``, ``talent_pool_retention_days``,
``retention_action``):

- An application is *closed* when its ``closed_at`` is set (withdrawn, rejected, hired), when
  its stage is withdrawn, or when its job is closed. Its closing time is, in this order: its own
  ``closed_at``; for a withdrawal without one, its last stage change (else its submission); for
  a closed job, the job's ``closed_at``.
- A candidate's *retention start* is the latest closing time of their applications, and exists
  only when every one of them is closed: a candidate with any open application is never due.
  A candidate without applications counts from the creation of the record.
- The *due date* is the retention start plus ``retention_days``, or plus
  ``talent_pool_retention_days`` when the candidate agreed to the talent pool.
- Within the 7 days before the due date, one notice e-mail goes out, in the candidate's language
  (else the organization's), with the organization's branding: what will happen after which
  date and how to get a copy of the data first (the candidate portal's link request page; if
  the portal is not installed, a reply, addressed to the first active administrator).
  ``retention_notice_sent_at`` records it; a notice sent before the current due date's 7-day
  window (for instance before the candidate applied again) does not count, so every new due
  date gets its own notice.
- On or after the due date the organization's action runs, whether or not a notice went out
  (a late run, or a shortened period, must not keep data longer than promised). "delete"
  removes the candidate with every row and file; "anonymize" keeps the application rows for
  statistics and erases everything personal (see :func:`anonymize_candidate`). Anonymized
  candidates get an ``anonymized-…@invalid`` address (a domain that can never be registered
  nor entered in the apply form), which marks them as done: they are never processed again.
- :func:`run_retention` is a job boundary: it commits after each candidate, so a failure keeps
  the work already done, and a second run at the same ``now`` changes nothing.
"""

from __future__ import annotations

import enum
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import LazyString, format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from app.candidates.privacy import delete_candidate_data, delete_files_after_commit
from app.core import mail
from app.core.audit import record_audit
from app.core.errors import Invalid, PermissionDenied
from app.core.extensions import db
from app.core.urls import public_url
from app.models import (
    Application,
    ApplicationStage,
    Candidate,
    CandidateAccessToken,
    CandidateSession,
    DataExport,
    Job,
    JobStatus,
    Organization,
    Role,
    User,
)

NOTICE_PERIOD = timedelta(days=7)
MIN_RETENTION_DAYS = 30
MAX_RETENTION_DAYS = 3650
BATCH_SIZE = 200
ANONYMIZED_NAME = "Anonymized candidate"
ANONYMIZED_EMAIL_PREFIX = "anonymized-"
ANONYMIZED_EMAIL_DOMAIN = "@invalid"
PORTAL_LINK_ENDPOINT = "portal.request_link"


class RetentionAction(enum.StrEnum):
    """What happens to a candidate's data on the due date."""

    DELETE = "delete"
    ANONYMIZE = "anonymize"


class StepKind(enum.StrEnum):
    """What the retention job does next for one candidate."""

    NOTICE = "notice"
    ERASE = "erase"


@dataclass(frozen=True)
class RetentionStep:
    """One candidate's next retention step and the due date it follows from."""

    candidate_id: int
    kind: StepKind
    due_at: datetime


@dataclass
class RetentionReport:
    """What one run of the retention job did."""

    notices_sent: int = 0
    deleted: int = 0
    anonymized: int = 0
    failed: int = 0


# -- the policy ---------------------------------------------------------------------------


def update_retention_policy(
    actor: User, *, retention_days: int, talent_pool_retention_days: int, action: str
) -> Organization:
    """Change how long the actor's organization keeps candidates' data and what happens then."""
    if actor.role != Role.ADMIN:
        raise PermissionDenied(str(_l("Only administrators can change how long candidates' data is kept.")))
    if not MIN_RETENTION_DAYS <= retention_days <= MAX_RETENTION_DAYS:
        raise Invalid(_days_out_of_bounds(), field="retention_days")
    if not MIN_RETENTION_DAYS <= talent_pool_retention_days <= MAX_RETENTION_DAYS:
        raise Invalid(_days_out_of_bounds(), field="talent_pool_retention_days")
    if talent_pool_retention_days < retention_days:
        raise Invalid(
            str(_l("Keep the talent pool at least as long as other candidates.")),
            field="talent_pool_retention_days",
        )
    if action not in {member.value for member in RetentionAction}:
        raise Invalid(str(_l("Choose to delete or to anonymize the data.")), field="retention_action")
    organization = actor.organization
    organization.retention_days = retention_days
    organization.talent_pool_retention_days = talent_pool_retention_days
    organization.retention_action = action
    record_audit(
        organization.id,
        actor,
        "organization.retention_updated",
        "organization",
        organization.id,
        retention_days=retention_days,
        talent_pool_retention_days=talent_pool_retention_days,
        retention_action=action,
    )
    db.session.flush()
    return organization


def _days_out_of_bounds() -> str:
    return str(
        _l(
            "Choose between %(min)d and %(max)d days.",
            min=MIN_RETENTION_DAYS,
            max=MAX_RETENTION_DAYS,
        )
    )


# -- when a candidate is due --------------------------------------------------------------


def is_anonymized(candidate: Candidate) -> bool:
    """Whether the candidate was already anonymized (their address carries the marker)."""
    return candidate.email.startswith(ANONYMIZED_EMAIL_PREFIX) and candidate.email.endswith(
        ANONYMIZED_EMAIL_DOMAIN
    )


def application_closed_at(application: Application) -> datetime | None:
    """When the process ended for this application, or None while it is still open."""
    if application.closed_at is not None:
        return application.closed_at
    if application.stage == ApplicationStage.WITHDRAWN:
        return max(
            (change.changed_at for change in application.stage_changes), default=application.submitted_at
        )
    if application.job.status == JobStatus.CLOSED:
        return application.job.closed_at or application.job.updated_at
    return None


def retention_start(candidate: Candidate) -> datetime | None:
    """When the candidate's last application closed; None while any application is open."""
    if not candidate.applications:
        return candidate.created_at
    ends = [application_closed_at(application) for application in candidate.applications]
    if any(end is None for end in ends):
        return None
    return max(end for end in ends if end is not None)


def retention_due_at(candidate: Candidate, organization: Organization) -> datetime | None:
    """When the candidate's data is to be deleted or anonymized; None while never due."""
    start = retention_start(candidate)
    if start is None:
        return None
    in_talent_pool = candidate.talent_pool_consent_at is not None
    days = organization.talent_pool_retention_days if in_talent_pool else organization.retention_days
    return start + timedelta(days=days)


def notice_sent_for(candidate: Candidate, due_at: datetime) -> bool:
    """Whether the notice for this due date already went out."""
    sent_at = candidate.retention_notice_sent_at
    return sent_at is not None and sent_at >= due_at - NOTICE_PERIOD


def next_retention_step(
    candidate: Candidate, organization: Organization, now: datetime
) -> RetentionStep | None:
    """The notice or the erasure the candidate is due for at ``now``, if any."""
    if is_anonymized(candidate):
        return None
    due_at = retention_due_at(candidate, organization)
    if due_at is None or now < due_at - NOTICE_PERIOD:
        return None
    if now >= due_at:
        return RetentionStep(candidate.id, StepKind.ERASE, due_at)
    if notice_sent_for(candidate, due_at):
        return None
    return RetentionStep(candidate.id, StepKind.NOTICE, due_at)


def find_retention_steps(organization: Organization, now: datetime) -> list[RetentionStep]:
    """Every notice and erasure due in the organization at ``now``."""
    open_application = (
        db.select(Application.id)
        .join(Job, Job.id == Application.job_id)
        .where(
            Application.candidate_id == Candidate.id,
            Application.closed_at.is_(None),
            Application.stage != ApplicationStage.WITHDRAWN,
            Job.status != JobStatus.CLOSED,
        )
    )
    candidate_ids = db.session.scalars(
        db.select(Candidate.id)
        .where(
            Candidate.organization_id == organization.id,
            Candidate.email.not_like(f"{ANONYMIZED_EMAIL_PREFIX}%{ANONYMIZED_EMAIL_DOMAIN}"),
            ~open_application.exists(),
        )
        .order_by(Candidate.id)
    ).all()
    steps = []
    for start in range(0, len(candidate_ids), BATCH_SIZE):
        for candidate in _load_candidates(candidate_ids[start : start + BATCH_SIZE]):
            step = next_retention_step(candidate, organization, now)
            if step is not None:
                steps.append(step)
    return steps


def _load_candidates(candidate_ids: Sequence[int]) -> Sequence[Candidate]:
    applications = selectinload(Candidate.applications)
    return db.session.scalars(
        db.select(Candidate)
        .where(Candidate.id.in_(candidate_ids))
        .options(
            applications.selectinload(Application.job),
            applications.selectinload(Application.stage_changes),
        )
        .order_by(Candidate.id)
    ).all()


# -- the notice ---------------------------------------------------------------------------


def portal_link_url(organization: Organization) -> str | None:
    """Where candidates ask for a link to their portal (in the organization's colours); None without a portal."""
    if PORTAL_LINK_ENDPOINT not in current_app.view_functions:
        return None
    return public_url(PORTAL_LINK_ENDPOINT, org=organization.slug)


def organization_contact(organization: Organization) -> str | None:
    """Where a candidate's reply reaches someone: the organization's first active administrator."""
    return db.session.scalar(
        db.select(User.email)
        .where(User.organization_id == organization.id, User.role == Role.ADMIN, User.active.is_(True))
        .order_by(User.id)
        .limit(1)
    )


def send_retention_notice(
    candidate: Candidate, organization: Organization, due_at: datetime, now: datetime
) -> None:
    """Tell the candidate what will happen to their data after ``due_at`` (mail leaves after the commit)."""
    action = RetentionAction(organization.retention_action)
    in_talent_pool = candidate.talent_pool_consent_at is not None
    portal_url = portal_link_url(organization)
    # Formatted when the mail is rendered, in the recipient's language.
    due_date = LazyString(format_date, due_at, "long")
    if action == RetentionAction.ANONYMIZE:
        subject = _l(
            "Your personal data at %(organization)s will be erased after %(date)s",
            organization=organization.name,
            date=due_date,
        )
    else:
        subject = _l(
            "Your data at %(organization)s will be deleted after %(date)s",
            organization=organization.name,
            date=due_date,
        )
    mail.send_mail(
        to=candidate.email,
        subject=subject,
        template="retention_notice",
        organization=organization,
        locale=candidate.language,
        # Without a portal the mail says "reply to ask for a copy": the reply must reach a person.
        reply_to=None if portal_url else organization_contact(organization),
        candidate=candidate,
        due_date=due_date,
        anonymize=action == RetentionAction.ANONYMIZE,
        in_talent_pool=in_talent_pool,
        retention_days=(
            organization.talent_pool_retention_days if in_talent_pool else organization.retention_days
        ),
        portal_url=portal_url,
    )
    candidate.retention_notice_sent_at = now
    db.session.flush()


# -- the erasure --------------------------------------------------------------------------


def anonymize_candidate(candidate: Candidate, *, reason: str) -> None:
    """Erase the candidate's personal data but keep the application rows for statistics.

    Flushes, never commits; the stored files (CVs, export zips) are deleted after the commit.
    """
    keys: list[str] = []
    candidate.name = ANONYMIZED_NAME
    candidate.email = f"{ANONYMIZED_EMAIL_PREFIX}{secrets.token_hex(16)}{ANONYMIZED_EMAIL_DOMAIN}"
    candidate.phone = ""
    candidate.location = ""
    candidate.linkedin_url = None
    candidate.portfolio_url = None
    candidate.talent_pool_consent_at = None
    for application in candidate.applications:
        if application.cv_key:
            keys.append(application.cv_key)
        application.cv_key = None
        application.cv_filename = None
        application.cv_content_type = None
        application.cv_size = None
        application.cv_text = ""
        application.cover_note = ""
        for answer in application.answers:
            answer.value = ""
    exports = db.session.scalars(db.select(DataExport).where(DataExport.candidate_id == candidate.id)).all()
    keys.extend(export.storage_key for export in exports if export.storage_key)
    # Portal links and sessions would open a portal with nothing of the person left in it.
    for model in (CandidateAccessToken, CandidateSession, DataExport):
        db.session.execute(db.delete(model).where(model.candidate_id == candidate.id))
    record_audit(
        candidate.organization_id,
        None,
        "candidate.anonymized",
        "candidate",
        candidate.id,
        reason=reason,
        applications=len(candidate.applications),
        files=len(keys),
    )
    db.session.flush()
    delete_files_after_commit(keys)


def erase_candidate(candidate: Candidate, organization: Organization) -> RetentionAction:
    """Delete or anonymize the candidate, as the organization's policy says; returns what was done."""
    action = RetentionAction(organization.retention_action)
    if action == RetentionAction.ANONYMIZE:
        anonymize_candidate(candidate, reason="retention")
    else:
        delete_candidate_data(candidate, reason="retention")
    return action


# -- one step -----------------------------------------------------------------------------


def apply_retention_step(organization_id: int, candidate_id: int, now: datetime) -> str | None:
    """Send the notice or erase one candidate, if still due; returns what was done. Flushes only."""
    organization = db.session.get_one(Organization, organization_id)
    candidate = db.session.get(Candidate, candidate_id)
    # Decided again on fresh rows: the candidate may have applied again since the selection.
    step = next_retention_step(candidate, organization, now) if candidate else None
    if candidate is None or step is None:
        return None
    if step.kind == StepKind.NOTICE:
        send_retention_notice(candidate, organization, step.due_at, now)
        return "notice"
    return erase_candidate(candidate, organization).value
