# SPDX-License-Identifier: AGPL-3.0-or-later
"""Job feeds in the XML format job boards read, and the sitemap of public pages."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from xml.sax.saxutils import escape

from app.careers.jsonld import posting_description
from app.models import EmploymentType, Job, Organization, WorkModel

JOB_TYPES = {
    EmploymentType.FULL_TIME: "fulltime",
    EmploymentType.PART_TIME: "parttime",
    EmploymentType.CONTRACTOR: "contract",
    EmploymentType.INTERN: "internship",
    EmploymentType.TEMPORARY: "temporary",
    EmploymentType.VOLUNTEER: "volunteer",
}
# Characters XML 1.0 does not allow anywhere in a document.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class SitemapEntry:
    """One public page and when it last changed."""

    url: str
    lastmod: datetime


def xml_text(value: str) -> str:
    """Text escaped for an XML element, without characters XML forbids."""
    return escape(_INVALID_XML.sub("", value))


def cdata(value: str) -> str:
    """A CDATA section; a "]]>" inside is split across two sections so it cannot end it early."""
    cleaned = _INVALID_XML.sub("", value).replace("]]>", "]]]]><![CDATA[>")
    return f"<![CDATA[{cleaned}]]>"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _amount(value: Decimal) -> str:
    return str(int(value)) if value == value.to_integral_value() else f"{value:.2f}"


def feed_salary(job: Job) -> str | None:
    """The salary as job boards read it, e.g. "45000-55000 EUR per year"."""
    if not job.salary_currency or (job.salary_min is None and job.salary_max is None):
        return None
    amounts = [_amount(value) for value in (job.salary_min, job.salary_max) if value is not None]
    text = f"{'-'.join(dict.fromkeys(amounts))} {job.salary_currency}"
    return f"{text} per {job.salary_period.value}" if job.salary_period else text


def _job_element(job: Job, url: str) -> list[str]:
    location = job.locations[0] if job.locations else None
    if job.work_model == WorkModel.REMOTE:
        country = job.remote_countries[0] if job.remote_countries else None
        city = region = ""
    else:
        country = location.country if location else None
        city, region = (location.city, location.region) if location else ("", "")
    fields = [
        ("title", job.title),
        ("date", _iso(job.published_at or job.created_at)),
        ("referencenumber", job.slug),
        ("requisitionid", job.slug),
        ("url", url),
        ("company", job.organization.name),
        ("city", city),
        ("state", region),
        ("country", country or ""),
    ]
    lines = ["  <job>"]
    lines += [f"    <{name}>{xml_text(value)}</{name}>" for name, value in fields if value]
    lines.append(f"    <description>{cdata(posting_description(job))}</description>")
    salary = feed_salary(job)
    if salary:
        lines.append(f"    <salary>{xml_text(salary)}</salary>")
    if job.employment_type in JOB_TYPES:
        lines.append(f"    <jobtype>{JOB_TYPES[job.employment_type]}</jobtype>")
    if job.work_model == WorkModel.REMOTE:
        lines.append("    <remotetype>Fully remote</remotetype>")
    if job.valid_through is not None:
        lines.append(f"    <expirationdate>{_iso(job.valid_through)}</expirationdate>")
    lines.append("  </job>")
    return lines


def build_jobs_feed(
    organization: Organization,
    jobs: Iterable[Job],
    *,
    site_url: str,
    job_url: Callable[[Job], str],
    built_at: datetime,
) -> str:
    """The organization's open jobs as an XML document in the format Indeed reads.

    Text is escaped; the description is HTML, so it goes in a CDATA section.
    """
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        "<source>",
        f"  <publisher>{xml_text(organization.name)}</publisher>",
        f"  <publisherurl>{xml_text(site_url)}</publisherurl>",
        f"  <lastBuildDate>{_iso(built_at)}</lastBuildDate>",
    ]
    for job in jobs:
        lines += _job_element(job, job_url(job))
    lines.append("</source>")
    return "\n".join(lines) + "\n"


def build_sitemap(entries: Iterable[SitemapEntry]) -> str:
    """A sitemaps.org urlset of absolute URLs with their last change."""
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for entry in entries:
        lines.append(
            f"  <url><loc>{xml_text(entry.url)}</loc><lastmod>{entry.lastmod.date().isoformat()}</lastmod></url>"
        )
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def sitemap_entries(
    organizations: Iterable[Organization],
    jobs: Iterable[Job],
    *,
    site_url: Callable[[Organization], str],
    job_url: Callable[[Job], str],
) -> list[SitemapEntry]:
    """Each career site (changed when its newest job changed) followed by its open job pages."""
    jobs_by_organization: dict[int, list[Job]] = {}
    for job in jobs:
        jobs_by_organization.setdefault(job.organization_id, []).append(job)
    entries = []
    for organization in organizations:
        own_jobs = jobs_by_organization.get(organization.id, [])
        changed = max([organization.created_at, *(job.updated_at for job in own_jobs)])
        entries.append(SitemapEntry(site_url(organization), changed))
        entries += [SitemapEntry(job_url(job), job.updated_at) for job in own_jobs]
    return entries
