"""All models, imported so that Alembic and the mapper registry see every table."""

from app.models.audit import AuditEvent
from app.models.base import UTCDateTime, utcnow
from app.models.job import (
    EmploymentType,
    Job,
    JobFaq,
    JobLocation,
    JobPhoto,
    JobStatus,
    SalaryPeriod,
    Testimonial,
    WorkModel,
)
from app.models.journey import Channel, EventType, JourneyEvent, VisitorSalt
from app.models.organization import Organization
from app.models.user import AuthToken, Role, StaffSession, TokenPurpose, User

__all__ = [
    "AuditEvent",
    "AuthToken",
    "Channel",
    "EmploymentType",
    "EventType",
    "Job",
    "JobFaq",
    "JobLocation",
    "JobPhoto",
    "JobStatus",
    "JourneyEvent",
    "Organization",
    "Role",
    "SalaryPeriod",
    "StaffSession",
    "Testimonial",
    "TokenPurpose",
    "UTCDateTime",
    "User",
    "VisitorSalt",
    "WorkModel",
    "utcnow",
]
