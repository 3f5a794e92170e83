# SPDX-License-Identifier: AGPL-3.0-or-later
"""Media of a job posting: team photos, the hiring manager's pitch video and its captions."""

from __future__ import annotations

from typing import BinaryIO

from flask_babel import lazy_gettext as _l

from app.core.audit import record_audit
from app.core.errors import Invalid, NotFound
from app.core.extensions import db
from app.core.storage import FileTooLarge, UploadTicket, get_storage
from app.core.storage.uploads import (
    IMAGE_TYPES,
    claim_recording,
    issue_recording_ticket,
    organization_prefix,
    store_checked_upload,
    store_video_upload,
)
from app.models import Job, JobPhoto, User
from app.postings.services import get_job, get_managed_job

PHOTO_MAX_BYTES = 5 * 1024 * 1024
VIDEO_MAX_BYTES = 200 * 1024 * 1024
CAPTIONS_MAX_BYTES = 1024 * 1024
PITCH_VIDEO_PREFIX = "pitch-videos"


# --- photos -------------------------------------------------------------------------------------


def add_job_photo(actor: User, job_id: int, stream: BinaryIO, alt_text: str) -> JobPhoto:
    """Store a team photo (PNG, JPEG or WebP by content, at most 5 MB) with its alt text."""
    job = get_managed_job(actor, job_id)
    if not alt_text.strip():
        raise Invalid(str(_l("Describe the photo for people who cannot see it.")), field="alt_text")
    stored = store_checked_upload(
        stream,
        allowed=IMAGE_TYPES,
        prefix=organization_prefix(actor.organization_id, "job-photos"),
        max_size=PHOTO_MAX_BYTES,
        field="photo",
        wrong_type=str(_l("The photo must be a PNG, JPEG or WebP image.")),
        too_large=str(_l("The photo must be at most 5 MB.")),
    )
    position = max((photo.position for photo in job.photos), default=-1) + 1
    photo = JobPhoto(
        key=stored.key, content_type=stored.content_type, alt_text=alt_text.strip()[:200], position=position
    )
    job.photos.append(photo)
    db.session.flush()
    record_audit(actor.organization_id, actor, "job.photo_added", "job", job.id, photo_id=photo.id)
    return photo


def get_job_photo(actor: User, job_id: int, photo_id: int) -> JobPhoto:
    """A photo of a job the actor may see."""
    job = get_job(actor, job_id)
    for photo in job.photos:
        if photo.id == photo_id:
            return photo
    raise NotFound(str(_l("No such photo.")))


def delete_job_photo(actor: User, job_id: int, photo_id: int) -> str:
    """Remove a photo; returns its storage key, to delete after the commit."""
    get_managed_job(actor, job_id)
    photo = get_job_photo(actor, job_id, photo_id)
    job = photo.job
    job.photos.remove(photo)
    for position, other in enumerate(job.photos):
        other.position = position
    record_audit(actor.organization_id, actor, "job.photo_removed", "job", job.id, photo_id=photo_id)
    return photo.key


def move_job_photo(actor: User, job_id: int, photo_id: int, offset: int) -> None:
    """Move a photo earlier (-1) or later (+1) in the job's order."""
    get_managed_job(actor, job_id)
    photo = get_job_photo(actor, job_id, photo_id)
    photos = list(photo.job.photos)
    index = photos.index(photo)
    target = max(0, min(len(photos) - 1, index + offset))
    photos.insert(target, photos.pop(index))
    for position, other in enumerate(photos):
        other.position = position
    record_audit(actor.organization_id, actor, "job.photos_reordered", "job", photo.job_id)


# --- pitch video --------------------------------------------------------------------------------


def _video_job(actor: User, job_id: int) -> Job:
    """Admins and recruiters, and the job's own hiring manager, may change its pitch video."""
    return get_job(actor, job_id)


def _set_pitch_video(actor: User, job: Job, key: str, content_type: str) -> list[str]:
    old = [job.pitch_video_key] if job.pitch_video_key and job.pitch_video_key != key else []
    job.pitch_video_key = key
    job.pitch_video_content_type = content_type
    record_audit(actor.organization_id, actor, "job.pitch_video_replaced", "job", job.id)
    return old


def replace_pitch_video(actor: User, job_id: int, stream: BinaryIO) -> list[str]:
    """Store an uploaded pitch video (WebM or MP4 by content); returns old keys to delete."""
    job = _video_job(actor, job_id)
    stored = store_video_upload(
        stream,
        prefix=organization_prefix(actor.organization_id, PITCH_VIDEO_PREFIX),
        max_size=VIDEO_MAX_BYTES,
    )
    return _set_pitch_video(actor, job, stored.key, stored.content_type)


def pitch_video_ticket(actor: User, job_id: int, content_type: str) -> UploadTicket:
    """Where the browser may upload a recorded pitch video directly."""
    _video_job(actor, job_id)
    return issue_recording_ticket(actor, PITCH_VIDEO_PREFIX, content_type, VIDEO_MAX_BYTES)


def confirm_pitch_video(actor: User, job_id: int, key: str) -> list[str]:
    """Adopt the actor's own ticketed upload as the pitch video after checking it; returns old keys."""
    job = _video_job(actor, job_id)
    if job.pitch_video_key == key:
        return []  # a retried confirm after a lost response
    stored = claim_recording(
        actor, PITCH_VIDEO_PREFIX, key, foreign=str(_l("This upload does not belong to a pitch video."))
    )
    return _set_pitch_video(actor, job, key, stored.content_type)


def replace_pitch_captions(actor: User, job_id: int, stream: BinaryIO) -> list[str]:
    """Store WebVTT captions for the pitch video; returns old keys to delete."""
    job = _video_job(actor, job_id)
    if not job.pitch_video_key:
        raise Invalid(str(_l("Add the video before its captions.")), field="captions")
    head = stream.read(16)
    stream.seek(0)
    if not head.lstrip(b"\xef\xbb\xbf").startswith(b"WEBVTT"):
        raise Invalid(str(_l("Captions must be a WebVTT file starting with “WEBVTT”.")), field="captions")
    try:
        stored = get_storage().save(
            stream,
            prefix=organization_prefix(actor.organization_id, "pitch-captions"),
            content_type="text/vtt",
            max_size=CAPTIONS_MAX_BYTES,
        )
    except FileTooLarge:
        raise Invalid(str(_l("Captions must be at most 1 MB.")), field="captions") from None
    old = [job.pitch_captions_key] if job.pitch_captions_key else []
    job.pitch_captions_key = stored.key
    record_audit(actor.organization_id, actor, "job.pitch_captions_replaced", "job", job.id)
    return old


def remove_pitch_video(actor: User, job_id: int) -> list[str]:
    """Take the pitch video and its captions off the job; returns keys to delete."""
    job = _video_job(actor, job_id)
    old = [key for key in (job.pitch_video_key, job.pitch_captions_key) if key]
    job.pitch_video_key = None
    job.pitch_video_content_type = None
    job.pitch_captions_key = None
    if old:
        record_audit(actor.organization_id, actor, "job.pitch_video_removed", "job", job.id)
    return old
