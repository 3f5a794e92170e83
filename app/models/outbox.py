# SPDX-License-Identifier: AGPL-3.0-or-later
"""Delivery rows written in the caller's transaction, scheduler locks, heartbeats, files awaiting their row."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.extensions import Model
from app.models.base import UTCDateTime, enum_column, utcnow


class OutboxKind(enum.StrEnum):
    """What a row carries: an e-mail, a background job, or (later) a webhook call."""

    MAIL = "mail"
    JOB = "job"
    WEBHOOK = "webhook"


class OutboxStatus(enum.StrEnum):
    """Where a row is in its delivery."""

    PENDING = "pending"  # waiting for its next attempt
    DELIVERING = "delivering"  # claimed by a relay under a lease (locked_until)
    DELIVERED = "delivered"
    FAILED = "failed"  # gave up: attempts used up or a permanent error; staff may retry


class OutboxMessage(Model):
    """One e-mail, job or webhook to deliver, committed with the change that caused it."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The organization whose admins see the row (None: system mail, jobs); erased with it.
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[OutboxKind] = mapped_column(enum_column(OutboxKind, "outbox_kind"))
    topic: Mapped[str] = mapped_column(String(200))  # the job's name, "mail", a webhook's event
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[OutboxStatus] = mapped_column(
        enum_column(OutboxStatus, "outbox_status"), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=6)
    retry_delay: Mapped[int] = mapped_column(default=60)  # seconds before the 2nd try; doubles after
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_by: Mapped[str | None] = mapped_column(String(100))
    last_error: Mapped[str | None] = mapped_column(Text)
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class JobLock(Model):
    """A scheduled job's run slot: one consumer claims each slot, however many run."""

    __tablename__ = "job_locks"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(100))
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_slot: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WorkerHeartbeat(Model):
    """The last sign of life of one job consumer process."""

    __tablename__ = "worker_heartbeats"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)  # host:pid
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PendingFile(Model):
    """A stored file whose database row is not committed yet; swept if it never is."""

    __tablename__ = "pending_files"

    key: Mapped[str] = mapped_column(String(500), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
