"""Routes of the advocacy area."""

from app.advocacy import bp  # noqa: F401
