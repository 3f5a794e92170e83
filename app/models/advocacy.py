# SPDX-License-Identifier: AGPL-3.0-or-later
"""Employee advocacy: ambassadors, their tracked share links, clicks, shares, share texts and referrals."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.extensions import Model
from app.models.base import UTCDateTime, enum_column, utcnow
from app.models.job import Job
from app.models.user import User


class LeaderboardVisibility(enum.StrEnum):
    """How an ambassador appears on the leaderboard: their choice."""

    NAMED = "named"
    ANONYMOUS = "anonymous"
    HIDDEN = "hidden"


class ReferralStatus(enum.StrEnum):
    """Where a referral stands; only a pending referral holds the referred person's data."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    EXPIRED = "expired"


class Ambassador(Model):
    """A staff member who shares jobs; ``code`` is the public, meaningless ``?ref=`` of their links."""

    __tablename__ = "ambassadors"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    leaderboard: Mapped[LeaderboardVisibility] = mapped_column(
        enum_column(LeaderboardVisibility, "ambassador_leaderboard"), default=LeaderboardVisibility.ANONYMOUS
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<Ambassador {self.id}>"


class AdvocacySettings(Model):
    """An organization's points per share, click, application and hire."""

    __tablename__ = "advocacy_settings"

    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    points_share: Mapped[int] = mapped_column(default=1)
    points_click: Mapped[int] = mapped_column(default=2)
    points_application: Mapped[int] = mapped_column(default=10)
    points_hire: Mapped[int] = mapped_column(default=50)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ShareText(Model):
    """A ready-made text to share jobs with, in one language: for one job, or the default (no job)."""

    __tablename__ = "share_texts"
    __table_args__ = (
        UniqueConstraint("organization_id", "job_id", "language", name="uq_share_texts_org_job_language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(5))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    job: Mapped[Job | None] = relationship()


class ShareLink(Model):
    """One ambassador's short link (``/r/<code>``) for one job on one channel."""

    __tablename__ = "share_links"
    __table_args__ = (
        UniqueConstraint("ambassador_id", "job_id", "channel", name="uq_share_links_ambassador_job_channel"),
        Index("ix_share_links_job", "job_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    ambassador_id: Mapped[int] = mapped_column(ForeignKey("ambassadors.id", ondelete="CASCADE"))
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(24), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ambassador: Mapped[Ambassador] = relationship()
    job: Mapped[Job] = relationship()


class ShareClick(Model):
    """Someone followed a share link: when, and the journey's daily visitor hash (no IP, no cookie)."""

    __tablename__ = "share_clicks"
    __table_args__ = (
        Index("ix_share_clicks_link_visitor", "share_link_id", "visitor_hash"),
        Index("ix_share_clicks_org_occurred", "organization_id", "occurred_at"),
    )

    # BIGINT on PostgreSQL (clicks grow fast); SQLite needs INTEGER for its rowid alias.
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    share_link_id: Mapped[int] = mapped_column(ForeignKey("share_links.id", ondelete="CASCADE"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    visitor_hash: Mapped[str] = mapped_column(String(64))


class AmbassadorShare(Model):
    """An ambassador used a share button: at most one per job, channel and day (points can't be farmed)."""

    __tablename__ = "ambassador_shares"
    __table_args__ = (
        UniqueConstraint(
            "ambassador_id",
            "job_id",
            "channel",
            "day",
            name="uq_ambassador_shares_ambassador_job_channel_day",
        ),
        Index("ix_ambassador_shares_org_created", "organization_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    ambassador_id: Mapped[int] = mapped_column(ForeignKey("ambassadors.id", ondelete="CASCADE"))
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(20))
    day: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Referral(Model):
    """An employee recommended someone for a job.

    Until the person confirms, only this row knows their name, e-mail and the referrer's note;
    confirming turns them into a candidate and empties those columns, declining or 30 days of
    silence empties them too (the row stays, without personal data, for the referrer's list).
    """

    __tablename__ = "referrals"
    __table_args__ = (
        Index("ix_referrals_status_created", "status", "created_at"),
        Index("ix_referrals_ambassador_created", "ambassador_id", "created_at"),
        Index("ix_referrals_job", "job_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    ambassador_id: Mapped[int] = mapped_column(ForeignKey("ambassadors.id", ondelete="CASCADE"))
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    status: Mapped[ReferralStatus] = mapped_column(
        enum_column(ReferralStatus, "referral_status"), default=ReferralStatus.PENDING
    )
    name: Mapped[str | None] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    reason: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(5))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The candidate's application once confirmed; erased with it when the candidate's data goes.
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))

    ambassador: Mapped[Ambassador] = relationship()
    job: Mapped[Job] = relationship()

    def __repr__(self) -> str:
        return f"<Referral {self.id} {self.status}>"
