"""All models, imported so that Alembic and the mapper registry see every table."""

from app.models.audit import AuditEvent
from app.models.base import UTCDateTime, utcnow
from app.models.organization import Organization
from app.models.user import AuthToken, Role, StaffSession, TokenPurpose, User

__all__ = [
    "AuditEvent",
    "AuthToken",
    "Organization",
    "Role",
    "StaffSession",
    "TokenPurpose",
    "UTCDateTime",
    "User",
    "utcnow",
]
