# SPDX-License-Identifier: AGPL-3.0-or-later
"""Job postings: the card candidates see, its locations, FAQ, photos and testimonials."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.extensions import Model
from app.models.base import UTCDateTime, enum_column, utcnow
from app.models.organization import Organization

if TYPE_CHECKING:
    from app.models.user import User


class JobStatus(enum.StrEnum):
    """A job is written as a draft, published, then closed."""

    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"


class EmploymentType(enum.StrEnum):
    """Employment types, as Google for Jobs names them (lowercase here)."""

    FULL_TIME = "full_time"
    PART_TIME = "part_time"
    CONTRACTOR = "contractor"
    TEMPORARY = "temporary"
    INTERN = "intern"
    VOLUNTEER = "volunteer"
    PER_DIEM = "per_diem"
    OTHER = "other"


class WorkModel(enum.StrEnum):
    """Where the work happens."""

    ON_SITE = "on_site"
    HYBRID = "hybrid"
    REMOTE = "remote"


class SalaryPeriod(enum.StrEnum):
    """The unit a salary range is expressed in (schema.org unitText)."""

    HOUR = "hour"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


class Job(Model):
    """A job posting of one organization."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_org_status", "organization_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    team: Mapped[str] = mapped_column(String(120), default="")
    employment_type: Mapped[EmploymentType] = mapped_column(
        enum_column(EmploymentType, "job_employment_type"), default=EmploymentType.FULL_TIME
    )
    work_model: Mapped[WorkModel] = mapped_column(
        enum_column(WorkModel, "job_work_model"), default=WorkModel.ON_SITE
    )
    # For remote work: the ISO 3166-1 alpha-2 countries and/or IANA time zones candidates may live in.
    remote_countries: Mapped[list[str]] = mapped_column(JSON, default=list)
    remote_time_zones: Mapped[list[str]] = mapped_column(JSON, default=list)
    salary_min: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    salary_max: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    salary_currency: Mapped[str | None] = mapped_column(String(3))
    salary_period: Mapped[SalaryPeriod | None] = mapped_column(enum_column(SalaryPeriod, "job_salary_period"))
    description_md: Mapped[str] = mapped_column(Text, default="")
    responsibilities_md: Mapped[str] = mapped_column(Text, default="")
    requirements_md: Mapped[str] = mapped_column(Text, default="")
    perks_md: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(5), default="en")
    hiring_manager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    valid_through: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[JobStatus] = mapped_column(enum_column(JobStatus, "job_status"), default=JobStatus.DRAFT)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    pitch_video_key: Mapped[str | None] = mapped_column(String(255))
    pitch_video_content_type: Mapped[str | None] = mapped_column(String(100))
    pitch_captions_key: Mapped[str | None] = mapped_column(String(255))
    # The interview candidates of this job are invited to by default.
    interview_template_id: Mapped[int | None] = mapped_column(
        ForeignKey("interview_templates.id", ondelete="SET NULL")
    )
    blind_review: Mapped[bool] = mapped_column(default=False)  # reviewers see answers before the person

    organization: Mapped[Organization] = relationship()
    hiring_manager: Mapped[User | None] = relationship()
    locations: Mapped[list[JobLocation]] = relationship(
        back_populates="job", cascade="all, delete-orphan", order_by="JobLocation.position"
    )
    faqs: Mapped[list[JobFaq]] = relationship(
        back_populates="job", cascade="all, delete-orphan", order_by="JobFaq.position"
    )
    photos: Mapped[list[JobPhoto]] = relationship(
        back_populates="job", cascade="all, delete-orphan", order_by="JobPhoto.position"
    )

    @property
    def is_published(self) -> bool:
        return self.status == JobStatus.PUBLISHED

    def __repr__(self) -> str:
        return f"<Job {self.slug} {self.status}>"


class JobLocation(Model):
    """A place the job is based (city, region, ISO country code)."""

    __tablename__ = "job_locations"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    city: Mapped[str] = mapped_column(String(120), default="")
    region: Mapped[str] = mapped_column(String(120), default="")
    country: Mapped[str] = mapped_column(String(2))
    position: Mapped[int] = mapped_column(default=0)

    job: Mapped[Job] = relationship(back_populates="locations")


class JobFaq(Model):
    """A question candidates often ask about the job, with its answer."""

    __tablename__ = "job_faqs"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    question: Mapped[str] = mapped_column(String(300))
    answer: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(default=0)

    job: Mapped[Job] = relationship(back_populates="faqs")


class JobPhoto(Model):
    """A team photo shown on the job card (stored through the storage interface)."""

    __tablename__ = "job_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    alt_text: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(default=0)

    job: Mapped[Job] = relationship(back_populates="photos")


class Testimonial(Model):
    """An employee's words (and optional photo or short video) for job cards.

    Shown only once the employee approved it and an admin (or the recruiter who wrote it
    down) approved it, and hidden again when the employee withdraws consent.
    """

    __tablename__ = "testimonials"
    __table_args__ = (Index("ix_testimonials_org_job", "organization_id", "job_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    quote: Mapped[str] = mapped_column(Text)
    author_name: Mapped[str] = mapped_column(String(120))
    author_role: Mapped[str] = mapped_column(String(120), default="")
    photo_key: Mapped[str | None] = mapped_column(String(255))
    photo_content_type: Mapped[str | None] = mapped_column(String(100))
    video_key: Mapped[str | None] = mapped_column(String(255))
    video_content_type: Mapped[str | None] = mapped_column(String(100))
    employee_approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    admin_approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    job: Mapped[Job | None] = relationship()
    employee: Mapped[User | None] = relationship()

    @property
    def is_visible(self) -> bool:
        return bool(self.employee_approved_at and self.admin_approved_at and not self.withdrawn_at)
