# SPDX-License-Identifier: AGPL-3.0-or-later
"""Column types and helpers shared by the models."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import DateTime, Enum, String
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Stores UTC timestamps and always returns timezone-aware datetimes.

    SQLite drops the offset, so values are normalised to UTC on the way in and tagged
    as UTC on the way out; PostgreSQL keeps them in ``timestamptz``.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_column(enum_class: type[enum.Enum], name: str, length: int = 20) -> Enum:
    """A portable enum column: the member values in a VARCHAR with a named CHECK constraint."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda members: [member.value for member in members],
    )


# The attribution columns below, by name (forms, exports and services list them in this order).
ATTRIBUTION_FIELDS = (
    "channel",
    "source",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "referrer_host",
    "embed_host",
    "share_channel",
    "ambassador_code",
)


class AttributionColumns:
    """Where a visitor came from: the columns journey events and applications both carry."""

    channel: Mapped[str] = mapped_column(String(20), default="direct")
    source: Mapped[str] = mapped_column(String(255), default="")
    utm_source: Mapped[str | None] = mapped_column(String(120))
    utm_medium: Mapped[str | None] = mapped_column(String(120))
    utm_campaign: Mapped[str | None] = mapped_column(String(120))
    utm_term: Mapped[str | None] = mapped_column(String(120))
    utm_content: Mapped[str | None] = mapped_column(String(120))
    referrer_host: Mapped[str | None] = mapped_column(String(255))
    embed_host: Mapped[str | None] = mapped_column(String(255))
    share_channel: Mapped[str | None] = mapped_column(String(20))
    ambassador_code: Mapped[str | None] = mapped_column(String(64))
