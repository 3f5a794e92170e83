# SPDX-License-Identifier: AGPL-3.0-or-later
"""Storing uploads whose real type (from their bytes, not their name) is allowed.

Staff browsers upload recordings directly to the storage with a ticket this server issued and
recorded (``IssuedUpload``): a confirm adopts only a key issued to the same user, organization
and purpose, once. Every staff file lives under its organization's own prefix.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import BinaryIO

import filetype
from flask_babel import lazy_gettext as _l

from app.core.errors import Invalid, NotFound
from app.core.extensions import db
from app.core.storage import FileTooLarge, StoredObject, UploadTicket, get_storage, organization_prefix
from app.core.storage.stored_files import delete_unreferenced_now
from app.models import IssuedUpload, User, utcnow

IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/webp"})
VIDEO_TYPES = frozenset({"video/webm", "video/mp4"})


# How long after its ticket a finished upload may still be confirmed; unused tickets go afterwards.
TICKET_CONFIRM_WINDOW = timedelta(hours=6)
SWEEP_BATCH = 200


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


def store_video_upload(stream: BinaryIO, *, prefix: str, max_size: int, field: str = "video") -> StoredObject:
    """Store an uploaded WebM or MP4 video (checked by content) of at most ``max_size`` bytes."""
    return store_checked_upload(
        stream,
        allowed=VIDEO_TYPES,
        prefix=prefix,
        max_size=max_size,
        field=field,
        wrong_type=str(_l("The video must be a WebM or MP4 file.")),
        too_large=str(_l("The video must be at most %(size)d MB.", size=max_size // (1024 * 1024))),
    )


# Enough of the start of a file for filetype to recognise a video container.
VIDEO_SNIFF_BYTES = 8192


def recording_type(content_type: str) -> str:
    """The container of a browser recording ("video/webm;codecs=vp8" → "video/webm"); Invalid if not a video."""
    base_type = content_type.split(";", 1)[0].strip().lower()
    if base_type not in VIDEO_TYPES:
        raise Invalid(str(_l("Recordings must be WebM or MP4 videos.")), field="content_type")
    return base_type


def recording_ticket(
    prefix: str,
    content_type: str,
    max_size: int,
    *,
    key: str | None = None,
    expires_in: int | None = None,
) -> UploadTicket:
    """Where a browser may upload one recording (WebM or MP4) directly, under ``prefix``.

    ``key`` renews an earlier ticket's key (a retry overwrites instead of adding an object).
    """
    return get_storage().upload_ticket(
        prefix=prefix,
        content_type=recording_type(content_type),
        max_size=max_size,
        key=key,
        expires_in=expires_in,
    )


def verify_recording(key: str, *, prefix: str, max_size: int, foreign: str) -> StoredObject:
    """Check that a browser upload under ``prefix`` exists, fits ``max_size`` and really is WebM or MP4.

    ``foreign`` is the message for a key that was not issued under ``prefix``. Returns the
    stored object with the content type found in its bytes.
    """
    if ".." in key or not key.startswith(f"{prefix.rstrip('/')}/"):
        raise Invalid(foreign, field="key")
    storage = get_storage()
    try:
        stored = storage.stat(key)
    except ValueError:
        stored = None
    if stored is None:
        raise NotFound(str(_l("The upload was not found. Upload the video again.")))
    if stored.size == 0 or stored.size > max_size:
        raise Invalid(str(_l("The video is empty or larger than allowed.")), field="key")
    if stored.content_type not in VIDEO_TYPES:
        raise Invalid(str(_l("Recordings must be WebM or MP4 videos.")), field="key")
    with storage.open(key) as handle:
        kind = filetype.guess(handle.read(VIDEO_SNIFF_BYTES))
    if kind is None or kind.mime not in VIDEO_TYPES:
        raise Invalid(str(_l("The uploaded file is not a WebM or MP4 video.")), field="key")
    return StoredObject(key=key, size=stored.size, content_type=kind.mime)


def issue_recording_ticket(actor: User, purpose: str, content_type: str, max_size: int) -> UploadTicket:
    """A direct-upload ticket for one recording, recorded for this user, organization and purpose."""
    ticket = recording_ticket(organization_prefix(actor.organization_id, purpose), content_type, max_size)
    db.session.add(
        IssuedUpload(
            organization_id=actor.organization_id,
            issued_to_id=actor.id,
            purpose=purpose,
            key=ticket.key,
            content_type=recording_type(content_type),
            max_size=max_size,
            expires_at=utcnow() + TICKET_CONFIRM_WINDOW,
        )
    )
    db.session.flush()
    return ticket


def claim_recording(actor: User, purpose: str, key: str, *, foreign: str) -> StoredObject:
    """Use up the ticket this server issued to ``actor`` for ``purpose`` and check its upload.

    Any other key (another user's or organization's, another purpose's, used, expired or made
    up) is refused with ``foreign``, before the storage is even asked about it.
    """
    issued = db.session.scalar(
        db.select(IssuedUpload)
        .where(
            IssuedUpload.key == key,
            IssuedUpload.organization_id == actor.organization_id,
            IssuedUpload.issued_to_id == actor.id,
            IssuedUpload.purpose == purpose,
            IssuedUpload.used_at.is_(None),
            IssuedUpload.expires_at > utcnow(),
        )
        .with_for_update()
    )
    if issued is None:
        raise Invalid(foreign, field="key")
    stored = verify_recording(
        key,
        prefix=organization_prefix(actor.organization_id, purpose),
        max_size=issued.max_size,
        foreign=foreign,
    )
    issued.used_at = utcnow()
    db.session.flush()
    return stored


def sweep_upload_tickets(now: datetime) -> int:
    """Forget expired tickets, deleting the files of those never used (unless a row took them).

    Returns how many tickets were removed.
    """
    expired = db.session.scalars(
        db.select(IssuedUpload)
        .where(IssuedUpload.expires_at <= now)
        .order_by(IssuedUpload.id)
        .limit(SWEEP_BATCH)
    ).all()
    delete_unreferenced_now(ticket.key for ticket in expired if ticket.used_at is None)
    for ticket in expired:
        db.session.delete(ticket)
    db.session.flush()
    return len(expired)
