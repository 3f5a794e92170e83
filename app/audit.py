"""Recording actions in the audit trail (identifiers and roles only, no personal data)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models import AuditEvent, User

ACTION_LABELS = {
    "user.invited": _l("A colleague was invited"),
    "user.invitation_resent": _l("An invitation was sent again"),
    "user.role_changed": _l("A colleague's role changed"),
    "user.deactivated": _l("A colleague was deactivated"),
    "user.reactivated": _l("A colleague was reactivated"),
    "organization.branding_updated": _l("The branding was updated"),
    "organization.logo_replaced": _l("The logo was replaced"),
    "organization.career_video_replaced": _l("The career site video was replaced"),
    "job.created": _l("A job was created"),
    "job.updated": _l("A job was edited"),
    "job.duplicated": _l("A job was duplicated"),
    "job.published": _l("A job was published"),
    "job.closed": _l("A job was closed"),
    "job.photo_added": _l("A team photo was added"),
    "job.photo_removed": _l("A team photo was removed"),
    "job.photos_reordered": _l("Team photos were reordered"),
    "job.pitch_video_replaced": _l("A pitch video was added or replaced"),
    "job.pitch_captions_replaced": _l("Pitch video captions were added"),
    "job.pitch_video_removed": _l("A pitch video was removed"),
    "testimonial.created": _l("A testimonial was added"),
    "testimonial.approved": _l("A colleague approved their testimonial"),
    "testimonial.withdrawn": _l("A colleague withdrew their testimonial"),
    "testimonial.deleted": _l("A testimonial was deleted"),
    "interview.template_created": _l("An interview was created"),
    "interview.template_updated": _l("An interview was edited"),
    "interview.question_added": _l("An interview question was added"),
    "interview.question_updated": _l("An interview question was edited or moved"),
    "interview.question_removed": _l("An interview question was removed"),
    "interview.prompt_recorded": _l("A question video was recorded"),
    "interview.invited": _l("A candidate was invited to an interview"),
    "interview.extended": _l("An interview deadline was extended"),
    "interview.cancelled": _l("An interview invitation was cancelled"),
    "job.interview_template_set": _l("A job's default interview was set"),
    "job.question_added": _l("An apply form question was added"),
    "job.question_updated": _l("An apply form question was edited or moved"),
    "job.question_removed": _l("An apply form question was removed"),
    "organization.retention_updated": _l("The candidate data retention settings changed"),
    "candidate.anonymized": _l("A candidate's personal data was anonymized"),
    "candidate.deleted": _l("A candidate's data was deleted"),
}


def describe_action(action: str) -> str:
    """A readable, translated label for an audit action."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def record_audit(
    organization_id: int,
    actor: User | None,
    action: str,
    subject_type: str = "",
    subject_id: int | None = None,
    **details: Any,
) -> AuditEvent:
    """Append one event to the organization's audit trail."""
    event = AuditEvent(
        organization_id=organization_id,
        actor_user_id=actor.id if actor else None,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        details=details,
    )
    db.session.add(event)
    return event
