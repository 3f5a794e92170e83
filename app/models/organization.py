# SPDX-License-Identifier: AGPL-3.0-or-later
"""Organizations: the tenant every other row belongs to."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.extensions import Model
from app.models.base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from app.models.user import User

DEFAULT_PRIMARY_COLOR = "#1f4b99"
DEFAULT_ACCENT_COLOR = "#e4572e"


class Organization(Model):
    """A company using Openround, with its public slug and branding."""

    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    primary_color: Mapped[str] = mapped_column(String(7), default=DEFAULT_PRIMARY_COLOR)
    accent_color: Mapped[str] = mapped_column(String(7), default=DEFAULT_ACCENT_COLOR)
    default_language: Mapped[str] = mapped_column(String(5), default="en")
    logo_key: Mapped[str | None] = mapped_column(String(255))
    logo_content_type: Mapped[str | None] = mapped_column(String(100))
    # The career site's welcome: Markdown text and an optional intro video.
    career_intro_md: Mapped[str] = mapped_column(Text, default="", server_default="")
    career_video_key: Mapped[str | None] = mapped_column(String(255))
    career_video_content_type: Mapped[str | None] = mapped_column(String(100))
    # Candidates' data is deleted (or anonymized) this many days after their last application
    # closed; those in the talent pool are kept for their own, usually longer, period.
    retention_days: Mapped[int] = mapped_column(default=180, server_default="180")
    talent_pool_retention_days: Mapped[int] = mapped_column(default=365, server_default="365")
    retention_action: Mapped[str] = mapped_column(String(10), default="delete", server_default="delete")
    # Days within which every applicant should hear from us (a message or a decision by staff).
    response_promise_days: Mapped[int] = mapped_column(default=10, server_default="10")
    # Who must sign in with a second factor: "off", "admins" or "everyone".
    mfa_policy: Mapped[str] = mapped_column(String(10), default="off", server_default="off")
    # Internal (intranet) domains allowed for staff addresses although they are not public,
    # e.g. "corp.local", one per line; subdomains are included.
    staff_email_domains: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="organization")

    def __repr__(self) -> str:
        return f"<Organization {self.slug}>"
