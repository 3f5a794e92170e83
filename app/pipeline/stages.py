# SPDX-License-Identifier: AGPL-3.0-or-later
"""Pipeline stages: the defaults every organization starts with, their names, and moving applications."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from app.core.errors import Conflict, Invalid
from app.core.extensions import db
from app.core.signals import stage_changed
from app.models import (
    Application,
    ApplicationStage,
    ApplicationStageChange,
    Organization,
    PipelineStage,
    StageKind,
    User,
    utcnow,
)


@dataclass(frozen=True)
class DefaultStage:
    """A built-in stage: its key, translated name and kind."""

    key: str
    label: object
    kind: StageKind = StageKind.OPEN


DEFAULT_STAGES: tuple[DefaultStage, ...] = (
    DefaultStage(ApplicationStage.NEW, _l("New")),
    DefaultStage(ApplicationStage.INTERVIEW_INVITED, _l("Interview invited")),
    DefaultStage(ApplicationStage.INTERVIEW_COMPLETED, _l("Interview completed")),
    DefaultStage(ApplicationStage.SHORTLISTED, _l("Shortlisted")),
    DefaultStage(ApplicationStage.MANAGER_REVIEW, _l("Manager review")),
    DefaultStage(ApplicationStage.OFFER, _l("Offer")),
    DefaultStage(ApplicationStage.HIRED, _l("Hired"), StageKind.HIRED),
    DefaultStage(ApplicationStage.REJECTED, _l("Rejected"), StageKind.REJECTED),
    DefaultStage(ApplicationStage.WITHDRAWN, _l("Withdrawn"), StageKind.WITHDRAWN),
)
DEFAULT_LABELS = {stage.key: stage.label for stage in DEFAULT_STAGES}
DEFAULT_KINDS = {stage.key: stage.kind for stage in DEFAULT_STAGES}


@dataclass(frozen=True)
class Stage:
    """A stage as pages show it."""

    key: str
    name: str
    kind: StageKind
    position: int
    archived: bool = False

    @property
    def is_end(self) -> bool:
        """Whether reaching it closes the application."""
        return self.kind.is_end


def ensure_default_stages(organization: Organization) -> list[PipelineStage]:
    """Give an organization the built-in stages it does not have yet."""
    existing = {
        stage.key
        for stage in db.session.scalars(
            db.select(PipelineStage).where(PipelineStage.organization_id == organization.id)
        )
    }
    added = [
        PipelineStage(organization_id=organization.id, key=stage.key, position=position, kind=stage.kind)
        for position, stage in enumerate(DEFAULT_STAGES)
        if stage.key not in existing
    ]
    db.session.add_all(added)
    db.session.flush()
    return added


def stages_for(organization_id: int, include_archived: bool = False) -> list[Stage]:
    """The organization's stages in order: open stages first, then the end stages."""
    query = db.select(PipelineStage).where(PipelineStage.organization_id == organization_id)
    if not include_archived:
        query = query.where(PipelineStage.archived.is_(False))
    rows = db.session.scalars(query.order_by(PipelineStage.position, PipelineStage.id)).all()
    if not rows:
        return [
            Stage(stage.key, str(stage.label), stage.kind, position)
            for position, stage in enumerate(DEFAULT_STAGES)
        ]
    return [Stage(row.key, display_name(row), row.kind, row.position, row.archived) for row in rows]


def display_name(row: PipelineStage) -> str:
    """The organization's own name for a stage, or the translated built-in one."""
    if row.name:
        return row.name
    return str(DEFAULT_LABELS.get(row.key, row.key))


def stage_label(organization_id: int, key: str) -> str:
    """The display name of one stage key (unknown keys show as they are)."""
    for stage in stages_for(organization_id, include_archived=True):
        if stage.key == key:
            return stage.name
    return str(DEFAULT_LABELS.get(key, key))


def find_stage(organization_id: int, key: str) -> Stage:
    """One of the organization's stages that can take applications; Invalid otherwise."""
    for stage in stages_for(organization_id, include_archived=True):
        if stage.key == key and stage.archived:
            raise Invalid(
                str(_l("“%(stage)s” is archived and takes no new applications.", stage=stage.name)),
                field="stage",
            )
        if stage.key == key:
            return stage
    raise Invalid(str(_l("There is no stage “%(stage)s” in this pipeline.", stage=key)), field="stage")


def stage_kind(organization_id: int, key: str) -> StageKind:
    """Whether a stage key is open or an end, including archived stages."""
    for stage in stages_for(organization_id, include_archived=True):
        if stage.key == key:
            return stage.kind
    return DEFAULT_KINDS.get(key, StageKind.OPEN)


def hired_stage_keys(organization_id: int) -> list[str]:
    """The keys of every stage that means hired: the built-in one and the organization's own (archived too)."""
    keys = {
        stage.key
        for stage in stages_for(organization_id, include_archived=True)
        if stage.kind == StageKind.HIRED
    }
    return sorted(keys | {ApplicationStage.HIRED.value})


def move_application(application: Application, to_key: str, actor: User | None) -> ApplicationStageChange:
    """Move an application to a stage, record the change, and close or reopen it as the stage says."""
    target = find_stage(application.organization_id, to_key)
    from_key = application.stage
    if from_key == target.key:
        raise Conflict(str(_l("This application is already in “%(stage)s”.", stage=target.name)))
    now = utcnow()
    change = ApplicationStageChange(
        organization_id=application.organization_id,
        application_id=application.id,
        from_stage=from_key,
        to_stage=target.key,
        actor_user_id=actor.id if actor else None,
        changed_at=now,
    )
    application.stage = target.key
    application.closed_at = now if target.is_end else None
    db.session.add(change)
    db.session.flush()
    stage_changed.send(application, from_key=from_key, to_key=target.key, actor=actor)
    return change


def advance_application(
    application: Application, to_key: str, actor: User | None
) -> ApplicationStageChange | None:
    """Move forward automatically (e.g. when an interview is sent), never backwards nor out of an end stage."""
    if application.closed_at is not None:
        return None
    stages = {stage.key: stage for stage in stages_for(application.organization_id, include_archived=True)}
    positions = {key: index for index, key in enumerate(stages)}
    target, current = stages.get(to_key), stages.get(application.stage)
    if target is None or target.archived or (current is not None and current.is_end):
        return None
    if positions.get(application.stage, -1) >= positions[to_key]:
        return None
    return move_application(application, to_key, actor)


def stage_names(organization_id: int) -> dict[str, str]:
    """Every stage key of the organization (archived too) and its display name."""
    return {stage.key: stage.name for stage in stages_for(organization_id, include_archived=True)}
