"""Routes of the feedback area."""

from app.feedback import bp  # noqa: F401
