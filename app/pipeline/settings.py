# SPDX-License-Identifier: AGPL-3.0-or-later
"""Stage settings for admins: rename, reorder, add, archive, restore and delete pipeline stages.

Open stages come first in the order admins choose; the end stages (hired, rejected, withdrawn)
always follow and can be renamed but neither moved nor archived.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from app.core.audit import record_audit
from app.core.errors import Conflict, Invalid, NotFound, PermissionDenied
from app.core.extensions import db
from app.models import (
    Application,
    ApplicationStage,
    ApplicationStageChange,
    Organization,
    PipelineStage,
    Role,
    StageKind,
    User,
)
from app.pipeline.stages import DEFAULT_KINDS, DEFAULT_LABELS, display_name, ensure_default_stages

MAX_STAGE_NAME = 80
MAX_KEY_BASE = 32
# New applications arrive here, so it always takes applications.
ARRIVAL_STAGE = ApplicationStage.NEW.value


@dataclass(frozen=True)
class StageSetting:
    """A stage as the settings page shows it."""

    key: str
    name: str
    kind: StageKind
    archived: bool
    custom: bool
    applications: int
    first: bool
    last: bool

    @property
    def is_end(self) -> bool:
        """Hired, rejected and withdrawn."""
        return self.kind.is_end


def require_admin(actor: User) -> None:
    """Only admins change the pipeline."""
    if actor.role != Role.ADMIN:
        raise PermissionDenied(str(_l("Only admins can change the pipeline stages.")))


def stage_rows(organization_id: int) -> list[PipelineStage]:
    """The organization's stage rows: open stages in their order, then the end stages."""
    organization = db.session.get(Organization, organization_id)
    if organization is not None:
        ensure_default_stages(organization)
    rows = db.session.scalars(
        select(PipelineStage)
        .where(PipelineStage.organization_id == organization_id)
        .order_by(PipelineStage.position, PipelineStage.id)
    ).all()
    return [row for row in rows if not row.kind.is_end] + [row for row in rows if row.kind.is_end]


def renumber(rows: list[PipelineStage]) -> None:
    """Store the rows' order as consecutive positions."""
    for position, row in enumerate(rows):
        row.position = position


def application_counts(organization_id: int) -> dict[str, int]:
    """How many of the organization's applications are in each stage."""
    rows = db.session.execute(
        select(Application.stage, func.count(Application.id))
        .where(Application.organization_id == organization_id)
        .group_by(Application.stage)
    )
    return {stage: count for stage, count in rows}


def list_stage_settings(actor: User) -> list[StageSetting]:
    """Every stage of the actor's organization, with how many applications each holds."""
    require_admin(actor)
    rows = stage_rows(actor.organization_id)
    counts = application_counts(actor.organization_id)
    open_rows = [row for row in rows if not row.kind.is_end]
    return [
        StageSetting(
            key=row.key,
            name=display_name(row),
            kind=row.kind,
            archived=row.archived,
            custom=row.key not in DEFAULT_KINDS,
            applications=counts.get(row.key, 0),
            first=bool(open_rows) and row is open_rows[0],
            last=bool(open_rows) and row is open_rows[-1],
        )
        for row in rows
    ]


def find_row(rows: list[PipelineStage], key: str) -> PipelineStage:
    """The row of a stage key; NotFound otherwise."""
    for row in rows:
        if row.key == key:
            return row
    raise NotFound(str(_l("There is no stage “%(stage)s” in this pipeline.", stage=key)))


def clean_stage_name(name: str | None, rows: list[PipelineStage], keep: PipelineStage | None = None) -> str:
    """A stage name with tidy spaces; Invalid when empty, too long or taken by another stage."""
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise Invalid(str(_l("Give the stage a name.")), field="name")
    if len(cleaned) > MAX_STAGE_NAME:
        raise Invalid(
            str(_l("A stage name can be at most %(count)d characters long.", count=MAX_STAGE_NAME)),
            field="name",
        )
    for row in rows:
        if row is not keep and display_name(row).casefold() == cleaned.casefold():
            raise Invalid(str(_l("There is already a stage called “%(name)s”.", name=cleaned)), field="name")
    return cleaned


def new_stage_key(name: str, rows: list[PipelineStage]) -> str:
    """A readable key for a new stage, unused in the organization."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")[:MAX_KEY_BASE] or "stage"
    taken = {row.key for row in rows} | set(DEFAULT_KINDS)
    key, number = base, 2
    while key in taken:
        key, number = f"{base}_{number}", number + 1
    return key


def add_stage(actor: User, name: str) -> PipelineStage:
    """Add an open stage after the other open stages, before the end stages."""
    require_admin(actor)
    rows = stage_rows(actor.organization_id)
    cleaned = clean_stage_name(name, rows)
    row = PipelineStage(
        organization_id=actor.organization_id,
        key=new_stage_key(cleaned, rows),
        name=cleaned,
        kind=StageKind.OPEN,
        archived=False,
    )
    open_count = sum(1 for existing in rows if not existing.kind.is_end)
    rows.insert(open_count, row)
    renumber(rows)
    db.session.add(row)
    db.session.flush()
    record_audit(actor.organization_id, actor, "pipeline.stage_added", "pipeline_stage", row.id)
    return row


def rename_stage(actor: User, key: str, name: str) -> PipelineStage:
    """Give a stage another name; a built-in stage named as its default keeps following the language."""
    require_admin(actor)
    rows = stage_rows(actor.organization_id)
    row = find_row(rows, key)
    cleaned = clean_stage_name(name, rows, keep=row)
    default = DEFAULT_LABELS.get(row.key)
    row.name = "" if default is not None and str(default) == cleaned else cleaned
    db.session.flush()
    record_audit(actor.organization_id, actor, "pipeline.stage_renamed", "pipeline_stage", row.id)
    return row


def move_stage(actor: User, key: str, offset: int) -> PipelineStage:
    """Move an open stage one place earlier (-1) or later (+1) among the open stages."""
    require_admin(actor)
    if offset not in (-1, 1):
        raise Invalid(str(_l("A stage moves one place at a time.")), field="offset")
    rows = stage_rows(actor.organization_id)
    row = find_row(rows, key)
    if row.kind.is_end:
        raise Invalid(str(_l("End stages stay at the end of the pipeline.")))
    open_rows = [existing for existing in rows if not existing.kind.is_end]
    index = open_rows.index(row)
    target = index + offset
    if not 0 <= target < len(open_rows):
        message = _l("This stage is already first.") if offset < 0 else _l("This stage is already last.")
        raise Invalid(str(message))
    open_rows[index], open_rows[target] = open_rows[target], open_rows[index]
    renumber(open_rows + [existing for existing in rows if existing.kind.is_end])
    db.session.flush()
    record_audit(actor.organization_id, actor, "pipeline.stage_moved", "pipeline_stage", row.id)
    return row


def archive_stage(actor: User, key: str) -> PipelineStage:
    """Stop a stage from taking applications; those in it stay and can be moved on."""
    require_admin(actor)
    rows = stage_rows(actor.organization_id)
    row = find_row(rows, key)
    if row.kind.is_end:
        raise Invalid(str(_l("End stages (hired, rejected, withdrawn) cannot be archived.")))
    if row.archived:
        raise Conflict(str(_l("This stage is already archived.")))
    if not any(not other.archived and not other.kind.is_end for other in rows if other is not row):
        raise Invalid(str(_l("Keep at least one open stage: this is the last one.")))
    if row.key == ARRIVAL_STAGE:
        raise Invalid(str(_l("New applications arrive in this stage, so it cannot be archived.")))
    row.archived = True
    db.session.flush()
    record_audit(actor.organization_id, actor, "pipeline.stage_archived", "pipeline_stage", row.id)
    return row


def restore_stage(actor: User, key: str) -> PipelineStage:
    """Let an archived stage take applications again."""
    require_admin(actor)
    row = find_row(stage_rows(actor.organization_id), key)
    if not row.archived:
        raise Conflict(str(_l("This stage is not archived.")))
    row.archived = False
    db.session.flush()
    record_audit(actor.organization_id, actor, "pipeline.stage_restored", "pipeline_stage", row.id)
    return row


def delete_stage(actor: User, key: str) -> None:
    """Delete a custom stage that never held an application; others are archived instead."""
    require_admin(actor)
    rows = stage_rows(actor.organization_id)
    row = find_row(rows, key)
    if row.key in DEFAULT_KINDS:
        raise Invalid(str(_l("Built-in stages cannot be deleted; archive it instead.")))
    used = db.session.scalar(
        select(func.count(ApplicationStageChange.id)).where(
            ApplicationStageChange.organization_id == actor.organization_id,
            or_(ApplicationStageChange.to_stage == row.key, ApplicationStageChange.from_stage == row.key),
        )
    ) or application_counts(actor.organization_id).get(row.key, 0)
    if used:
        raise Conflict(str(_l("This stage has held applications, so it is kept: archive it instead.")))
    if not row.archived and not any(
        not other.archived and not other.kind.is_end for other in rows if other is not row
    ):
        raise Invalid(str(_l("Keep at least one open stage: this is the last one.")))
    record_audit(actor.organization_id, actor, "pipeline.stage_deleted", "pipeline_stage", row.id)
    rows.remove(row)
    db.session.delete(row)
    renumber(rows)
    db.session.flush()
