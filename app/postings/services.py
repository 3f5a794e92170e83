# SPDX-License-Identifier: AGPL-3.0-or-later
"""Rules for job postings: reading, writing, publishing and closing (media and testimonials have their own modules)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from functools import cache
from zoneinfo import available_timezones

from babel import Locale
from babel.numbers import list_currencies
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, raiseload, selectinload

from app.core.audit import record_audit
from app.core.errors import Conflict, Invalid, NotFound, PermissionDenied
from app.core.extensions import db
from app.models import (
    EmploymentType,
    Job,
    JobFaq,
    JobLocation,
    JobStatus,
    Role,
    SalaryPeriod,
    User,
    WorkModel,
    utcnow,
)
from app.organizations.services import slugify
from config import SUPPORTED_LANGUAGES

MANAGING_ROLES = frozenset({Role.ADMIN, Role.RECRUITER})
HIRING_MANAGER_ROLES = frozenset({Role.ADMIN, Role.RECRUITER, Role.MANAGER})


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

    def __post_init__(self) -> None:
        # A row posted with some sub-fields missing arrives with None for them.
        self.city, self.region, self.country = self.city or "", self.region or "", self.country or ""


@dataclass
class FaqData:
    """One question and answer, as typed in."""

    question: str = ""
    answer: str = ""

    def __post_init__(self) -> None:
        self.question, self.answer = self.question or "", self.answer or ""


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
    return frozenset(
        code
        for code in Locale("en").territories
        if isinstance(code, str) and len(code) == 2 and code.isalpha()
    )


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


# What the jobs list shows of each job, loaded with the jobs: the same few queries for 3 jobs or
# 3,000. Any other relationship of a job raises instead of quietly issuing a query per row. The
# hiring manager and the organization are shared with the rest of the request (the signed-in user
# may be the hiring manager), so their own relationships keep loading as usual.
JOB_LIST_LOADING = (
    selectinload(Job.locations).raiseload("*"),
    joinedload(Job.hiring_manager).lazyload("*"),
    joinedload(Job.organization).lazyload("*"),
    raiseload("*"),
)


def list_jobs(actor: User, status: JobStatus | None = None) -> list[Job]:
    """The jobs the actor may see, newest first, optionally of one status."""
    query = _visible_jobs(actor).options(*JOB_LIST_LOADING)
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
