# SPDX-License-Identifier: AGPL-3.0-or-later
"""Published jobs as public documents: an explicit allow-list of fields, nothing internal."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from app.core.errors import Invalid, NotFound
from app.core.extensions import db
from app.core.markdown import markdown_to_text
from app.core.urls import public_url
from app.models import EmploymentType, Job, JobStatus, Organization, WorkModel, utcnow
from app.models.organization import DEFAULT_ACCENT_COLOR, DEFAULT_PRIMARY_COLOR
from app.organizations.services import find_organization_by_slug

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
SUMMARY_LENGTH = 240
COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
COUNTRY = re.compile(r"^[A-Za-z]{2}$")
LANGUAGE = re.compile(r"^[A-Za-z]{2}(?:[-_][A-Za-z]{2})?$")
FILTER_NAMES = ("team", "country", "work_model", "employment_type", "lang", "limit")


@dataclass(frozen=True)
class JobFilters:
    """What a public listing may be narrowed to."""

    team: str | None = None
    country: str | None = None
    work_model: WorkModel | None = None
    employment_type: EmploymentType | None = None
    language: str | None = None
    limit: int | None = DEFAULT_LIMIT


def parse_job_filters(values: Mapping[str, str]) -> JobFilters:
    """Read the optional filters of a listing from plain strings; Invalid names the bad one."""
    cleaned = {name: (values.get(name) or "").strip() for name in FILTER_NAMES}
    country = cleaned["country"]
    if country and not COUNTRY.match(country):
        raise Invalid(str(_l("Write the country as a two-letter ISO code, for example IT.")), field="country")
    language = cleaned["lang"]
    if language and not LANGUAGE.match(language):
        raise Invalid(str(_l("Write the language as a code such as en or it.")), field="lang")
    return JobFilters(
        team=cleaned["team"][:120] or None,
        country=country.upper() or None,
        work_model=_member(WorkModel, cleaned["work_model"], "work_model"),
        employment_type=_member(EmploymentType, cleaned["employment_type"], "employment_type"),
        language=language.lower().replace("_", "-") or None,
        limit=_limit(cleaned["limit"]),
    )


def _member(enum_class: type[Any], value: str, field: str) -> Any:
    if not value:
        return None
    try:
        return enum_class(value)
    except ValueError:
        choices = ", ".join(member.value for member in enum_class)
        raise Invalid(str(_l("Choose one of: %(choices)s.", choices=choices)), field=field) from None


def _limit(value: str) -> int:
    if not value:
        return DEFAULT_LIMIT
    if not value.isdigit() or not 1 <= int(value) <= MAX_LIMIT:
        raise Invalid(str(_l("The limit must be a number from 1 to %(max)d.", max=MAX_LIMIT)), field="limit")
    return int(value)


def find_public_organization(slug: str) -> Organization:
    """The organization behind a public slug; NotFound otherwise."""
    return find_organization_by_slug(slug)


def _open_jobs(organization: Organization, now: datetime):
    return (
        db.select(Job)
        .where(
            Job.organization_id == organization.id,
            Job.status == JobStatus.PUBLISHED,
            db.or_(Job.valid_through.is_(None), Job.valid_through > now),
        )
        .options(selectinload(Job.locations))
    )


def list_public_jobs(
    organization: Organization, filters: JobFilters | None = None, now: datetime | None = None
) -> list[Job]:
    """The organization's published, unexpired jobs matching the filters, newest first."""
    filters = filters or JobFilters()
    query = _open_jobs(organization, now or utcnow())
    if filters.team:
        query = query.where(db.func.lower(Job.team) == filters.team.lower())
    if filters.work_model:
        query = query.where(Job.work_model == filters.work_model)
    if filters.employment_type:
        query = query.where(Job.employment_type == filters.employment_type)
    if filters.language:
        query = query.where(Job.language == filters.language)
    jobs = db.session.scalars(query.order_by(Job.published_at.desc(), Job.title, Job.id)).all()
    if filters.country:
        jobs = [job for job in jobs if filters.country in job_countries(job)]
    return list(jobs[: filters.limit])


def find_public_job(organization: Organization, job_slug: str, now: datetime | None = None) -> Job:
    """One published, unexpired job of the organization; NotFound for anything else."""
    job = db.session.scalar(_open_jobs(organization, now or utcnow()).where(Job.slug == job_slug))
    if job is None:
        raise NotFound(str(_l("This job is not open, or the address is wrong.")))
    return job


def job_countries(job: Job) -> set[str]:
    """Countries a job is based in or open to remotely (upper-case ISO codes)."""
    countries = {location.country.upper() for location in job.locations if location.country}
    return countries | {code.upper() for code in job.remote_countries or [] if isinstance(code, str)}


def summarize(markdown: str | None, length: int = SUMMARY_LENGTH) -> str:
    """The first words of a Markdown text as plain text, cut at a word boundary."""
    text = " ".join(markdown_to_text(markdown).split())
    if len(text) <= length:
        return text
    cut = text[: length - 1].rsplit(" ", 1)[0].rstrip(" ,;:.-")
    return f"{cut}…"


def brand_color(value: str | None, default: str) -> str:
    """A colour safe to hand to CSS: #rrggbb, or the default."""
    return value.lower() if value and COLOR.match(value) else default


def job_url(organization: Organization, job: Job) -> str:
    """The absolute, canonical address of a job page."""
    return public_url("careers.job", org_slug=organization.slug, job_slug=job.slug)


def careers_url(organization: Organization) -> str:
    """The absolute address of the organization's career site."""
    return public_url("careers.site", org_slug=organization.slug)


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _timestamp(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def public_job(organization: Organization, job: Job) -> dict[str, Any]:
    """The public fields of a job, and nothing else."""
    salary = None
    if job.salary_min is not None or job.salary_max is not None:
        salary = {
            "min": _number(job.salary_min),
            "max": _number(job.salary_max),
            "currency": job.salary_currency,
            "period": job.salary_period.value if job.salary_period else None,
        }
    return {
        "slug": job.slug,
        "title": job.title,
        "team": job.team or None,
        "employment_type": job.employment_type.value,
        "work_model": job.work_model.value,
        "locations": [
            {"city": location.city or None, "region": location.region or None, "country": location.country}
            for location in job.locations
        ],
        "remote_countries": list(job.remote_countries or []),
        "salary": salary,
        "valid_through": _timestamp(job.valid_through),
        "published_at": _timestamp(job.published_at),
        "language": job.language,
        "url": job_url(organization, job),
        "summary": summarize(job.description_md),
    }


def public_organization(organization: Organization) -> dict[str, Any]:
    """The public face of an organization: name, slug, colours, logo and career site."""
    logo = None
    if organization.logo_key:
        logo = public_url("system.organization_logo", slug=organization.slug)
    return {
        "name": organization.name,
        "slug": organization.slug,
        "primary_color": brand_color(organization.primary_color, DEFAULT_PRIMARY_COLOR),
        "accent_color": brand_color(organization.accent_color, DEFAULT_ACCENT_COLOR),
        "logo_url": logo,
        "careers_url": careers_url(organization),
    }


def jobs_document(organization: Organization, jobs: list[Job]) -> dict[str, Any]:
    """The listing answered by the public API."""
    return {
        "organization": public_organization(organization),
        "jobs": [public_job(organization, job) for job in jobs],
    }


def job_document(organization: Organization, job: Job) -> dict[str, Any]:
    """One job as answered by the public API."""
    return {
        "organization": public_organization(organization),
        "job": public_job(organization, job),
    }
