# SPDX-License-Identifier: AGPL-3.0-or-later
"""Upload tickets: the server's record of each file a staff member's browser may upload directly."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.extensions import Model
from app.models.base import UTCDateTime, utcnow


class IssuedUpload(Model):
    """A storage key issued to one user of one organization for one purpose, until used or expired.

    A confirm adopts only a key found here for the same user, organization and purpose, still
    unused and unexpired: a key seen or guessed elsewhere is worth nothing. Tickets never used
    are swept together with their files.
    """

    __tablename__ = "upload_tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    issued_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    purpose: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(255), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    max_size: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
