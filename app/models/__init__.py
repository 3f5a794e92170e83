"""All models, imported so that Alembic and the mapper registry see every table."""

from app.models.audit import AuditEvent
from app.models.base import UTCDateTime, utcnow
from app.models.candidate import (
    Application,
    ApplicationAnswer,
    ApplicationStage,
    ApplicationStageChange,
    Candidate,
    JobQuestion,
    QuestionKind,
)
from app.models.interview import (
    AnswerType,
    InterviewAnswer,
    InterviewInvitation,
    InterviewQuestion,
    InterviewTemplate,
    InvitationState,
    ProcessingState,
)
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
from app.models.pipeline import PipelineStage, StageKind
from app.models.portal import CandidateAccessToken, CandidateSession, DataExport
from app.models.user import AuthToken, Role, StaffSession, TokenPurpose, User

__all__ = [
    "AnswerType",
    "Application",
    "ApplicationAnswer",
    "ApplicationStage",
    "ApplicationStageChange",
    "AuditEvent",
    "AuthToken",
    "Candidate",
    "CandidateAccessToken",
    "CandidateSession",
    "Channel",
    "DataExport",
    "EmploymentType",
    "EventType",
    "InterviewAnswer",
    "InterviewInvitation",
    "InterviewQuestion",
    "InterviewTemplate",
    "InvitationState",
    "Job",
    "JobFaq",
    "JobLocation",
    "JobPhoto",
    "JobQuestion",
    "JobStatus",
    "JourneyEvent",
    "Organization",
    "PipelineStage",
    "ProcessingState",
    "QuestionKind",
    "Role",
    "SalaryPeriod",
    "StaffSession",
    "StageKind",
    "Testimonial",
    "TokenPurpose",
    "UTCDateTime",
    "User",
    "VisitorSalt",
    "WorkModel",
    "utcnow",
]
