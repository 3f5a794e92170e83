"""Storing uploads whose real type (from their bytes, not their name) is allowed."""

from __future__ import annotations

from typing import BinaryIO

import filetype

from app.errors import Invalid
from app.storage import FileTooLarge, StoredObject, get_storage

IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/webp"})
VIDEO_TYPES = frozenset({"video/webm", "video/mp4"})


def sniff_content_type(stream: BinaryIO, allowed: frozenset[str]) -> str | None:
    """The real type of an upload, from its first bytes, when it is one of ``allowed``."""
    head = stream.read(262)
    stream.seek(0)
    kind = filetype.guess(head)
    return kind.mime if kind is not None and kind.mime in allowed else None


def store_checked_upload(
    stream: BinaryIO,
    *,
    allowed: frozenset[str],
    prefix: str,
    max_size: int,
    field: str,
    wrong_type: str,
    too_large: str,
) -> StoredObject:
    """Store an upload under ``prefix`` if its content is an allowed type and small enough.

    Raises Invalid on ``field`` with ``wrong_type`` or ``too_large``; nothing is stored then.
    """
    content_type = sniff_content_type(stream, allowed)
    if content_type is None:
        raise Invalid(wrong_type, field=field)
    try:
        return get_storage().save(stream, prefix=prefix, content_type=content_type, max_size=max_size)
    except FileTooLarge:
        raise Invalid(too_large, field=field) from None
