# SPDX-License-Identifier: AGPL-3.0-or-later
"""Profiles that employees own: skills, languages and interests, each with its own visibility."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.extensions import Model
from app.models.base import UTCDateTime, enum_column, utcnow
from app.models.user import User


class ProfileItemKind(enum.StrEnum):
    """What a profile item says about its owner."""

    SKILL = "skill"
    LANGUAGE = "language"
    INTEREST = "interest"


class ProfileVisibility(enum.StrEnum):
    """Who may see a profile item besides its owner."""

    PRIVATE = "private"
    HR = "hr"
    EVERYONE = "everyone"


class EmployeeProfile(Model):
    """A staff member's opt-in profile; it exists only once they chose to create it."""

    __tablename__ = "employee_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()
    items: Mapped[list[ProfileItem]] = relationship(
        back_populates="profile",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="(ProfileItem.kind, ProfileItem.label)",
    )


class ProfileItem(Model):
    """One skill, language or interest, with who may see it."""

    __tablename__ = "profile_items"
    __table_args__ = (Index("ix_profile_items_profile_kind", "profile_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("employee_profiles.id", ondelete="CASCADE"))
    kind: Mapped[ProfileItemKind] = mapped_column(enum_column(ProfileItemKind, "profile_item_kind"))
    label: Mapped[str] = mapped_column(String(80))
    visibility: Mapped[ProfileVisibility] = mapped_column(
        enum_column(ProfileVisibility, "profile_visibility"), default=ProfileVisibility.HR
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    profile: Mapped[EmployeeProfile] = relationship(back_populates="items")
