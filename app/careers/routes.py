# SPDX-License-Identifier: AGPL-3.0-or-later
"""The public career site, job pages, the staff preview, job feeds and the sitemap."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, g, make_response, render_template, request, url_for
from flask_babel import force_locale
from flask_login import current_user

from app.careers import bp
from app.careers.feeds import build_jobs_feed, build_sitemap, sitemap_entries
from app.careers.jsonld import build_job_posting, json_for_script
from app.careers.services import (
    SEARCH_MAX_LENGTH,
    all_open_jobs,
    brand_colors,
    build_job_card,
    career_intro,
    filter_options,
    find_job_for_page,
    find_job_for_preview,
    is_job_open,
    latest_open_jobs,
    list_open_jobs,
    list_organizations,
    page_language,
    parse_job_filters,
    summarize_jobs,
)
from app.core.urls import public_url
from app.models import Job, Organization, utcnow
from app.organizations.services import find_organization_by_slug
from config import SUPPORTED_LANGUAGES

FILTER_ARGS = ("team", "country", "work_model", "employment_type", "q")
KEPT_ARGS = frozenset({*FILTER_ARGS, "page"})
LANGUAGE_NAMES = {"en": "English", "it": "Italiano"}
FEED_CACHE = "public, max-age=300"


def job_url(job: Job) -> str:
    """The canonical address of a job page."""
    return public_url("careers.job", org_slug=job.organization.slug, job_slug=job.slug)


def site_url(organization: Organization) -> str:
    """The canonical address of an organization's career site."""
    return public_url("careers.site", org_slug=organization.slug)


def logo_url(organization: Organization) -> str | None:
    """The absolute, stable address of the organization's logo, when it has one."""
    return public_url("system.organization_logo", slug=organization.slug) if organization.logo_key else None


def public_context(organization: Organization, language: str) -> dict[str, Any]:
    """What every public page's layout needs: branding, language links and the kept ?lang."""
    requested = request.args.get("lang")
    kept = {name: value for name, value in request.args.items() if name in KEPT_ARGS}
    endpoint, here = request.endpoint, {**kept, **(request.view_args or {})}
    links = [
        (code, LANGUAGE_NAMES[code], url_for(endpoint, **{**here, "lang": code}))
        for code in SUPPORTED_LANGUAGES
        if endpoint is not None  # always set on the careers routes that call this
    ]
    return {
        "organization": organization,
        "brand": brand_colors(organization),
        "language": language,
        "language_links": links,
        "lang_arg": {"lang": requested} if requested in SUPPORTED_LANGUAGES else {},
        "site_url": site_url(organization),
    }


def load_organization(org_slug: str) -> Organization:
    """The organization of a public page; its branding and language dress the page."""
    organization = find_organization_by_slug(org_slug)
    g.organization = organization
    return organization


@bp.get("/careers/<org_slug>")
def site(org_slug: str):
    """The career site: welcome, filters and the open jobs."""
    organization = load_organization(org_slug)
    language = page_language(organization, request.args.get("lang"))
    with force_locale(language):
        filters, errors = parse_job_filters(**{name: request.args.get(name, "") for name in FILTER_ARGS})
        pagination = list_open_jobs(organization, filters, page=request.args.get("page", 1, type=int))
        intro_html, intro_video_url, intro_video_type = career_intro(organization)
        body = render_template(
            "careers/site.html",
            filters=filters,
            errors=errors,
            typed_q=" ".join(request.args.get("q", "").split())[:SEARCH_MAX_LENGTH],
            options=filter_options(organization, language),
            pagination=pagination,
            jobs=summarize_jobs(pagination.items, language),
            intro_html=intro_html,
            intro_video_url=intro_video_url,
            intro_video_type=intro_video_type,
            journey={"org": organization.slug, "job": None, "view": "career_site_view"},
            **public_context(organization, language),
        )
    return body, 400 if errors else 200


@bp.get("/careers/<org_slug>/jobs/<job_slug>")
def job(org_slug: str, job_slug: str):
    """The job card; a closed job answers 410 with the organization's open jobs."""
    organization = load_organization(org_slug)
    language = page_language(organization, request.args.get("lang"))
    job = find_job_for_page(organization, job_slug)
    with force_locale(language):
        context = public_context(organization, language)
        if not is_job_open(job):
            open_jobs = summarize_jobs(latest_open_jobs(organization), language)
            return render_template("careers/closed.html", job=job, open_jobs=open_jobs, **context), 410
        card = build_job_card(job, locale=language, canonical_url=job_url(job))
        posting = build_job_posting(
            job, job_url=card.canonical_url, site_url=context["site_url"], logo_url=logo_url(organization)
        )
        return render_template(
            "careers/job.html",
            card=card,
            preview=False,
            jsonld=json_for_script(posting),
            og_image=logo_url(organization),
            journey={"org": organization.slug, "job": job.slug, "view": "card_view"},
            **context,
        )


@bp.get("/careers/<org_slug>/jobs/<job_slug>/preview")
def preview(org_slug: str, job_slug: str):
    """Staff see their organization's job card in any status; everyone else gets 404."""
    if not current_user.is_authenticated:
        abort(404)
    job = find_job_for_preview(current_user, org_slug, job_slug)
    g.organization = job.organization
    language = page_language(job.organization, request.args.get("lang"))
    with force_locale(language):
        card = build_job_card(job, locale=language, canonical_url=job_url(job))
        body = render_template(
            "careers/job.html",
            card=card,
            preview=True,
            jsonld=None,
            og_image=None,
            journey=None,
            **public_context(job.organization, language),
        )
    response = make_response(body)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def xml_response(body: str) -> Response:
    """An XML document that shared caches may keep for five minutes."""
    response = Response(body, content_type="application/xml; charset=utf-8")
    response.headers["Cache-Control"] = FEED_CACHE
    return response


@bp.get("/careers/<org_slug>/jobs.xml")
def feed(org_slug: str):
    """The organization's open jobs as an XML feed for job boards."""
    organization = find_organization_by_slug(org_slug)
    with force_locale(page_language(organization, None)):
        body = build_jobs_feed(
            organization,
            all_open_jobs(organization),
            site_url=site_url(organization),
            job_url=job_url,
            built_at=utcnow(),
        )
    return xml_response(body)


@bp.get("/sitemap.xml")
def sitemap():
    """Every career site and open job page, for search engines."""
    entries = sitemap_entries(list_organizations(), all_open_jobs(), site_url=site_url, job_url=job_url)
    return xml_response(build_sitemap(entries))
