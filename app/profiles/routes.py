"""Routes of the profiles area."""

from app.profiles import bp  # noqa: F401
