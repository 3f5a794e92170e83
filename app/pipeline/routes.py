"""Routes of the pipeline area."""

from app.pipeline import bp  # noqa: F401
