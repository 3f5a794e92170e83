"""Rules for job postings: writing, publishing, closing, media and testimonials."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from functools import cache
from typing import BinaryIO
from zoneinfo import available_timezones

import filetype
from babel import Locale
from babel.numbers import list_currencies
from flask_babel import lazy_gettext as _l

from app.audit import record_audit
from app.errors import Conflict, Invalid, NotFound, PermissionDenied
from app.extensions import db
from app.models import (
    EmploymentType,
    Job,
    JobFaq,
    JobLocation,
    JobPhoto,
    JobStatus,
    Role,
    SalaryPeriod,
    Testimonial,
    User,
    WorkModel,
    utcnow,
)
from app.organizations.services import slugify
from app.storage import FileTooLarge, UploadTicket, get_storage
from app.uploads import IMAGE_TYPES, VIDEO_TYPES, store_checked_upload
from config import SUPPORTED_LANGUAGES

MANAGING_ROLES = frozenset({Role.ADMIN, Role.RECRUITER})
HIRING_MANAGER_ROLES = frozenset({Role.ADMIN, Role.RECRUITER, Role.MANAGER})
PHOTO_MAX_BYTES = 5 * 1024 * 1024
# Uploaded through the form, so it stays within the app's request size limit.
TESTIMONIAL_VIDEO_MAX_BYTES = 20 * 1024 * 1024
VIDEO_MAX_BYTES = 200 * 1024 * 1024
CAPTIONS_MAX_BYTES = 1024 * 1024
PITCH_VIDEO_PREFIX = "pitch-videos"
QUOTE_MAX_LENGTH = 600
# filetype reads at most this many bytes to recognise a format.
SNIFF_BYTES = 8192


class JobRefused(Invalid):
    """Several field errors at once (``field`` paths like ``locations.1.country``)."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__(errors[0][1], errors[0][0])
        self.errors = errors


@dataclass
class LocationData:
    """One place the job is based, as typed in."""

    city: str = ""
    region: str = ""
    country: str = ""


@dataclass
class FaqData:
    """One question and answer, as typed in."""

    question: str = ""
    answer: str = ""


@dataclass
class JobData:
    """Everything a recruiter writes about a job."""

    title: str
    team: str = ""
    employment_type: str = "full_time"
    work_model: str = "on_site"
    locations: list[LocationData] = field(default_factory=list)
    remote_countries: list[str] = field(default_factory=list)
    remote_time_zones: list[str] = field(default_factory=list)
    salary_min: Decimal | None = None
    salary_max: Decimal | None = None
    salary_currency: str = ""
    salary_period: str = ""
    description_md: str = ""
    responsibilities_md: str = ""
    requirements_md: str = ""
    perks_md: str = ""
    language: str = "en"
    hiring_manager_id: int | None = None
    valid_through: date | None = None
    faqs: list[FaqData] = field(default_factory=list)


@dataclass(frozen=True)
class JobCounts:
    """How many jobs of each status the actor can see."""

    draft: int = 0
    published: int = 0
    closed: int = 0

    @property
    def total(self) -> int:
        return self.draft + self.published + self.closed


# --- reference lists ---------------------------------------------------------------------------


@cache
def country_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes known to Babel (no numeric regions like 150)."""
    return frozenset(code for code in Locale("en").territories if len(code) == 2 and code.isalpha())


def country_choices(locale: str = "en") -> list[tuple[str, str]]:
    """(code, localized name) pairs sorted by name, for country pickers."""
    names = Locale.parse(locale).territories
    return sorted(((code, names.get(code, code)) for code in country_codes()), key=lambda pair: pair[1])


@cache
def _time_zones_by_lower() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


@cache
def currency_codes() -> frozenset[str]:
    """ISO 4217 currency codes known to Babel."""
    return frozenset(list_currencies())


def parse_code_list(text: str) -> list[str]:
    """Split "IT, de ,FR" into trimmed, non-empty items, keeping order and dropping repeats."""
    items: list[str] = []
    for part in text.replace(";", ",").replace("\n", ",").split(","):
        part = part.strip()
        if part and part not in items:
            items.append(part)
    return items


# --- reading, scoped to the actor's organization ----------------------------------------------


def _require_manager(actor: User) -> None:
    if actor.role not in MANAGING_ROLES:
        raise PermissionDenied(str(_l("Only administrators and recruiters can change jobs.")))


def _visible_jobs(actor: User):
    query = db.select(Job).where(Job.organization_id == actor.organization_id)
    if actor.role == Role.MANAGER:
        return query.where(Job.hiring_manager_id == actor.id)
    if actor.role not in MANAGING_ROLES:
        raise PermissionDenied(str(_l("Jobs are managed by recruiters and hiring managers.")))
    return query


def get_job(actor: User, job_id: int) -> Job:
    """A job the actor may see (managers: only theirs); NotFound otherwise."""
    job = db.session.scalar(_visible_jobs(actor).where(Job.id == job_id))
    if job is None:
        raise NotFound(str(_l("No such job in your organization.")))
    return job


def get_managed_job(actor: User, job_id: int) -> Job:
    """A job the actor may change (administrators and recruiters only)."""
    _require_manager(actor)
    return get_job(actor, job_id)


def list_jobs(actor: User, status: JobStatus | None = None) -> list[Job]:
    """The jobs the actor may see, newest first, optionally of one status."""
    query = _visible_jobs(actor)
    if status is not None:
        query = query.where(Job.status == status)
    return list(db.session.scalars(query.order_by(Job.created_at.desc(), Job.id.desc())))


def count_jobs(actor: User) -> JobCounts:
    """Jobs per status, among those the actor may see."""
    subquery = _visible_jobs(actor).subquery()
    rows = db.session.execute(db.select(subquery.c.status, db.func.count()).group_by(subquery.c.status))
    counts = {JobStatus(status).value: number for status, number in rows}
    return JobCounts(**counts)


def hiring_manager_candidates(organization_id: int) -> list[User]:
    """Active staff who can be a job's hiring manager."""
    return list(
        db.session.scalars(
            db.select(User)
            .where(
                User.organization_id == organization_id,
                User.active.is_(True),
                User.role.in_(HIRING_MANAGER_ROLES),
            )
            .order_by(User.name)
        )
    )


# --- writing ------------------------------------------------------------------------------------


def new_job_slug(title: str) -> str:
    """An unguessable slug: a readable prefix and a random suffix."""
    return f"{(slugify(title) or 'job')[:50].strip('-')}-{secrets.token_hex(4)}"


def _end_of_day(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


def _check_job_data(actor: User, data: JobData) -> list[tuple[str, str]]:
    """Rules of the fields themselves (not of publishing); returns field errors."""
    errors: list[tuple[str, str]] = []
    if not data.title.strip():
        errors.append(("title", str(_l("Give the job a title."))))
    if data.employment_type not in {member.value for member in EmploymentType}:
        errors.append(("employment_type", str(_l("Choose an employment type."))))
    if data.work_model not in {member.value for member in WorkModel}:
        errors.append(("work_model", str(_l("Choose where the work happens."))))
    if data.language not in SUPPORTED_LANGUAGES:
        errors.append(("language", str(_l("Choose English or Italian."))))
    for index, location in enumerate(data.locations):
        if location.country.strip().upper() not in country_codes():
            errors.append(
                (
                    f"locations.{index}.country",
                    str(_l("Choose the country of this location.")),
                )
            )
    for code in data.remote_countries:
        if code.strip().upper() not in country_codes():
            errors.append(
                (
                    "remote_countries",
                    str(_l("“%(code)s” is not an ISO country code such as IT or DE.", code=code)),
                )
            )
    for zone in data.remote_time_zones:
        if zone.strip().lower() not in _time_zones_by_lower():
            errors.append(
                (
                    "remote_time_zones",
                    str(_l("“%(zone)s” is not a time zone such as Europe/Rome.", zone=zone)),
                )
            )
    errors.extend(_check_salary(data))
    if data.hiring_manager_id is not None and data.hiring_manager_id not in {
        user.id for user in hiring_manager_candidates(actor.organization_id)
    }:
        errors.append(("hiring_manager_id", str(_l("Choose a hiring manager from your organization."))))
    for index, faq in enumerate(data.faqs):
        if not faq.question.strip():
            errors.append((f"faqs.{index}.question", str(_l("Write the question."))))
        if not faq.answer.strip():
            errors.append((f"faqs.{index}.answer", str(_l("Write the answer."))))
    return errors


def _check_salary(data: JobData) -> list[tuple[str, str]]:
    errors: list[tuple[str, str]] = []
    amounts = [amount for amount in (data.salary_min, data.salary_max) if amount is not None]
    for name, amount in (("salary_min", data.salary_min), ("salary_max", data.salary_max)):
        if amount is not None and amount <= 0:
            errors.append((name, str(_l("Salaries are positive amounts."))))
    if data.salary_min is not None and data.salary_max is not None and data.salary_min > data.salary_max:
        errors.append(("salary_max", str(_l("The maximum must not be lower than the minimum."))))
    if amounts:
        if data.salary_currency.strip().upper() not in currency_codes():
            errors.append(("salary_currency", str(_l("Choose the currency of the salary, such as EUR."))))
        if data.salary_period not in {member.value for member in SalaryPeriod}:
            errors.append(("salary_period", str(_l("Choose whether the salary is per hour, month, year…"))))
    elif data.salary_currency.strip() and data.salary_currency.strip().upper() not in currency_codes():
        errors.append(("salary_currency", str(_l("Choose the currency of the salary, such as EUR."))))
    return errors


def _apply_job_data(job: Job, data: JobData) -> None:
    work_model = WorkModel(data.work_model)
    job.title = data.title.strip()[:200]
    job.team = data.team.strip()[:120]
    job.employment_type = EmploymentType(data.employment_type)
    job.work_model = work_model
    job.remote_countries = (
        [] if work_model == WorkModel.ON_SITE else [code.strip().upper() for code in data.remote_countries]
    )
    job.remote_time_zones = (
        []
        if work_model == WorkModel.ON_SITE
        else [_time_zones_by_lower()[zone.strip().lower()] for zone in data.remote_time_zones]
    )
    has_salary = data.salary_min is not None or data.salary_max is not None
    job.salary_min = data.salary_min
    job.salary_max = data.salary_max
    job.salary_currency = data.salary_currency.strip().upper() if has_salary else None
    job.salary_period = SalaryPeriod(data.salary_period) if has_salary else None
    job.description_md = data.description_md.strip()
    job.responsibilities_md = data.responsibilities_md.strip()
    job.requirements_md = data.requirements_md.strip()
    job.perks_md = data.perks_md.strip()
    job.language = data.language
    job.hiring_manager_id = data.hiring_manager_id
    job.valid_through = _end_of_day(data.valid_through) if data.valid_through else None
    job.locations = [
        JobLocation(
            city=location.city.strip()[:120],
            region=location.region.strip()[:120],
            country=location.country.strip().upper(),
            position=position,
        )
        for position, location in enumerate(data.locations)
    ]
    job.faqs = [
        JobFaq(question=faq.question.strip()[:300], answer=faq.answer.strip(), position=position)
        for position, faq in enumerate(data.faqs)
    ]


def publish_problems(job: Job, now: datetime | None = None) -> list[tuple[str, str]]:
    """What keeps a job from being public, as field errors (empty when it can be published)."""
    now = now or utcnow()
    problems: list[tuple[str, str]] = []
    if not job.title.strip():
        problems.append(("title", str(_l("A published job needs a title."))))
    if not job.description_md.strip():
        problems.append(("description_md", str(_l("A published job needs a description."))))
    if job.work_model in (WorkModel.ON_SITE, WorkModel.HYBRID) and not job.locations:
        problems.append(
            ("locations", str(_l("On-site and hybrid jobs need at least one location before publishing.")))
        )
    if job.work_model == WorkModel.REMOTE and not (job.remote_countries or job.remote_time_zones):
        problems.append(
            (
                "remote_countries",
                str(_l("Remote jobs need the countries or time zones candidates may work from.")),
            )
        )
    if job.valid_through is not None and job.valid_through <= now:
        problems.append(("valid_through", str(_l("The valid-through date must be in the future."))))
    return problems


def create_job(actor: User, data: JobData) -> Job:
    """A new draft job in the actor's organization."""
    _require_manager(actor)
    errors = _check_job_data(actor, data)
    if errors:
        raise JobRefused(errors)
    job = Job(organization_id=actor.organization_id, slug=new_job_slug(data.title), status=JobStatus.DRAFT)
    _apply_job_data(job, data)
    db.session.add(job)
    db.session.flush()
    record_audit(actor.organization_id, actor, "job.created", "job", job.id)
    return job


def update_job(actor: User, job_id: int, data: JobData, now: datetime | None = None) -> Job:
    """Change a job's fields; a published job must stay publishable; drafts follow their title."""
    job = get_managed_job(actor, job_id)
    errors = _check_job_data(actor, data)
    if errors:
        raise JobRefused(errors)
    old_title = job.title
    with db.session.no_autoflush:
        _apply_job_data(job, data)
        if job.status == JobStatus.PUBLISHED:
            problems = publish_problems(job, now)
            if problems:
                raise JobRefused(problems)
    # Until a job was published its address was never public, so it may follow the title.
    if job.published_at is None and job.title != old_title:
        job.slug = new_job_slug(job.title)
    db.session.flush()
    record_audit(actor.organization_id, actor, "job.updated", "job", job.id)
    return job


def duplicate_job(actor: User, job_id: int) -> Job:
    """A new draft copying the job's text, locations and FAQ (not its photos or video)."""
    source = get_managed_job(actor, job_id)
    title = f"{source.title} {_l('(copy)')}"[:200]
    job = Job(
        organization_id=actor.organization_id,
        slug=new_job_slug(source.title),
        title=title,
        team=source.team,
        employment_type=source.employment_type,
        work_model=source.work_model,
        remote_countries=list(source.remote_countries),
        remote_time_zones=list(source.remote_time_zones),
        salary_min=source.salary_min,
        salary_max=source.salary_max,
        salary_currency=source.salary_currency,
        salary_period=source.salary_period,
        description_md=source.description_md,
        responsibilities_md=source.responsibilities_md,
        requirements_md=source.requirements_md,
        perks_md=source.perks_md,
        language=source.language,
        hiring_manager_id=source.hiring_manager_id,
        valid_through=source.valid_through,
        status=JobStatus.DRAFT,
        locations=[
            JobLocation(city=loc.city, region=loc.region, country=loc.country, position=loc.position)
            for loc in source.locations
        ],
        faqs=[JobFaq(question=faq.question, answer=faq.answer, position=faq.position) for faq in source.faqs],
    )
    db.session.add(job)
    db.session.flush()
    record_audit(actor.organization_id, actor, "job.duplicated", "job", job.id, source_job_id=source.id)
    return job


def publish_job(actor: User, job_id: int, now: datetime | None = None) -> Job:
    """Draft → published; refuses with field errors while the job is incomplete."""
    job = get_managed_job(actor, job_id)
    if job.status != JobStatus.DRAFT:
        raise Conflict(
            str(
                _l("This job is already published.")
                if job.status == JobStatus.PUBLISHED
                else _l("Closed jobs cannot be published again; duplicate the job to post it anew.")
            )
        )
    problems = publish_problems(job, now)
    if problems:
        raise JobRefused(problems)
    job.status = JobStatus.PUBLISHED
    job.published_at = now or utcnow()
    record_audit(actor.organization_id, actor, "job.published", "job", job.id)
    return job


def close_job(actor: User, job_id: int, now: datetime | None = None) -> Job:
    """Published → closed: the job stops taking applications."""
    job = get_managed_job(actor, job_id)
    if job.status != JobStatus.PUBLISHED:
        raise Conflict(str(_l("Only published jobs can be closed.")))
    job.status = JobStatus.CLOSED
    job.closed_at = now or utcnow()
    record_audit(actor.organization_id, actor, "job.closed", "job", job.id)
    return job


# --- photos -------------------------------------------------------------------------------------


def add_job_photo(actor: User, job_id: int, stream: BinaryIO, alt_text: str) -> JobPhoto:
    """Store a team photo (PNG, JPEG or WebP by content, at most 5 MB) with its alt text."""
    job = get_managed_job(actor, job_id)
    if not alt_text.strip():
        raise Invalid(str(_l("Describe the photo for people who cannot see it.")), field="alt_text")
    stored = store_checked_upload(
        stream,
        allowed=IMAGE_TYPES,
        prefix="job-photos",
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
    stored = store_checked_upload(
        stream,
        allowed=VIDEO_TYPES,
        prefix=PITCH_VIDEO_PREFIX,
        max_size=VIDEO_MAX_BYTES,
        field="video",
        wrong_type=str(_l("The video must be a WebM or MP4 file.")),
        too_large=str(_l("The video must be at most 200 MB.")),
    )
    return _set_pitch_video(actor, job, stored.key, stored.content_type)


def pitch_video_ticket(actor: User, job_id: int, content_type: str) -> UploadTicket:
    """Where the browser may upload a recorded pitch video directly."""
    _video_job(actor, job_id)
    base_type = content_type.split(";", 1)[0].strip().lower()
    if base_type not in VIDEO_TYPES:
        raise Invalid(str(_l("Recordings must be WebM or MP4 videos.")), field="content_type")
    return get_storage().upload_ticket(
        prefix=PITCH_VIDEO_PREFIX, content_type=base_type, max_size=VIDEO_MAX_BYTES
    )


def confirm_pitch_video(actor: User, job_id: int, key: str) -> list[str]:
    """Adopt a browser upload as the pitch video after checking it; returns old keys to delete."""
    job = _video_job(actor, job_id)
    if not key.startswith(f"{PITCH_VIDEO_PREFIX}/") or ".." in key:
        raise Invalid(str(_l("This upload does not belong to a pitch video.")), field="key")
    storage = get_storage()
    try:
        stored = storage.stat(key)
    except ValueError:
        stored = None
    if stored is None:
        raise NotFound(str(_l("The upload was not found. Upload the video again.")))
    if stored.size > VIDEO_MAX_BYTES or stored.size == 0:
        raise Invalid(str(_l("The video must be at most 200 MB.")), field="key")
    if stored.content_type not in VIDEO_TYPES:
        raise Invalid(str(_l("Recordings must be WebM or MP4 videos.")), field="key")
    with storage.open(key) as handle:
        kind = filetype.guess(handle.read(SNIFF_BYTES))
    if kind is None or kind.mime not in VIDEO_TYPES:
        raise Invalid(str(_l("The uploaded file is not a WebM or MP4 video.")), field="key")
    return _set_pitch_video(actor, job, key, kind.mime)


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
            stream, prefix="pitch-captions", content_type="text/vtt", max_size=CAPTIONS_MAX_BYTES
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
                    prefix="testimonial-photos",
                    max_size=PHOTO_MAX_BYTES,
                    field="photo",
                    wrong_type=str(_l("The photo must be a PNG, JPEG or WebP image.")),
                    too_large=str(_l("The photo must be at most 5 MB.")),
                )
            )
            testimonial.photo_key, testimonial.photo_content_type = stored[-1].key, stored[-1].content_type
        if video is not None:
            stored.append(
                store_checked_upload(
                    video,
                    allowed=VIDEO_TYPES,
                    prefix="testimonial-videos",
                    max_size=TESTIMONIAL_VIDEO_MAX_BYTES,
                    field="video",
                    wrong_type=str(_l("The video must be a WebM or MP4 file.")),
                    too_large=str(_l("The video must be at most 20 MB.")),
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
