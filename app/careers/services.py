# SPDX-License-Identifier: AGPL-3.0-or-later
"""The public career site: which jobs are open, how they are filtered, and the job card's content."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from urllib.parse import quote

from babel import Locale
from babel.numbers import parse_pattern
from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import String, cast, func, or_
from sqlalchemy.orm import selectinload
from sqlalchemy.sql import Select

from app.core.errors import NotFound
from app.core.extensions import db
from app.core.markdown import markdown_to_text, render_markdown
from app.core.storage import file_url
from app.models import (
    EmploymentType,
    Job,
    JobLocation,
    JobStatus,
    Organization,
    Testimonial,
    User,
    WorkModel,
    utcnow,
)
from app.models.organization import DEFAULT_ACCENT_COLOR, DEFAULT_PRIMARY_COLOR
from app.postings import testimonials as testimonial_rules
from app.postings.labels import EMPLOYMENT_TYPE_LABELS, SALARY_PERIOD_LABELS, WORK_MODEL_LABELS
from config import SUPPORTED_LANGUAGES

JOBS_PER_PAGE = 20
SEARCH_MAX_LENGTH = 100
SUMMARY_LENGTH = 200
COLOR_PATTERN = re.compile(r"^#[0-9a-fA-F]{6}$")
COUNTRY_PATTERN = re.compile(r"^[A-Z]{2}$")
# Team photos have no stored dimensions: a fixed 4:3 box reserves the space (CSS crops to fit).
PHOTO_WIDTH = 480
PHOTO_HEIGHT = 360
SHARE_CHANNELS = ("linkedin", "x", "facebook", "whatsapp", "email", "copy")


@dataclass(frozen=True)
class BrandColors:
    """The organization's colours, safe to write into a style block."""

    primary: str
    accent: str


@dataclass(frozen=True)
class JobFilters:
    """What a candidate narrowed the list of open jobs to."""

    team: str = ""
    country: str = ""
    work_model: WorkModel | None = None
    employment_type: EmploymentType | None = None
    q: str = ""

    def as_args(self) -> dict[str, str]:
        """The filters as query-string arguments (empty ones left out)."""
        args = {
            "team": self.team,
            "country": self.country,
            "work_model": self.work_model.value if self.work_model else "",
            "employment_type": self.employment_type.value if self.employment_type else "",
            "q": self.q,
        }
        return {name: value for name, value in args.items() if value}

    @property
    def active(self) -> bool:
        """Whether any filter is set."""
        return bool(self.as_args())


@dataclass(frozen=True)
class Choice:
    """One option of a filter."""

    value: str
    label: str


@dataclass(frozen=True)
class FilterOptions:
    """The options the filter form offers, drawn from the open jobs."""

    teams: list[Choice]
    countries: list[Choice]
    work_models: list[Choice]
    employment_types: list[Choice]


@dataclass(frozen=True)
class Chip:
    """A key fact shown as a chip; ``label`` is read to screen readers before the value."""

    kind: str
    label: str
    value: str


@dataclass(frozen=True)
class JobSummary:
    """A job as it appears in a list: the job and its chips."""

    job: Job
    chips: list[Chip]


@dataclass(frozen=True)
class Section:
    """A part of the job description, rendered from Markdown."""

    slug: str
    title: str
    html: Markup
    open: bool = False


@dataclass(frozen=True)
class FaqItem:
    """A question with its rendered answer."""

    question: str
    answer_html: Markup


@dataclass(frozen=True)
class PitchVideo:
    """The hiring manager's video, with its captions when there are any."""

    url: str
    content_type: str
    captions_url: str | None
    captions_language: str


@dataclass(frozen=True)
class TestimonialCard:
    """An employee's words as shown on the card."""

    __test__ = False  # not a test class for pytest to collect

    quote: str
    author_name: str
    author_role: str
    photo_url: str | None
    video_url: str | None = None
    video_content_type: str | None = None


@dataclass(frozen=True)
class Photo:
    """A team photo with the size its box reserves."""

    url: str
    alt: str
    width: int = PHOTO_WIDTH
    height: int = PHOTO_HEIGHT


@dataclass(frozen=True)
class ShareLink:
    """A plain link that shares the job on one channel."""

    channel: str
    label: str
    url: str


@dataclass(frozen=True)
class JobCard:
    """Everything the job card shows, ready for the template."""

    job: Job
    organization: Organization
    chips: list[Chip]
    sections: list[Section]
    faqs: list[FaqItem]
    pitch: PitchVideo | None
    testimonials: list[TestimonialCard]
    photos: list[Photo]
    canonical_url: str
    share_links: list[ShareLink]
    copy_url: str
    summary: str
    language: str
    posted_at: datetime | None = None
    posted_label: str = ""
    valid_through: datetime | None = None
    closes_label: str = ""


def page_language(organization: Organization, requested: str | None) -> str:
    """The language of a public page: the one asked for, else the organization's."""
    if requested in SUPPORTED_LANGUAGES:
        return requested
    if organization.default_language in SUPPORTED_LANGUAGES:
        return organization.default_language
    return SUPPORTED_LANGUAGES[0]


def brand_colors(organization: Organization) -> BrandColors:
    """The organization's colours when they are valid #rrggbb, else the defaults."""
    primary = organization.primary_color or ""
    accent = organization.accent_color or ""
    return BrandColors(
        primary=primary.lower() if COLOR_PATTERN.match(primary) else DEFAULT_PRIMARY_COLOR,
        accent=accent.lower() if COLOR_PATTERN.match(accent) else DEFAULT_ACCENT_COLOR,
    )


def is_job_open(job: Job, now: datetime | None = None) -> bool:
    """Published and not past its closing date."""
    now = now or utcnow()
    return job.status == JobStatus.PUBLISHED and (job.valid_through is None or job.valid_through > now)


def _open_jobs(now: datetime) -> Select:
    return db.select(Job).where(
        Job.status == JobStatus.PUBLISHED,
        or_(Job.valid_through.is_(None), Job.valid_through > now),
    )


def parse_job_filters(
    *, team: str = "", country: str = "", work_model: str = "", employment_type: str = "", q: str = ""
) -> tuple[JobFilters, dict[str, str]]:
    """The filters given in the address, and an error per field for values no job can have.

    A refused value is left out of the filters, so the list still shows what the others match.
    """
    errors: dict[str, str] = {}
    country = country.strip().upper()
    if country and not COUNTRY_PATTERN.match(country):
        errors["country"] = _("Choose a country from the list.")
        country = ""
    model = kind = None
    if work_model:
        try:
            model = WorkModel(work_model)
        except ValueError:
            errors["work_model"] = _("Choose a work model from the list.")
    if employment_type:
        try:
            kind = EmploymentType(employment_type)
        except ValueError:
            errors["employment_type"] = _("Choose an employment type from the list.")
    q = " ".join(q.split())
    if len(q) > SEARCH_MAX_LENGTH:
        errors["q"] = _("Search for at most %(count)d characters.", count=SEARCH_MAX_LENGTH)
        q = q[:SEARCH_MAX_LENGTH]
    filters = JobFilters(
        team=team.strip()[:120],
        country=country,
        work_model=model,
        employment_type=kind,
        q="" if "q" in errors else q,
    )
    return filters, errors


def _filtered(query: Select, filters: JobFilters) -> Select:
    if filters.team:
        query = query.where(Job.team == filters.team)
    if filters.country:
        # Country codes are checked to be two letters, so they are safe inside the pattern.
        query = query.where(
            or_(
                Job.locations.any(JobLocation.country == filters.country),
                cast(Job.remote_countries, String).contains(f'"{filters.country}"'),
            )
        )
    if filters.work_model:
        query = query.where(Job.work_model == filters.work_model)
    if filters.employment_type:
        query = query.where(Job.employment_type == filters.employment_type)
    if filters.q:
        needle = filters.q.lower()
        query = query.where(
            or_(
                func.lower(Job.title).contains(needle, autoescape=True),
                func.lower(Job.team).contains(needle, autoescape=True),
                func.lower(Job.description_md).contains(needle, autoescape=True),
            )
        )
    return query


def list_open_jobs(
    organization: Organization,
    filters: JobFilters | None = None,
    *,
    page: int = 1,
    per_page: int = JOBS_PER_PAGE,
    now: datetime | None = None,
):
    """One page of the organization's open jobs matching the filters, newest first."""
    query = (
        _filtered(_open_jobs(now or utcnow()), filters or JobFilters())
        .where(Job.organization_id == organization.id)
        .options(selectinload(Job.locations))
        .order_by(Job.published_at.desc(), Job.id.desc())
    )
    return db.paginate(query, page=page, per_page=per_page, max_per_page=per_page, error_out=True)


def latest_open_jobs(organization: Organization, limit: int = 5, now: datetime | None = None) -> list[Job]:
    """A few of the organization's open jobs, newest first (for the closed-job page)."""
    query = (
        _open_jobs(now or utcnow())
        .where(Job.organization_id == organization.id)
        .options(selectinload(Job.locations))
        .order_by(Job.published_at.desc(), Job.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def all_open_jobs(organization: Organization | None = None, now: datetime | None = None) -> list[Job]:
    """Every open job, of one organization or of all (for feeds and the sitemap)."""
    query = _open_jobs(now or utcnow()).options(selectinload(Job.locations), selectinload(Job.organization))
    if organization is not None:
        query = query.where(Job.organization_id == organization.id)
    return list(db.session.scalars(query.order_by(Job.organization_id, Job.published_at.desc(), Job.id)))


def list_organizations() -> list[Organization]:
    """Every organization, for the sitemap of career sites."""
    return list(db.session.scalars(db.select(Organization).order_by(Organization.id)))


def country_name(code: str, locale: str) -> str:
    """The name of an ISO country in the page language (the code when unknown)."""
    return Locale.parse(locale).territories.get(code.upper(), code.upper())


def filter_options(organization: Organization, locale: str, now: datetime | None = None) -> FilterOptions:
    """Teams, countries, work models and employment types of the open jobs."""
    base = _open_jobs(now or utcnow()).where(Job.organization_id == organization.id).subquery()
    teams = db.session.scalars(db.select(base.c.team).where(base.c.team != "").distinct())
    models = set(db.session.scalars(db.select(base.c.work_model).distinct()))
    kinds = set(db.session.scalars(db.select(base.c.employment_type).distinct()))
    codes = set(
        db.session.scalars(
            db.select(JobLocation.country).where(JobLocation.job_id.in_(db.select(base.c.id))).distinct()
        )
    )
    for remote in db.session.scalars(db.select(base.c.remote_countries)):
        codes.update(remote or [])
    countries = [Choice(code, country_name(code, locale)) for code in codes if COUNTRY_PATTERN.match(code)]
    return FilterOptions(
        teams=[Choice(team, team) for team in sorted(teams, key=str.casefold)],
        countries=sorted(countries, key=lambda choice: choice.label.casefold()),
        work_models=[Choice(m.value, str(label)) for m, label in WORK_MODEL_LABELS.items() if m in models],
        employment_types=[
            Choice(k.value, str(label)) for k, label in EMPLOYMENT_TYPE_LABELS.items() if k in kinds
        ],
    )


def find_job_for_page(organization: Organization, job_slug: str) -> Job:
    """A job of this organization that was ever public; drafts and unknown slugs are NotFound."""
    job = db.session.scalar(
        db.select(Job).where(Job.organization_id == organization.id, Job.slug == job_slug)
    )
    if job is None or job.status == JobStatus.DRAFT:
        raise NotFound(_("We could not find this job."))
    return job


def find_job_for_preview(actor: User, org_slug: str, job_slug: str) -> Job:
    """Any job of the actor's own organization, whatever its status; NotFound otherwise."""
    organization = actor.organization
    job = None
    if organization.slug == org_slug:
        job = db.session.scalar(
            db.select(Job).where(Job.organization_id == organization.id, Job.slug == job_slug)
        )
    if job is None:
        raise NotFound(_("We could not find this job."))
    return job


def visible_testimonials(job: Job) -> list[Testimonial]:
    """Approved, not withdrawn testimonials for this job or the whole organization."""
    query = (
        db.select(Testimonial)
        .where(
            Testimonial.organization_id == job.organization_id,
            or_(Testimonial.job_id == job.id, Testimonial.job_id.is_(None)),
            *testimonial_rules.shown_criteria(),
        )
        # Words about this very job first, then the organization-wide ones.
        .order_by(Testimonial.job_id.is_(None), Testimonial.created_at, Testimonial.id)
    )
    return [
        testimonial for testimonial in db.session.scalars(query) if testimonial_rules.is_shown(testimonial)
    ]


def format_amount(amount: Decimal, currency: str, locale: str) -> str:
    """A money amount in the page language, without cents when it is whole."""
    babel_locale = Locale.parse(locale)
    pattern = parse_pattern(babel_locale.currency_formats["standard"])
    if amount == amount.to_integral_value():
        pattern.frac_prec = (0, 0)
    return pattern.apply(amount, babel_locale, currency=currency, currency_digits=False)


def salary_label(job: Job, locale: str) -> str | None:
    """The salary range in words, e.g. "€45,000 - €55,000 per year"; None when not set."""
    if not job.salary_currency or (job.salary_min is None and job.salary_max is None):
        return None
    low = format_amount(job.salary_min, job.salary_currency, locale) if job.salary_min is not None else None
    high = format_amount(job.salary_max, job.salary_currency, locale) if job.salary_max is not None else None
    if low and high and low != high:
        amount = _("%(low)s – %(high)s", low=low, high=high)  # noqa: RUF001 - a typographic range
    elif low and high:
        amount = low
    elif low:
        amount = _("from %(amount)s", amount=low)
    else:
        amount = _("up to %(amount)s", amount=high)
    if job.salary_period is None:
        return amount
    return _("%(amount)s %(period)s", amount=amount, period=SALARY_PERIOD_LABELS[job.salary_period])


def location_label(location: JobLocation, locale: str) -> str:
    """ "City, Country name" in the page language."""
    country = country_name(location.country, locale)
    return f"{location.city}, {country}" if location.city else country


def job_chips(job: Job, locale: str) -> list[Chip]:
    """The key facts of a job: team, places, work model, employment type and salary."""
    chips = []
    if job.team:
        chips.append(Chip("team", _("Team"), job.team))
    for location in job.locations:
        chips.append(Chip("location", _("Location"), location_label(location, locale)))
    if job.work_model == WorkModel.REMOTE and job.remote_countries:
        names = ", ".join(country_name(code, locale) for code in job.remote_countries)
        chips.append(Chip("remote-countries", _("Open to candidates in"), names))
    if job.work_model == WorkModel.REMOTE and job.remote_time_zones:
        chips.append(Chip("time-zones", _("Time zones"), ", ".join(job.remote_time_zones)))
    chips.append(Chip("work-model", _("Work model"), str(WORK_MODEL_LABELS[job.work_model])))
    chips.append(
        Chip("employment-type", _("Employment type"), str(EMPLOYMENT_TYPE_LABELS[job.employment_type]))
    )
    salary = salary_label(job, locale)
    if salary:
        chips.append(Chip("salary", _("Salary"), salary))
    return chips


def summarize_jobs(jobs: Iterable[Job], locale: str) -> list[JobSummary]:
    """Jobs with their chips, for lists."""
    return [JobSummary(job, job_chips(job, locale)) for job in jobs]


def job_sections(job: Job) -> list[Section]:
    """The written parts of the job that have content; the description starts open."""
    parts = [
        ("description", _("About the job"), job.description_md),
        ("responsibilities", _("Responsibilities"), job.responsibilities_md),
        ("requirements", _("Requirements"), job.requirements_md),
        ("perks", _("Perks and benefits"), job.perks_md),
    ]
    return [
        Section(slug, title, render_markdown(text), open=slug == "description")
        for slug, title, text in parts
        if text and text.strip()
    ]


def summarize_text(text: str, limit: int = SUMMARY_LENGTH) -> str:
    """Plain text cut at a word boundary, with an ellipsis when shortened."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,.;:")
    return f"{cut}…"


def job_summary_text(job: Job) -> str:
    """A short plain-text description of the job (meta description, Open Graph)."""
    return summarize_text(markdown_to_text(job.description_md) or job.title)


def share_links(canonical_url: str, title: str) -> tuple[list[ShareLink], str]:
    """Share links that attribute the visit with ``?s=<channel>``, and the URL to copy."""

    def tagged(channel: str) -> str:
        separator = "&" if "?" in canonical_url else "?"
        return f"{canonical_url}{separator}s={channel}"

    def enc(value: str) -> str:
        return quote(value, safe="")

    links = [
        ShareLink(
            "linkedin",
            "LinkedIn",
            f"https://www.linkedin.com/sharing/share-offsite/?url={enc(tagged('linkedin'))}",
        ),
        ShareLink("x", "X", f"https://twitter.com/intent/tweet?url={enc(tagged('x'))}&text={enc(title)}"),
        ShareLink(
            "facebook", "Facebook", f"https://www.facebook.com/sharer/sharer.php?u={enc(tagged('facebook'))}"
        ),
        ShareLink("whatsapp", "WhatsApp", f"https://wa.me/?text={enc(title + ' ' + tagged('whatsapp'))}"),
        ShareLink(
            "email",
            _("E-mail"),
            f"mailto:?subject={enc(title)}&body={enc(tagged('email'))}",
        ),
    ]
    return links, tagged("copy")


def _file_url(key: str, content_type: str, filename: str) -> str:
    return file_url(key, filename=filename, content_type=content_type, inline=True)


def pitch_video(job: Job) -> PitchVideo | None:
    """Fresh links to the hiring manager's video and captions, or None."""
    if not job.pitch_video_key:
        return None
    content_type = job.pitch_video_content_type or "video/mp4"
    captions = (
        _file_url(job.pitch_captions_key, "text/vtt", "captions.vtt") if job.pitch_captions_key else None
    )
    return PitchVideo(
        url=_file_url(job.pitch_video_key, content_type, "pitch"),
        content_type=content_type,
        captions_url=captions,
        captions_language=job.language or "en",
    )


def build_job_card(job: Job, *, locale: str, canonical_url: str) -> JobCard:
    """The job card's content with fresh file links, in the page language."""
    share, copy_url = share_links(canonical_url, job.title)
    testimonials = [
        TestimonialCard(
            quote=testimonial.quote,
            author_name=testimonial.author_name,
            author_role=testimonial.author_role,
            photo_url=_file_url(
                testimonial.photo_key, testimonial.photo_content_type or "image/jpeg", "photo"
            )
            if testimonial.photo_key
            else None,
            video_url=_file_url(testimonial.video_key, testimonial.video_content_type or "video/mp4", "video")
            if testimonial.video_key
            else None,
            video_content_type=testimonial.video_content_type,
        )
        for testimonial in visible_testimonials(job)
    ]
    photos = [
        Photo(url=_file_url(photo.key, photo.content_type, "photo"), alt=photo.alt_text)
        for photo in job.photos
    ]
    return JobCard(
        job=job,
        organization=job.organization,
        chips=job_chips(job, locale),
        sections=job_sections(job),
        faqs=[FaqItem(faq.question, render_markdown(faq.answer)) for faq in job.faqs],
        pitch=pitch_video(job),
        testimonials=testimonials,
        photos=photos,
        canonical_url=canonical_url,
        share_links=share,
        copy_url=copy_url,
        summary=job_summary_text(job),
        language=job.language or locale,
        posted_at=job.published_at,
        posted_label=format_date(job.published_at, "long") if job.published_at else "",
        valid_through=job.valid_through,
        closes_label=format_date(job.valid_through, "long") if job.valid_through else "",
    )


def career_intro(organization: Organization) -> tuple[Markup, str | None, str | None]:
    """The career site's welcome: rendered text, and a video link with its type."""
    video_url = None
    content_type = None
    if organization.career_video_key:
        content_type = organization.career_video_content_type or "video/mp4"
        video_url = _file_url(organization.career_video_key, content_type, "intro")
    return render_markdown(organization.career_intro_md), video_url, content_type
