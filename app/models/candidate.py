# SPDX-License-Identifier: AGPL-3.0-or-later
"""Candidates, their applications to jobs, and the custom questions a job asks."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.extensions import Model
from app.models.base import AttributionColumns, UTCDateTime, enum_column, utcnow
from app.models.job import Job
from app.models.organization import Organization


class QuestionKind(enum.StrEnum):
    """How a custom question is answered."""

    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    YES_NO = "yes_no"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    NUMBER = "number"


class ApplicationStage(enum.StrEnum):
    """The built-in stage keys; organizations may rename them and add their own (``PipelineStage``)."""

    NEW = "new"
    INTERVIEW_INVITED = "interview_invited"
    INTERVIEW_COMPLETED = "interview_completed"
    SHORTLISTED = "shortlisted"
    MANAGER_REVIEW = "manager_review"
    OFFER = "offer"
    HIRED = "hired"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class JobQuestion(Model):
    """A question recruiters add to a job's apply form."""

    __tablename__ = "job_questions"
    __table_args__ = (Index("ix_job_questions_job_position", "job_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(String(300))
    help_text: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[QuestionKind] = mapped_column(
        enum_column(QuestionKind, "job_question_kind"), default=QuestionKind.SHORT_TEXT
    )
    required: Mapped[bool] = mapped_column(default=False)
    choices: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Answers that route the application to "not a fit" for a person to confirm; never a rejection.
    knockout_answers: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    job: Mapped[Job] = relationship()

    def __repr__(self) -> str:
        return f"<JobQuestion {self.id} {self.kind}>"


class Candidate(Model):
    """A person who applied to an organization, one row per e-mail address."""

    __tablename__ = "candidates"
    __table_args__ = (UniqueConstraint("organization_id", "email", name="uq_candidates_organization_email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    name: Mapped[str] = mapped_column(String(120))
    # Always stored lowercase, so the unique constraint matches addresses however they were typed.
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(40), default="")
    location: Mapped[str] = mapped_column(String(120), default="")
    linkedin_url: Mapped[str | None] = mapped_column(String(500))
    portfolio_url: Mapped[str | None] = mapped_column(String(500))
    language: Mapped[str | None] = mapped_column(String(5))
    talent_pool_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    privacy_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the "your data will be deleted in 7 days" notice went out (retention).
    retention_notice_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    organization: Mapped[Organization] = relationship()
    applications: Mapped[list[Application]] = relationship(
        back_populates="candidate", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Candidate {self.id}>"


class Application(AttributionColumns, Model):
    """One person's application to one job, with its CV and where the person came from."""

    __tablename__ = "applications"
    __table_args__ = (
        # Makes a second application to the same job impossible, even from simultaneous requests.
        UniqueConstraint("candidate_id", "job_id", name="uq_applications_candidate_job"),
        Index("ix_applications_job_submitted", "job_id", "submitted_at"),
        Index("ix_applications_org_stage", "organization_id", "stage"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"))
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    public_id: Mapped[str] = mapped_column(String(43), unique=True)
    # The key of one of the organization's pipeline stages (see ``app.pipeline.stages``).
    stage: Mapped[str] = mapped_column(String(40), default=ApplicationStage.NEW.value)
    cover_note: Mapped[str] = mapped_column(Text, default="")
    cv_key: Mapped[str | None] = mapped_column(String(255))
    cv_filename: Mapped[str | None] = mapped_column(String(255))
    cv_content_type: Mapped[str | None] = mapped_column(String(100))
    cv_size: Mapped[int | None] = mapped_column()
    cv_text: Mapped[str] = mapped_column(Text, default="")
    knockout: Mapped[bool] = mapped_column(default=False)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the process ended for this application (withdrawn, rejected, hired); retention counts from here.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    first_touch: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))  # see app.advocacy

    candidate: Mapped[Candidate] = relationship(back_populates="applications")
    job: Mapped[Job] = relationship()
    answers: Mapped[list[ApplicationAnswer]] = relationship(
        back_populates="application",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ApplicationAnswer.position",
    )
    stage_changes: Mapped[list[ApplicationStageChange]] = relationship(
        back_populates="application",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ApplicationStageChange.changed_at",
    )

    def __repr__(self) -> str:
        return f"<Application {self.public_id} {self.stage}>"


class ApplicationAnswer(Model):
    """The answer to one custom question, with the question's wording at the time."""

    __tablename__ = "application_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("job_questions.id", ondelete="SET NULL"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    question_label: Mapped[str] = mapped_column(String(300))
    value: Mapped[Any] = mapped_column(JSON)

    application: Mapped[Application] = relationship(back_populates="answers")


class ApplicationStageChange(Model):
    """One move of an application from a stage to another: the candidate's status timeline."""

    __tablename__ = "application_stage_changes"
    __table_args__ = (Index("ix_application_stage_changes_application", "application_id", "changed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    from_stage: Mapped[str | None] = mapped_column(String(40))
    to_stage: Mapped[str] = mapped_column(String(40))
    # Staff who moved it; None when the candidate (withdrawal) or the system did.
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    application: Mapped[Application] = relationship(back_populates="stage_changes")
