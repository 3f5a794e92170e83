# SPDX-License-Identifier: AGPL-3.0-or-later
"""Which interview templates a staff member may see and change.

Administrators and recruiters reach every template of their organization. A hiring manager
reaches only the templates of jobs they manage or that a recruiter shared with them (a job's
default interview, or one its candidates were invited to): a colleague's template is refused
(403), another organization's does not exist for them (404).
The interview pages (prompts, welcome video) and the scorecards all load templates through here.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, or_

from app.core.errors import NotFound, PermissionDenied
from app.core.extensions import db
from app.models import Application, Job, Role, User
from app.models.interview import InterviewInvitation, InterviewTemplate
from app.reviews.access import shared_job_ids


def manager_job_ids(actor: User) -> Select:
    """The ids of the jobs a hiring manager manages or had a shortlist shared for."""
    return db.select(Job.id).where(
        Job.organization_id == actor.organization_id,
        or_(Job.hiring_manager_id == actor.id, Job.id.in_(shared_job_ids(actor))),
    )


def manager_template_ids(actor: User) -> Select:
    """The ids of the templates of a hiring manager's jobs (defaults and those invited with)."""
    jobs = manager_job_ids(actor)
    defaults = db.select(Job.interview_template_id).where(
        Job.id.in_(jobs), Job.interview_template_id.is_not(None)
    )
    invited = (
        db.select(InterviewInvitation.template_id)
        .join(Application, Application.id == InterviewInvitation.application_id)
        .where(Application.job_id.in_(jobs), InterviewInvitation.organization_id == actor.organization_id)
    )
    return defaults.union(invited)


def visible_templates(actor: User) -> Select:
    """The templates ``actor`` may see, as a query to refine (hiring managers: their jobs' only)."""
    query = db.select(InterviewTemplate).where(InterviewTemplate.organization_id == actor.organization_id)
    if actor.role == Role.MANAGER:
        query = query.where(InterviewTemplate.id.in_(manager_template_ids(actor)))
    return query


def find_visible_template(actor: User, template_id: int) -> InterviewTemplate | None:
    """The template with ``template_id`` if ``actor`` may see it, else None."""
    return db.session.scalar(visible_templates(actor).where(InterviewTemplate.id == template_id))


def require_visible_template(actor: User, template_id: int) -> InterviewTemplate:
    """The template if ``actor`` may see it; PermissionDenied for a colleague's, NotFound otherwise."""
    template = find_visible_template(actor, template_id)
    if template is not None:
        return template
    in_organization = db.session.scalar(
        db.select(InterviewTemplate.id).where(
            InterviewTemplate.id == template_id, InterviewTemplate.organization_id == actor.organization_id
        )
    )
    if in_organization is not None:
        raise PermissionDenied(str(_l("You do not have permission to do this.")))
    raise NotFound(str(_l("We could not find this interview.")))


def visible_jobs_using(actor: User, template: InterviewTemplate) -> Select:
    """Jobs whose default interview is ``template``, among those ``actor`` may see."""
    query = db.select(Job).where(
        Job.organization_id == actor.organization_id, Job.interview_template_id == template.id
    )
    if actor.role == Role.MANAGER:
        query = query.where(Job.id.in_(manager_job_ids(actor)))
    return query
