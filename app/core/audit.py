# SPDX-License-Identifier: AGPL-3.0-or-later
"""Recording actions in the audit trail (identifiers and roles only, no personal data)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from app.core.extensions import db
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
    "testimonial.contributed": _l("A colleague contributed a testimonial"),
    "testimonial.admin_approved": _l("A testimonial was approved for job cards"),
    "testimonial.video_recorded": _l("A colleague recorded a testimonial video"),
    "survey.settings_updated": _l("The candidate survey settings changed"),
    "pulse.created": _l("A pulse survey was scheduled"),
    "pulse.reminded": _l("A pulse survey reminder was sent"),
    "profile.created": _l("A colleague created their profile"),
    "profile.deleted": _l("A colleague deleted their profile"),
    "interview.template_created": _l("An interview was created"),
    "interview.template_updated": _l("An interview was edited"),
    "interview.question_added": _l("An interview question was added"),
    "interview.question_updated": _l("An interview question was edited or moved"),
    "interview.question_removed": _l("An interview question was removed"),
    "interview.prompt_recorded": _l("A question video was recorded"),
    "interview.welcome_recorded": _l("An interview welcome video was recorded"),
    "interview.welcome_removed": _l("An interview welcome video was removed"),
    "interview.answer_reprocessed": _l("An interview answer was processed again"),
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
    "advocacy.employees_imported": _l("Employees were invited from a CSV file"),
    "advocacy.points_updated": _l("The ambassadors' points were changed"),
    "advocacy.share_text_saved": _l("A share text was edited"),
    "referral.created": _l("An employee referred someone"),
    "referral.confirmed": _l("A referred person confirmed and became a candidate"),
    "referral.declined": _l("A referred person declined; their details were deleted"),
    "review.submitted": _l("An interview review was submitted"),
    "scorecard.criterion_added": _l("A scorecard criterion was added"),
    "scorecard.criterion_updated": _l("A scorecard criterion was edited or moved"),
    "scorecard.criterion_removed": _l("A scorecard criterion was removed"),
    "job.blind_review_changed": _l("Blind reviews were turned on or off for a job"),
    "shortlist.created": _l("A shortlist was created"),
    "shortlist.deleted": _l("A shortlist was deleted"),
    "shortlist.entries_added": _l("Applications were added to a shortlist"),
    "shortlist.entry_removed": _l("An application was taken off a shortlist"),
    "shortlist.shared": _l("A shortlist was shared with a hiring manager"),
    "shortlist.link_created": _l("An outside review link was created"),
    "shortlist.share_revoked": _l("A shortlist share was revoked"),
    "shortlist.share_viewed": _l("A shared shortlist was viewed"),
    "shortlist.share_reviewer_joined": _l("An outside reviewer gave their name"),
    "shortlist.share_application_viewed": _l("An interview was viewed through a share"),
    "shortlist.share_review_submitted": _l("A review was submitted through a share"),
    "shortlist.share_refused": _l("A revoked or expired share link was used"),
    "candidate.message_sent": _l("A message was sent to a candidate"),
    "candidate.data_exported": _l("A candidate downloaded a copy of their data"),
    "feedback.template_created": _l("A message template was added"),
    "feedback.template_updated": _l("A message template was edited"),
    "feedback.template_deleted": _l("A message template was deleted"),
    "organization.response_promise_updated": _l("The response promise changed"),
    "application.moved": _l("An application was moved to another stage"),
    "application.tagged": _l("A tag was added to an application"),
    "application.untagged": _l("A tag was removed from an application"),
    "pipeline.stage_added": _l("A pipeline stage was added"),
    "pipeline.stage_renamed": _l("A pipeline stage was renamed"),
    "pipeline.stage_moved": _l("The pipeline stages were reordered"),
    "pipeline.stage_archived": _l("A pipeline stage was archived"),
    "pipeline.stage_restored": _l("A pipeline stage was restored"),
    "pipeline.stage_deleted": _l("A pipeline stage was deleted"),
    "user.mfa_enabled": _l("Someone turned two-step sign-in on"),
    "user.mfa_disabled": _l("Someone turned two-step sign-in off"),
    "user.mfa_recovery_code_used": _l("Someone signed in with a recovery code"),
    "user.mfa_recovery_codes_replaced": _l("Someone replaced their recovery codes"),
    "user.mfa_reset": _l("A colleague's two-step sign-in was reset"),
    "organization.security_updated": _l("The sign-in security settings changed"),
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
