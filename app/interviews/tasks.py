# SPDX-License-Identifier: AGPL-3.0-or-later
"""Background work of interviews: deadline reminders, expiring overdue invitations, abandoned uploads."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from huey import crontab

from app.core.extensions import db
from app.core.jobs import periodic_job
from app.core.storage import get_storage
from app.core.storage.uploads import sweep_upload_tickets
from app.interviews.invitations import OPEN_STATES, expire_invitation, send_reminder_mail
from app.models.interview import InterviewInvitation, InterviewUpload

logger = logging.getLogger(__name__)
DEFAULT_REMINDER_HOURS = "48,24"
# Far past any upload ticket's lifetime: an upload this old that no answer adopted was abandoned.
ABANDONED_UPLOAD_AGE = timedelta(hours=6)
SWEEP_BATCH = 200


@dataclass
class ReminderReport:
    """What one pass did."""

    reminded: int = 0
    expired: int = 0


def reminder_hours() -> list[int]:
    """Hours before the deadline at which candidates are reminded, largest first."""
    raw = str(current_app.config.get("INTERVIEW_REMINDER_HOURS", DEFAULT_REMINDER_HOURS) or "")
    hours = {int(part) for part in raw.split(",") if part.strip().isdigit() and int(part) > 0}
    return sorted(hours, reverse=True)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def remind_invitation(invitation: InterviewInvitation, now: datetime, hours: list[int]) -> bool:
    """Send at most one reminder for the thresholds now due, marking each threshold done; True if mailed."""
    deadline, sent_at = _aware(invitation.deadline), _aware(invitation.sent_at)
    done = set(invitation.reminders_sent or [])
    due = [h for h in hours if h not in done and deadline - timedelta(hours=h) <= now < deadline]
    if not due:
        return False
    # Thresholds that had already passed when the invitation went out are skipped, not mailed late.
    worth_mailing = [h for h in due if sent_at < deadline - timedelta(hours=h)]
    invitation.reminders_sent = sorted(done | set(due), reverse=True)
    if worth_mailing:
        send_reminder_mail(invitation, min(worth_mailing))
    return bool(worth_mailing)


def run_interview_reminders(now: datetime) -> ReminderReport:
    """Expire overdue invitations and send due reminders, committing per invitation."""
    report = ReminderReport()
    hours = reminder_hours()
    ids = db.session.scalars(
        db.select(InterviewInvitation.id)
        .where(InterviewInvitation.state.in_(OPEN_STATES))
        .order_by(InterviewInvitation.id)
    ).all()
    for invitation_id in ids:
        try:
            invitation = db.session.get_one(InterviewInvitation, invitation_id)
            if _aware(invitation.deadline) <= now:
                expire_invitation(invitation, now)
                report.expired += 1
            elif remind_invitation(invitation, now, hours):
                report.reminded += 1
            db.session.commit()
        except Exception:
            # One invitation's failure must not stop the others.
            db.session.rollback()
            logger.exception("Interview reminder failed for invitation %s", invitation_id)
    return report


@periodic_job(crontab(minute="*/15"))
def send_interview_reminders() -> None:
    """Every quarter of an hour: reminders and expiries."""
    run_interview_reminders(datetime.now(UTC))


def sweep_abandoned_uploads(now: datetime) -> int:
    """Delete recordings uploaded but never adopted as an answer (old, or their interview deleted).

    Returns how many were removed; the row goes only once its file is gone.
    """
    uploads = db.session.scalars(
        db.select(InterviewUpload)
        .where(
            (InterviewUpload.created_at < now - ABANDONED_UPLOAD_AGE)
            | InterviewUpload.invitation_id.is_(None)
            | InterviewUpload.question_id.is_(None)
        )
        .order_by(InterviewUpload.id)
        .limit(SWEEP_BATCH)
    ).all()
    storage = get_storage()
    removed = 0
    for upload in uploads:
        try:
            if upload.multipart_id:
                storage.abort_multipart(upload.key, upload.multipart_id)
            storage.delete(upload.key)
        except Exception:
            logger.exception("Could not delete abandoned upload %s", upload.key)
            continue
        db.session.delete(upload)
        removed += 1
    db.session.commit()
    return removed


@periodic_job(crontab(minute="40"))
def sweep_interview_uploads() -> None:
    """Every hour: remove abandoned answer uploads, and staff upload tickets past their window."""
    now = datetime.now(UTC)
    sweep_abandoned_uploads(now)
    sweep_upload_tickets(now)
    db.session.commit()
