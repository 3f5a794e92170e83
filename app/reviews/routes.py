"""Routes of the reviews area."""

from app.reviews import bp  # noqa: F401
