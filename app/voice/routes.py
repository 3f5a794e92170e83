"""Routes of the voice area."""

from app.voice import bp  # noqa: F401
