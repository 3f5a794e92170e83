# SPDX-License-Identifier: AGPL-3.0-or-later
"""Employees' testimonials for job cards: written down by staff or contributed by employees themselves.

A testimonial is shown only once the employee and an administrator (or the recruiter who wrote it
down) approved it, and disappears when the employee withdraws consent or leaves (is deactivated).
"""

from __future__ import annotations

from typing import Any, BinaryIO

from flask_babel import lazy_gettext as _l

from app.core.audit import record_audit
from app.core.errors import Conflict, Invalid, NotFound
from app.core.extensions import db
from app.core.storage import UploadTicket, get_storage
from app.core.storage.uploads import (
    IMAGE_TYPES,
    claim_recording,
    issue_recording_ticket,
    organization_prefix,
    store_checked_upload,
    store_video_upload,
)
from app.models import Job, JobStatus, Role, Testimonial, User, utcnow
from app.postings.services import MANAGING_ROLES, _require_manager, get_job

PHOTO_MAX_BYTES = 5 * 1024 * 1024
# Uploaded through the form, so it stays within the app's request size limit.
TESTIMONIAL_VIDEO_MAX_BYTES = 20 * 1024 * 1024
QUOTE_MAX_LENGTH = 600
# Recorded in the browser and uploaded straight to storage, so not bound by the request limit.
RECORDED_VIDEO_MAX_BYTES = 60 * 1024 * 1024
RECORD_SECONDS = 90
RECORDED_VIDEO_PREFIX = "testimonial-videos"


# --- testimonials -------------------------------------------------------------------------------


def list_testimonials(actor: User) -> list[Testimonial]:
    """Every testimonial of the organization (administrators and recruiters)."""
    _require_manager(actor)
    return list(
        db.session.scalars(
            db.select(Testimonial)
            .where(Testimonial.organization_id == actor.organization_id)
            .order_by(Testimonial.created_at.desc(), Testimonial.id.desc())
        )
    )


def testimonial_authors(organization_id: int) -> list[User]:
    """Active colleagues who can be quoted."""
    return list(
        db.session.scalars(
            db.select(User)
            .where(User.organization_id == organization_id, User.active.is_(True))
            .order_by(User.name)
        )
    )


def create_testimonial(
    actor: User,
    *,
    employee_id: int,
    quote: str,
    job_id: int | None = None,
    author_name: str = "",
    author_role: str = "",
    photo: BinaryIO | None = None,
    video: BinaryIO | None = None,
) -> Testimonial:
    """A colleague's words for job cards, approved by staff; shown once the colleague approves."""
    _require_manager(actor)
    employee = db.session.scalar(
        db.select(User).where(
            User.id == employee_id, User.organization_id == actor.organization_id, User.active.is_(True)
        )
    )
    if employee is None:
        raise Invalid(str(_l("Choose a colleague from your organization.")), field="employee_id")
    quote = quote.strip()
    if not quote:
        raise Invalid(str(_l("Write what your colleague said.")), field="quote")
    if len(quote) > QUOTE_MAX_LENGTH:
        raise Invalid(str(_l("Keep the quote within 600 characters.")), field="quote")
    job = get_job(actor, job_id) if job_id is not None else None
    testimonial = Testimonial(
        organization_id=actor.organization_id,
        job_id=job.id if job else None,
        employee_id=employee.id,
        quote=quote,
        author_name=(author_name.strip() or employee.name)[:120],
        author_role=author_role.strip()[:120],
        admin_approved_at=utcnow(),
    )
    _attach_testimonial_media(testimonial, photo, video)
    db.session.add(testimonial)
    db.session.flush()
    record_audit(actor.organization_id, actor, "testimonial.created", "testimonial", testimonial.id)
    return testimonial


def _attach_testimonial_media(
    testimonial: Testimonial, photo: BinaryIO | None, video: BinaryIO | None
) -> None:
    """Store the optional photo and short video, checked by content; nothing is left on refusal."""
    stored = []
    try:
        if photo is not None:
            stored.append(
                store_checked_upload(
                    photo,
                    allowed=IMAGE_TYPES,
                    prefix=organization_prefix(testimonial.organization_id, "testimonial-photos"),
                    max_size=PHOTO_MAX_BYTES,
                    field="photo",
                    wrong_type=str(_l("The photo must be a PNG, JPEG or WebP image.")),
                    too_large=str(_l("The photo must be at most 5 MB.")),
                )
            )
            testimonial.photo_key, testimonial.photo_content_type = stored[-1].key, stored[-1].content_type
        if video is not None:
            stored.append(
                store_video_upload(
                    video,
                    prefix=organization_prefix(testimonial.organization_id, RECORDED_VIDEO_PREFIX),
                    max_size=TESTIMONIAL_VIDEO_MAX_BYTES,
                )
            )
            testimonial.video_key, testimonial.video_content_type = stored[-1].key, stored[-1].content_type
    except Invalid:
        for item in stored:
            get_storage().delete(item.key)
        raise


def delete_testimonial(actor: User, testimonial_id: int) -> list[str]:
    """Remove a testimonial; returns its stored files, to delete after the commit."""
    _require_manager(actor)
    testimonial = db.session.scalar(
        db.select(Testimonial).where(
            Testimonial.id == testimonial_id, Testimonial.organization_id == actor.organization_id
        )
    )
    if testimonial is None:
        raise NotFound(str(_l("No such testimonial in your organization.")))
    keys = [key for key in (testimonial.photo_key, testimonial.video_key) if key]
    db.session.delete(testimonial)
    record_audit(actor.organization_id, actor, "testimonial.deleted", "testimonial", testimonial_id)
    return keys


def get_testimonial_photo(actor: User, testimonial_id: int) -> Testimonial:
    """A testimonial with a photo, for staff who manage them or the colleague quoted."""
    testimonial = db.session.scalar(
        db.select(Testimonial).where(
            Testimonial.id == testimonial_id, Testimonial.organization_id == actor.organization_id
        )
    )
    allowed = testimonial is not None and (
        actor.role in MANAGING_ROLES or testimonial.employee_id == actor.id
    )
    if not allowed or not testimonial.photo_key:
        raise NotFound(str(_l("No such photo.")))
    return testimonial


def my_testimonials(actor: User) -> list[Testimonial]:
    """The testimonials that quote the actor."""
    return list(
        db.session.scalars(
            db.select(Testimonial)
            .where(Testimonial.organization_id == actor.organization_id, Testimonial.employee_id == actor.id)
            .order_by(Testimonial.created_at.desc(), Testimonial.id.desc())
        )
    )


def _own_testimonial(actor: User, testimonial_id: int) -> Testimonial:
    testimonial = db.session.scalar(
        db.select(Testimonial).where(
            Testimonial.id == testimonial_id,
            Testimonial.organization_id == actor.organization_id,
            Testimonial.employee_id == actor.id,
        )
    )
    if testimonial is None:
        raise NotFound(str(_l("No such testimonial of yours.")))
    return testimonial


def approve_testimonial(actor: User, testimonial_id: int) -> Testimonial:
    """The quoted colleague agrees to be shown (again, after a withdrawal)."""
    testimonial = _own_testimonial(actor, testimonial_id)
    if testimonial.employee_approved_at and not testimonial.withdrawn_at:
        raise Conflict(str(_l("You already approved this testimonial.")))
    testimonial.employee_approved_at = utcnow()
    testimonial.withdrawn_at = None
    record_audit(actor.organization_id, actor, "testimonial.approved", "testimonial", testimonial.id)
    return testimonial


def withdraw_testimonial(actor: User, testimonial_id: int) -> Testimonial:
    """The quoted colleague withdraws consent: the testimonial is hidden at once."""
    testimonial = _own_testimonial(actor, testimonial_id)
    if testimonial.withdrawn_at:
        raise Conflict(str(_l("You already withdrew this testimonial.")))
    testimonial.withdrawn_at = utcnow()
    record_audit(actor.organization_id, actor, "testimonial.withdrawn", "testimonial", testimonial.id)
    return testimonial


# --- shown or hidden ----------------------------------------------------------------------------


def is_shown(testimonial: Testimonial) -> bool:
    """Approved by both, not withdrawn, and its employee still works here."""
    employee = testimonial.employee
    return testimonial.is_visible and (employee is None or employee.active)


def shown_criteria() -> list[Any]:
    """SQL conditions selecting only the testimonials that may appear on job cards."""
    return [
        Testimonial.employee_approved_at.is_not(None),
        Testimonial.admin_approved_at.is_not(None),
        Testimonial.withdrawn_at.is_(None),
        db.or_(
            Testimonial.employee_id.is_(None),
            Testimonial.employee_id.in_(db.select(User.id).where(User.active.is_(True))),
        ),
    ]


# --- employees contribute their own -------------------------------------------------------------


def contribution_jobs(actor: User) -> list[Job]:
    """Published jobs of the actor's organization a testimonial may be shown on."""
    return list(
        db.session.scalars(
            db.select(Job)
            .where(Job.organization_id == actor.organization_id, Job.status == JobStatus.PUBLISHED)
            .order_by(Job.title)
        )
    )


def contribute_testimonial(
    actor: User,
    *,
    quote: str,
    author_role: str = "",
    job_id: int | None = None,
    photo: BinaryIO | None = None,
    video: BinaryIO | None = None,
) -> Testimonial:
    """An employee's own words (and photo or video): approved by them, shown once an admin approves too."""
    quote = quote.strip()
    if not quote:
        raise Invalid(str(_l("Write your testimonial.")), field="quote")
    if len(quote) > QUOTE_MAX_LENGTH:
        raise Invalid(str(_l("Keep the quote within 600 characters.")), field="quote")
    job = None
    if job_id is not None:
        job = db.session.scalar(
            db.select(Job).where(
                Job.id == job_id,
                Job.organization_id == actor.organization_id,
                Job.status == JobStatus.PUBLISHED,
            )
        )
        if job is None:
            raise Invalid(str(_l("Choose one of the open jobs, or every job.")), field="job_id")
    now = utcnow()
    testimonial = Testimonial(
        organization_id=actor.organization_id,
        job_id=job.id if job else None,
        employee_id=actor.id,
        quote=quote,
        author_name=actor.name[:120],
        author_role=author_role.strip()[:120],
        employee_approved_at=now,
        # An administrator contributing is also the administrator who approves.
        admin_approved_at=now if actor.role == Role.ADMIN else None,
    )
    _attach_testimonial_media(testimonial, photo, video)
    db.session.add(testimonial)
    db.session.flush()
    record_audit(actor.organization_id, actor, "testimonial.contributed", "testimonial", testimonial.id)
    return testimonial


def approve_for_job_cards(actor: User, testimonial_id: int) -> Testimonial:
    """An administrator or recruiter approves a colleague's contribution for job cards."""
    _require_manager(actor)
    testimonial = _organization_testimonial(actor, testimonial_id)
    if testimonial.admin_approved_at is not None:
        raise Conflict(str(_l("This testimonial is already approved.")))
    testimonial.admin_approved_at = utcnow()
    record_audit(actor.organization_id, actor, "testimonial.admin_approved", "testimonial", testimonial.id)
    return testimonial


def _organization_testimonial(actor: User, testimonial_id: int) -> Testimonial:
    testimonial = db.session.scalar(
        db.select(Testimonial).where(
            Testimonial.id == testimonial_id, Testimonial.organization_id == actor.organization_id
        )
    )
    if testimonial is None:
        raise NotFound(str(_l("No such testimonial in your organization.")))
    return testimonial


def own_video_ticket(actor: User, testimonial_id: int, content_type: str) -> UploadTicket:
    """Where the employee's browser may upload a recorded video for their own testimonial."""
    _own_testimonial(actor, testimonial_id)
    return issue_recording_ticket(actor, RECORDED_VIDEO_PREFIX, content_type, RECORDED_VIDEO_MAX_BYTES)


def confirm_own_video(actor: User, testimonial_id: int, key: str) -> list[str]:
    """Adopt a recorded upload as the testimonial's video; an administrator approves it again.

    Returns the replaced file's key, to delete after the commit.
    """
    testimonial = _own_testimonial(actor, testimonial_id)
    if testimonial.video_key == key:
        return []  # a retried confirm after a lost response
    stored = claim_recording(
        actor, RECORDED_VIDEO_PREFIX, key, foreign=str(_l("This upload does not belong to a testimonial."))
    )
    old = [testimonial.video_key] if testimonial.video_key and testimonial.video_key != key else []
    testimonial.video_key, testimonial.video_content_type = key, stored.content_type
    if actor.role != Role.ADMIN:
        testimonial.admin_approved_at = None  # new content: an administrator looks at it first
    record_audit(actor.organization_id, actor, "testimonial.video_recorded", "testimonial", testimonial.id)
    return old


def get_testimonial_video(actor: User, testimonial_id: int) -> Testimonial:
    """A testimonial with a video, for staff who manage them or the colleague quoted."""
    testimonial = db.session.scalar(
        db.select(Testimonial).where(
            Testimonial.id == testimonial_id, Testimonial.organization_id == actor.organization_id
        )
    )
    allowed = testimonial is not None and (
        actor.role in MANAGING_ROLES or testimonial.employee_id == actor.id
    )
    if not allowed or not testimonial.video_key:
        raise NotFound(str(_l("No such video.")))
    return testimonial
