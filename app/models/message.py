# SPDX-License-Identifier: AGPL-3.0-or-later
"""Messages to candidates (decisions and their feedback) and the templates they start from."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.extensions import Model
from app.models.base import UTCDateTime, utcnow
from app.models.candidate import Application
from app.models.user import User


class MessageTemplate(Model):
    """An organization's wording for one stage and reason in one language, with placeholders."""

    __tablename__ = "message_templates"
    __table_args__ = (
        UniqueConstraint(
            "organization_id",
            "stage_key",
            "reason",
            "language",
            name="uq_message_templates_org_stage_reason_language",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    # The stage the decision moves to; "" for a plain message without a stage change.
    stage_key: Mapped[str] = mapped_column(String(40), default="")
    # A short slug such as "after_cv_review"; "" for the stage's general wording.
    reason: Mapped[str] = mapped_column(String(40), default="")
    language: Mapped[str] = mapped_column(String(5), default="en")
    name: Mapped[str] = mapped_column(String(120))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<MessageTemplate {self.stage_key}/{self.reason}/{self.language}>"


class CandidateMessage(Model):
    """A message sent to a candidate about one application, shown in the portal and e-mailed."""

    __tablename__ = "candidate_messages"
    __table_args__ = (Index("ix_candidate_messages_application_sent", "application_id", "sent_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The stage the application moved to with this message, if it did.
    stage_key: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # Only what the recruiter chose to share: {"strengths": [...], "growth": [...]}.
    feedback: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    language: Mapped[str] = mapped_column(String(5), default="en")
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    application: Mapped[Application] = relationship()
    sender: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<CandidateMessage {self.id} {self.stage_key}>"


class ResponseDigest(Model):
    """One day's "candidates waiting for an answer" e-mail to one colleague: sent at most once a day."""

    __tablename__ = "response_digests"
    __table_args__ = (UniqueConstraint("user_id", "sent_on", name="uq_response_digests_user_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    sent_on: Mapped[date] = mapped_column(Date)
    application_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
