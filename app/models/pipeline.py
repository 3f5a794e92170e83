# SPDX-License-Identifier: AGPL-3.0-or-later
"""The stages an organization's applications move through."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.extensions import Model
from app.models.base import UTCDateTime, enum_column, utcnow


class StageKind(enum.StrEnum):
    """What reaching a stage means: still open, or one of the ends of the process."""

    OPEN = "open"
    HIRED = "hired"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    @property
    def is_end(self) -> bool:
        """Hired, rejected and withdrawn close the application."""
        return self is not StageKind.OPEN


class PipelineStage(Model):
    """One stage of an organization's pipeline; ``key`` is what applications store."""

    __tablename__ = "pipeline_stages"
    __table_args__ = (
        UniqueConstraint("organization_id", "key", name="uq_pipeline_stages_organization_key"),
        Index("ix_pipeline_stages_organization_position", "organization_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    key: Mapped[str] = mapped_column(String(40))
    # Empty for built-in stages that keep their translated default name.
    name: Mapped[str] = mapped_column(String(80), default="")
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[StageKind] = mapped_column(
        enum_column(StageKind, "pipeline_stage_kind"), default=StageKind.OPEN
    )
    # Archived stages keep their applications but take no new ones.
    archived: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<PipelineStage {self.key}>"
