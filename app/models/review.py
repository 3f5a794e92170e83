# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reviewing interviews: scorecards, reviews with ratings, comments, shortlists and their shares."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.extensions import Model
from app.models.base import UTCDateTime, enum_column, utcnow

if TYPE_CHECKING:
    from app.models.candidate import Application
    from app.models.interview import InterviewAnswer, InterviewInvitation
    from app.models.job import Job
    from app.models.user import User


class Recommendation(enum.StrEnum):
    """A reviewer's overall verdict on a candidate."""

    STRONG_NO = "strong_no"
    NO = "no"
    YES = "yes"
    STRONG_YES = "strong_yes"

    @property
    def is_positive(self) -> bool:
        """Yes and strong yes are for the candidate; no and strong no against."""
        return self in (Recommendation.YES, Recommendation.STRONG_YES)


class ScorecardCriterion(Model):
    """One criterion of an interview template's scorecard (e.g. communication), with guidance."""

    __tablename__ = "scorecard_criteria"
    __table_args__ = (Index("ix_scorecard_criteria_template_position", "template_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("interview_templates.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    guidance: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)


class Review(Model):
    """One reviewer's assessment of one application's interview; submitted once rated."""

    __tablename__ = "reviews"
    __table_args__ = (
        Index("ix_reviews_application", "application_id"),
        Index("ix_reviews_org_submitted", "organization_id", "submitted_at"),
        # A colleague reviews an interview once; an outside reviewer once per link and browser.
        UniqueConstraint("invitation_id", "reviewer_id", name="uq_reviews_invitation_reviewer"),
        UniqueConstraint("invitation_id", "share_id", "reviewer_key", name="uq_reviews_invitation_share_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("interview_invitations.id", ondelete="CASCADE")
    )
    # None for outside reviewers, who come through a share link.
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    share_id: Mapped[int | None] = mapped_column(ForeignKey("shortlist_shares.id", ondelete="SET NULL"))
    # An outside reviewer's browser: a random value kept in their session, so the link can be reused.
    reviewer_key: Mapped[str | None] = mapped_column(String(64))
    reviewer_name: Mapped[str] = mapped_column(String(120))
    recommendation: Mapped[Recommendation | None] = mapped_column(
        enum_column(Recommendation, "review_recommendation")
    )
    # The mean of the reviewer's answer ratings, set on submit.
    overall_rating: Mapped[float | None] = mapped_column()
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    application: Mapped[Application] = relationship()
    invitation: Mapped[InterviewInvitation | None] = relationship()
    reviewer: Mapped[User | None] = relationship()
    share: Mapped[ShortlistShare | None] = relationship()
    answer_ratings: Mapped[list[AnswerRating]] = relationship(
        back_populates="review", cascade="all, delete-orphan", passive_deletes=True
    )
    criterion_scores: Mapped[list[CriterionScore]] = relationship(
        back_populates="review", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class AnswerRating(Model):
    """A reviewer's 1-5 rating of one interview answer, with an optional note."""

    __tablename__ = "answer_ratings"
    __table_args__ = (
        UniqueConstraint("review_id", "answer_id", name="uq_answer_ratings_review_answer"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
        Index("ix_answer_ratings_answer", "answer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    answer_id: Mapped[int] = mapped_column(ForeignKey("interview_answers.id", ondelete="CASCADE"))
    rating: Mapped[int] = mapped_column()
    note: Mapped[str] = mapped_column(Text, default="")

    review: Mapped[Review] = relationship(back_populates="answer_ratings")
    answer: Mapped[InterviewAnswer] = relationship()


class CriterionScore(Model):
    """A reviewer's 1-5 score on one scorecard criterion."""

    __tablename__ = "criterion_scores"
    __table_args__ = (
        UniqueConstraint("review_id", "criterion_id", name="uq_criterion_scores_review_criterion"),
        CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),
        Index("ix_criterion_scores_criterion", "criterion_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("scorecard_criteria.id", ondelete="CASCADE"))
    score: Mapped[int] = mapped_column()

    review: Mapped[Review] = relationship(back_populates="criterion_scores")
    criterion: Mapped[ScorecardCriterion] = relationship()


class ReviewComment(Model):
    """A colleague's comment on an application; @mentions name the users it notified."""

    __tablename__ = "review_comments"
    __table_args__ = (Index("ix_review_comments_application_created", "application_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    # The ids of the colleagues mentioned (and e-mailed).
    mentions: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship()


class Shortlist(Model):
    """A recruiter's selection of a job's applications, to be shared for a decision."""

    __tablename__ = "shortlists"
    __table_args__ = (Index("ix_shortlists_org_job", "organization_id", "job_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    job: Mapped[Job] = relationship()
    created_by: Mapped[User | None] = relationship()
    entries: Mapped[list[ShortlistEntry]] = relationship(
        back_populates="shortlist",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ShortlistEntry.added_at",
    )
    shares: Mapped[list[ShortlistShare]] = relationship(
        back_populates="shortlist",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ShortlistShare.created_at",
    )


class ShortlistEntry(Model):
    """One application on a shortlist."""

    __tablename__ = "shortlist_entries"
    __table_args__ = (
        UniqueConstraint("shortlist_id", "application_id", name="uq_shortlist_entries_shortlist_application"),
        Index("ix_shortlist_entries_application", "application_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shortlist_id: Mapped[int] = mapped_column(ForeignKey("shortlists.id", ondelete="CASCADE"))
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    shortlist: Mapped[Shortlist] = relationship(back_populates="entries")
    application: Mapped[Application] = relationship()


class ShortlistShare(Model):
    """A shortlist shared with a hiring manager (``user_id``) or through an outside link (``token_hash``)."""

    __tablename__ = "shortlist_shares"
    __table_args__ = (
        Index("ix_shortlist_shares_user", "user_id"),
        Index("ix_shortlist_shares_shortlist", "shortlist_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shortlist_id: Mapped[int] = mapped_column(ForeignKey("shortlists.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(120), default="")
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # An outside link belongs to one reviewer: the first to give their name. Their browser keeps a
    # random key (in its session); only its hash is stored, and reviews through the link carry the key.
    reviewer_name: Mapped[str | None] = mapped_column(String(120))
    reviewer_key_hash: Mapped[str | None] = mapped_column(String(64))
    reviewer_joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    shortlist: Mapped[Shortlist] = relationship(back_populates="shares")
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    @property
    def is_link(self) -> bool:
        return self.token_hash is not None

    def is_active_at(self, moment: datetime) -> bool:
        """Not revoked and not past its expiry."""
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > moment)
