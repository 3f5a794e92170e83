# SPDX-License-Identifier: AGPL-3.0-or-later
"""Demo data for the pipeline: the demo applications spread over the stages, with a few tags."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.core.extensions import db
from app.models import (
    Application,
    ApplicationStage,
    InterviewInvitation,
    InvitationState,
    Organization,
    Role,
    Tag,
    User,
    utcnow,
)
from app.pipeline.services import move_to_stage
from app.pipeline.tags import tag_applications

DEMO_TAGS = ("Strong portfolio", "Relocation", "Referred")
# Where an application stands, read from its latest interview invitation.
STAGE_BY_INVITATION = {
    InvitationState.SENT: ApplicationStage.INTERVIEW_INVITED,
    InvitationState.OPENED: ApplicationStage.INTERVIEW_INVITED,
    InvitationState.STARTED: ApplicationStage.INTERVIEW_INVITED,
    InvitationState.EXPIRED: ApplicationStage.INTERVIEW_INVITED,
    InvitationState.COMPLETED: ApplicationStage.SHORTLISTED,
}
# Applications without an interview: some wait, some are further along.
LATER_STAGES = (
    ApplicationStage.NEW,
    ApplicationStage.MANAGER_REVIEW,
    ApplicationStage.NEW,
    ApplicationStage.OFFER,
)


def seed_demo_pipeline(organization: Organization) -> None:
    """Move the organization's untouched demo applications to plausible stages and tag a few (once)."""
    existing = db.session.scalar(
        select(Tag.id).where(Tag.organization_id == organization.id, Tag.name.in_(DEMO_TAGS)).limit(1)
    )
    actor = db.session.scalar(
        select(User).where(User.organization_id == organization.id, User.role == Role.ADMIN).order_by(User.id)
    )
    if existing is not None or actor is None:
        return
    applications = db.session.scalars(
        select(Application)
        .where(
            Application.organization_id == organization.id,
            Application.stage == ApplicationStage.NEW,
            Application.closed_at.is_(None),
        )
        .order_by(Application.submitted_at, Application.id)
    ).all()
    latest = latest_invitation_states([application.id for application in applications])
    without_interview = 0
    for application in applications:
        state = latest.get(application.id)
        if state in STAGE_BY_INVITATION:
            target = STAGE_BY_INVITATION[state]
        else:
            target = LATER_STAGES[without_interview % len(LATER_STAGES)]
            without_interview += 1
        if target != application.stage:
            change = move_to_stage(actor, application, target)
            # Moved a day after applying, so the board shows a realistic time in stage.
            change.changed_at = min(utcnow(), application.submitted_at + timedelta(days=1))
    for offset, name in enumerate(DEMO_TAGS):
        tagged = [application for index, application in enumerate(applications) if index % 3 == offset]
        if tagged:
            tag_applications(actor, tagged, name)
    db.session.flush()


def latest_invitation_states(application_ids: list[int]) -> dict[int, InvitationState]:
    """The state of each application's most recent interview invitation."""
    rows = db.session.execute(
        select(InterviewInvitation.application_id, InterviewInvitation.state)
        .where(InterviewInvitation.application_id.in_(application_ids))
        .order_by(InterviewInvitation.sent_at, InterviewInvitation.id)
    )
    return {application_id: state for application_id, state in rows}
