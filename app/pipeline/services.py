# SPDX-License-Identifier: AGPL-3.0-or-later
"""The rules of a job's pipeline: who may use it, moving applications, and bulk actions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload, raiseload

from app.core.audit import record_audit
from app.core.errors import Invalid, NotFound, PermissionDenied
from app.core.extensions import db
from app.interviews.access import find_visible_template, visible_templates
from app.interviews.invitations import invite_applications
from app.models import (
    Application,
    ApplicationStage,
    ApplicationStageChange,
    InterviewInvitation,
    InterviewQuestion,
    InterviewTemplate,
    Job,
    Role,
    User,
)
from app.pipeline.stages import advance_application, find_stage, move_application, stages_for

PIPELINE_ROLES = (Role.ADMIN, Role.RECRUITER)
MAX_BULK = 500


@dataclass(frozen=True)
class BulkOutcome:
    """What a bulk action did: how many applications changed and how many were left as they were."""

    changed: int
    unchanged: int = 0


def require_pipeline_role(actor: User) -> None:
    """Admins and recruiters work the pipeline; managers see only shortlists shared with them."""
    if actor.role not in PIPELINE_ROLES:
        raise PermissionDenied(str(_l("Only admins and recruiters can use the pipeline.")))


def find_pipeline_job(actor: User, job_id: int, *, for_page: bool = False) -> Job:
    """A job of the actor's organization (for a page: its relationships raise, never load); NotFound otherwise."""
    require_pipeline_role(actor)
    query = select(Job).where(Job.id == job_id, Job.organization_id == actor.organization_id)
    if for_page:
        # The board and the list show columns of the job only: a lazy load there would be a query
        # per page view that nobody asked for, so it fails loudly instead.
        query = query.options(raiseload("*"))
    job = db.session.scalar(query)
    if job is None:
        raise NotFound(str(_l("We could not find this job.")))
    return job


def find_pipeline_application(actor: User, public_id: str) -> Application:
    """An application of the actor's organization, with its job and candidate; NotFound otherwise."""
    require_pipeline_role(actor)
    application = db.session.scalar(
        select(Application)
        .where(Application.public_id == public_id, Application.organization_id == actor.organization_id)
        .options(joinedload(Application.candidate), joinedload(Application.job))
    )
    if application is None:
        raise NotFound(str(_l("We could not find this application.")))
    return application


def find_job_applications(actor: User, job: Job, public_ids: Sequence[str]) -> list[Application]:
    """The chosen applications of one job; Invalid when none are chosen, NotFound when one is not the job's."""
    require_pipeline_role(actor)
    wanted = list(dict.fromkeys(public_id for public_id in public_ids if public_id))
    if not wanted:
        raise Invalid(str(_l("Choose at least one application.")), field="application")
    if len(wanted) > MAX_BULK:
        raise Invalid(
            str(_l("Choose at most %(count)d applications at a time.", count=MAX_BULK)), field="application"
        )
    applications = db.session.scalars(
        select(Application)
        .where(
            Application.public_id.in_(wanted),
            Application.job_id == job.id,
            Application.organization_id == actor.organization_id,
        )
        .options(joinedload(Application.candidate))
        .order_by(Application.submitted_at, Application.id)
    ).all()
    if len(applications) != len(wanted):
        raise NotFound(str(_l("We could not find this application.")))
    return list(applications)


def move_to_stage(actor: User, application: Application, to_key: str) -> ApplicationStageChange:
    """Move one application (see ``app.pipeline.stages.move_application``) and record who did it."""
    require_pipeline_role(actor)
    if application.organization_id != actor.organization_id:
        raise NotFound(str(_l("We could not find this application.")))
    change = move_application(application, to_key, actor)
    record_audit(
        actor.organization_id,
        actor,
        "application.moved",
        "application",
        application.id,
        from_stage=change.from_stage,
        to_stage=change.to_stage,
    )
    return change


def move_applications(actor: User, applications: Sequence[Application], to_key: str) -> BulkOutcome:
    """Move several applications; those already in the stage stay as they are."""
    if not to_key:
        raise Invalid(str(_l("Choose the stage to move them to.")), field="stage")
    target = find_stage(actor.organization_id, to_key)
    moved = 0
    for application in applications:
        if application.stage != target.key:
            move_to_stage(actor, application, target.key)
            moved += 1
    return BulkOutcome(moved, len(applications) - moved)


def invite_templates(actor: User) -> list[InterviewTemplate]:
    """The interviews the actor may use that have a real (not practice) question, by name."""
    has_question = exists(
        select(InterviewQuestion.id).where(
            InterviewQuestion.template_id == InterviewTemplate.id, InterviewQuestion.is_practice.is_(False)
        )
    )
    return list(
        db.session.scalars(
            visible_templates(actor)
            .where(has_question)
            .order_by(InterviewTemplate.name, InterviewTemplate.id)
            .options(raiseload("*"))  # a choice list: id and name only
        )
    )


def invite_to_interview(
    actor: User,
    job: Job,
    applications: Sequence[Application],
    template_id: int | None,
    deadline: datetime | None,
) -> list[InterviewInvitation]:
    """Invite the applications' candidates (all or nothing) and move them forward to "interview invited"."""
    require_pipeline_role(actor)
    template = find_visible_template(actor, template_id or 0)
    if template is None:
        raise Invalid(str(_l("Choose an interview.")), field="template_id")
    if deadline is None:
        raise Invalid(str(_l("Choose a deadline.")), field="deadline")
    invitations = invite_applications(
        actor, job, [application.id for application in applications], template, deadline
    )
    if ApplicationStage.INTERVIEW_INVITED not in {stage.key for stage in stages_for(actor.organization_id)}:
        return invitations  # the organization archived that stage: the invitations are enough
    for application in applications:
        change = advance_application(application, ApplicationStage.INTERVIEW_INVITED, actor)
        if change is not None:
            record_audit(
                actor.organization_id,
                actor,
                "application.moved",
                "application",
                application.id,
                from_stage=change.from_stage,
                to_stage=change.to_stage,
            )
    return invitations
