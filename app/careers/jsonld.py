# SPDX-License-Identifier: AGPL-3.0-or-later
"""schema.org JobPosting for search engines, and its safe embedding in a page."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from markupsafe import Markup, escape

from app.careers.services import job_sections
from app.models import Job, WorkModel

# A JSON text inside <script> must not contain anything that ends or confuses the element.
_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def posting_description(job: Job) -> str:
    """The job's sections as sanitized HTML, each after a heading."""
    parts = []
    for section in job_sections(job):
        if section.slug != "description":
            parts.append(f"<h3>{escape(section.title)}</h3>")
        parts.append(str(section.html))
    return "\n".join(parts) or str(escape(job.title))


def _address(city: str, region: str, country: str) -> dict[str, str]:
    address = {"@type": "PostalAddress", "addressCountry": country}
    if city:
        address["addressLocality"] = city
    if region:
        address["addressRegion"] = region
    return address


def build_job_posting(job: Job, *, job_url: str, site_url: str, logo_url: str | None) -> dict[str, Any]:
    """A JobPosting dict with the job's own places, remote countries and salary."""
    organization = job.organization
    hiring_organization: dict[str, Any] = {
        "@type": "Organization",
        "name": organization.name,
        "sameAs": site_url,
    }
    if logo_url:
        hiring_organization["logo"] = logo_url
    posted = job.published_at or job.created_at
    posting: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "title": job.title,
        "description": posting_description(job),
        "datePosted": posted.date().isoformat(),
        "url": job_url,
        "hiringOrganization": hiring_organization,
        "identifier": {"@type": "PropertyValue", "name": organization.name, "value": job.slug},
        "employmentType": job.employment_type.name,
        "directApply": True,
    }
    if job.valid_through is not None:
        posting["validThrough"] = job.valid_through.isoformat()
    if job.work_model == WorkModel.REMOTE:
        posting["jobLocationType"] = "TELECOMMUTE"
        if job.remote_countries:
            posting["applicantLocationRequirements"] = [
                {"@type": "Country", "name": code} for code in job.remote_countries
            ]
    elif job.locations:
        posting["jobLocation"] = [
            {"@type": "Place", "address": _address(place.city, place.region, place.country)}
            for place in job.locations
        ]
    if job.salary_currency and (job.salary_min is not None or job.salary_max is not None):
        value: dict[str, Any] = {"@type": "QuantitativeValue"}
        if job.salary_min is not None:
            value["minValue"] = _number(job.salary_min)
        if job.salary_max is not None:
            value["maxValue"] = _number(job.salary_max)
        if job.salary_period is not None:
            value["unitText"] = job.salary_period.name
        posting["baseSalary"] = {"@type": "MonetaryAmount", "currency": job.salary_currency, "value": value}
    return posting


def json_for_script(data: Any) -> Markup:
    """JSON that is safe inside a <script> element: <, > and & are written as \\u escapes."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_ESCAPES)
    return Markup(text)  # noqa: S704 - every character that could end the element is escaped above
