# SPDX-License-Identifier: AGPL-3.0-or-later
"""The brand experience journey, recorded as append-only events with their source."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.extensions import Model
from app.models.base import AttributionColumns, UTCDateTime, utcnow


class EventType(enum.StrEnum):
    """What happened. Later steps of the journey add their own types."""

    CAREER_SITE_VIEW = "career_site_view"
    CARD_VIEW = "card_view"
    VIDEO_PLAY = "video_play"
    SHARE_CLICK = "share_click"
    APPLY_START = "apply_start"
    WIDGET_VIEW = "widget_view"
    CARD_CLICK = "card_click"
    APPLY_SUBMITTED = "apply_submitted"
    CONFIRMATION_SENT = "confirmation_sent"
    PORTAL_VISITED = "portal_visited"
    APPLICATION_WITHDRAWN = "application_withdrawn"
    DATA_EXPORTED = "data_exported"
    DATA_DELETED = "data_deleted"
    INTERVIEW_INVITED = "interview_invited"
    INTERVIEW_OPENED = "interview_opened"
    DEVICE_CHECK_PASSED = "device_check_passed"
    DEVICE_CHECK_FAILED = "device_check_failed"
    QUESTION_STARTED = "question_started"
    QUESTION_SUBMITTED = "question_submitted"
    INTERVIEW_COMPLETED = "interview_completed"
    INTERVIEW_EXPIRED = "interview_expired"


class Channel(enum.StrEnum):
    """Where a visitor came from, coarsely."""

    CAREER_SITE = "career_site"
    EMBED = "embed"
    AMBASSADOR = "ambassador"
    SHARE = "share"
    CAMPAIGN = "campaign"
    REFERRAL = "referral"
    DIRECT = "direct"


class JourneyEvent(AttributionColumns, Model):
    """One step of a visitor or candidate, with attribution and no personal data."""

    __tablename__ = "journey_events"
    __table_args__ = (
        Index("ix_journey_events_org_occurred", "organization_id", "occurred_at"),
        Index("ix_journey_events_org_type_occurred", "organization_id", "type", "occurred_at"),
        Index("ix_journey_events_job_type", "job_id", "type"),
    )

    # BIGINT on PostgreSQL (events grow fast); SQLite needs INTEGER for its rowid alias.
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    type: Mapped[str] = mapped_column(String(40))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # sha256 of (the day's random salt, IP, user agent, organization): counts unique
    # visitors per day without storing an address; yesterday's salt is deleted.
    visitor_hash: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class VisitorSalt(Model):
    """The random salt of one day; deleted when the day is over."""

    __tablename__ = "visitor_salts"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    salt: Mapped[str] = mapped_column(String(64))
