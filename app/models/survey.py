# SPDX-License-Identifier: AGPL-3.0-or-later
"""Candidate experience surveys (cNPS) and employees' pulse surveys (eNPS)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.extensions import Model
from app.models.base import UTCDateTime, enum_column, utcnow
from app.models.candidate import Application


class Touchpoint(enum.StrEnum):
    """The moments of the candidate journey an organization may ask about."""

    APPLIED = "applied"
    INTERVIEW = "interview"
    DECISION = "decision"


class PulseAudience(enum.StrEnum):
    """Who is asked in a pulse survey."""

    EMPLOYEES = "employees"
    ALL_STAFF = "all_staff"


class SurveySettings(Model):
    """Which touchpoints an organization asks candidates about (all off until an admin turns them on)."""

    __tablename__ = "survey_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), unique=True)
    after_applying: Mapped[bool] = mapped_column(default=False)
    after_interview: Mapped[bool] = mapped_column(default=False)
    after_decision: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def enabled(self, touchpoint: Touchpoint) -> bool:
        """Whether candidates are asked at ``touchpoint``."""
        return {
            Touchpoint.APPLIED: self.after_applying,
            Touchpoint.INTERVIEW: self.after_interview,
            Touchpoint.DECISION: self.after_decision,
        }[Touchpoint(touchpoint)]


class SurveyInvitation(Model):
    """One application's chance to answer at one touchpoint; ``answered`` stops a second answer.

    ``token_hash`` is set when a link was handed out (after applying, by e-mail); the interview
    page and the portal reach the same row through their own credentials. No answer time is kept
    here, so an anonymous answer cannot be matched to the application by its date.
    """

    __tablename__ = "survey_invitations"
    __table_args__ = (
        UniqueConstraint("application_id", "touchpoint", name="uq_survey_invitations_application_touchpoint"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    touchpoint: Mapped[Touchpoint] = mapped_column(enum_column(Touchpoint, "survey_touchpoint"))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    answered: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    application: Mapped[Application] = relationship()


class SurveyResponse(Model):
    """One candidate's answer from 0 to 10; ``application_id`` only when they chose to link it."""

    __tablename__ = "survey_responses"
    __table_args__ = (
        CheckConstraint("score >= 0 AND score <= 10", name="score_range"),
        Index("ix_survey_responses_org_touchpoint_day", "organization_id", "touchpoint", "answered_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"), index=True)
    # Deleted with the candidate's data when linked; anonymous answers never carry it.
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    touchpoint: Mapped[Touchpoint] = mapped_column(enum_column(Touchpoint, "survey_touchpoint"))
    score: Mapped[int] = mapped_column()
    comment: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(5), default="en")
    # Day precision only: an exact time could single out an anonymous answer.
    answered_on: Mapped[date] = mapped_column(Date)

    application: Mapped[Application | None] = relationship()


class Pulse(Model):
    """An eNPS pulse survey: open between two days, each colleague invited by a personal link."""

    __tablename__ = "pulses"
    __table_args__ = (Index("ix_pulses_organization_opens", "organization_id", "opens_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    # Empty: the default eNPS question, in each colleague's language.
    question: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[PulseAudience] = mapped_column(
        enum_column(PulseAudience, "pulse_audience"), default=PulseAudience.EMPLOYEES
    )
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    reminder_on: Mapped[date | None] = mapped_column(Date)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PulseParticipation(Model):
    """A colleague's personal link to a pulse; ``answered`` stops a second answer, no answer is tied to it."""

    __tablename__ = "pulse_participations"
    __table_args__ = (UniqueConstraint("pulse_id", "user_id", name="uq_pulse_participations_pulse_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pulse_id: Mapped[int] = mapped_column(ForeignKey("pulses.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    answered: Mapped[bool] = mapped_column(default=False)

    pulse: Mapped[Pulse] = relationship()


class PulseResponse(Model):
    """One anonymous pulse answer: no user, day precision only."""

    __tablename__ = "pulse_responses"
    __table_args__ = (CheckConstraint("score >= 0 AND score <= 10", name="score_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pulse_id: Mapped[int] = mapped_column(ForeignKey("pulses.id", ondelete="CASCADE"), index=True)
    score: Mapped[int] = mapped_column()
    comment: Mapped[str] = mapped_column(Text, default="")
    answered_on: Mapped[date] = mapped_column(Date)
