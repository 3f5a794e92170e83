# SPDX-License-Identifier: AGPL-3.0-or-later
"""The public job API: only public fields of open jobs, cacheable, readable from any site, no cookies."""

from __future__ import annotations

import secrets
from datetime import timedelta
from decimal import Decimal

from app.core.extensions import db
from app.models import (
    EmploymentType,
    Job,
    JobLocation,
    JobStatus,
    Organization,
    Role,
    SalaryPeriod,
    WorkModel,
    utcnow,
)
from app.organizations.services import slugify
from tests.factories import make_organization, make_user

XSS = "<img src=x onerror=window.__xss=1>Engineer"
ORG_KEYS = {"name", "slug", "primary_color", "accent_color", "logo_url", "careers_url"}
JOB_KEYS = {
    "slug",
    "title",
    "team",
    "employment_type",
    "work_model",
    "locations",
    "remote_countries",
    "salary",
    "valid_through",
    "published_at",
    "language",
    "url",
    "summary",
}


def make_job(
    organization: Organization,
    title: str = "Backend Engineer",
    *,
    status: JobStatus = JobStatus.PUBLISHED,
    locations: tuple[tuple[str, str], ...] = (("Milan", "IT"),),
    published_days_ago: int = 1,
    **fields,
) -> Job:
    """A job of ``organization``, published by default, with an unguessable slug."""
    job = Job(
        organization_id=organization.id,
        slug=f"{slugify(title) or 'job'}-{secrets.token_hex(3)}",
        title=title,
        status=status,
        published_at=utcnow() - timedelta(days=published_days_ago) if status != JobStatus.DRAFT else None,
        **fields,
    )
    job.locations = [
        JobLocation(city=city, country=country, position=i) for i, (city, country) in enumerate(locations)
    ]
    db.session.add(job)
    db.session.flush()
    return job


def listing(client, slug: str, query: str = ""):
    """GET the public listing of an organization."""
    return client.get(f"/api/v1/public/orgs/{slug}/jobs{query}")


def slugs_of(response) -> list[str]:
    """The job slugs of a listing, in order."""
    return [job["slug"] for job in response.get_json()["jobs"]]


def test_listing_has_only_public_fields_of_open_jobs(app, client):
    with app.app_context():
        organization = make_organization(name="Aurora Robotics", slug="aurora")
        manager = make_user(
            organization, Role.MANAGER, email="hidden.manager@example.com", name="Hidden Manager"
        )
        open_job = make_job(
            organization,
            "Robotics Engineer",
            team="Hardware",
            hiring_manager_id=manager.id,
            salary_min=Decimal("40000"),
            salary_max=Decimal("52000.50"),
            salary_currency="EUR",
            salary_period=SalaryPeriod.YEAR,
            description_md="We build **robots** that [help](https://example.com) people.",
            valid_through=utcnow() + timedelta(days=30),
        )
        draft = make_job(organization, "Draft Role", status=JobStatus.DRAFT)
        closed = make_job(organization, "Closed Role", status=JobStatus.CLOSED)
        expired = make_job(organization, "Expired Role", valid_through=utcnow() - timedelta(minutes=1))
        other = make_job(make_organization(slug="other-org"), "Other Org Role")
        db.session.commit()
        open_slug, hidden = open_job.slug, {draft.slug, closed.slug, expired.slug, other.slug}

    response = listing(client, "aurora")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    document = response.get_json()
    assert set(document) == {"organization", "jobs"}
    assert set(document["organization"]) == ORG_KEYS
    assert document["organization"] == {
        "name": "Aurora Robotics",
        "slug": "aurora",
        "primary_color": "#1f4b99",
        "accent_color": "#e4572e",
        "logo_url": None,
        "careers_url": "http://localhost/careers/aurora",
    }
    assert slugs_of(response) == [open_slug]
    job = document["jobs"][0]
    assert set(job) == JOB_KEYS
    assert job["url"] == f"http://localhost/careers/aurora/jobs/{open_slug}"
    assert job["locations"] == [{"city": "Milan", "region": None, "country": "IT"}]
    assert job["salary"] == {"min": 40000, "max": 52000.5, "currency": "EUR", "period": "year"}
    assert job["summary"] == "We build robots that help people."
    assert job["team"] == "Hardware" and job["employment_type"] == "full_time"
    assert job["valid_through"].endswith("Z") and job["published_at"].endswith("Z")
    body = response.get_data(as_text=True)
    for secret in ("Hidden Manager", "hidden.manager@example.com", "hiring_manager", '"id"', *hidden):
        assert secret not in body


def test_one_job_and_everything_not_open_is_a_json_404(app, client):
    with app.app_context():
        organization = make_organization(slug="aurora")
        open_job = make_job(organization, "Open Role")
        draft = make_job(organization, "Draft Role", status=JobStatus.DRAFT)
        closed = make_job(organization, "Closed Role", status=JobStatus.CLOSED)
        expired = make_job(organization, "Expired Role", valid_through=utcnow() - timedelta(days=1))
        other = make_job(make_organization(slug="other-org"), "Other Org Role")
        db.session.commit()
        open_slug = open_job.slug
        not_open = [draft.slug, closed.slug, expired.slug, other.slug]

    response = client.get(f"/api/v1/public/orgs/aurora/jobs/{open_slug}")
    assert response.status_code == 200
    assert set(response.get_json()) == {"organization", "job"}
    assert set(response.get_json()["job"]) == JOB_KEYS
    assert response.get_json()["job"]["title"] == "Open Role"

    for slug in not_open:
        missing = client.get(f"/api/v1/public/orgs/aurora/jobs/{slug}")
        assert missing.status_code == 404, slug
        assert missing.mimetype == "application/json"
        assert missing.get_json()["error"]["status"] == 404
        assert missing.headers["Access-Control-Allow-Origin"] == "*"
    assert listing(client, "no-such-org").status_code == 404
    assert listing(client, "no-such-org").get_json()["error"]["status"] == 404
    # the other organization's job is not reachable through this organization's address
    assert client.get(f"/api/v1/public/orgs/other-org/jobs/{not_open[3]}").status_code == 200


def test_etag_answers_304_until_the_job_changes(app, client):
    with app.app_context():
        job = make_job(make_organization(slug="aurora"), "Data Analyst")
        db.session.commit()
        job_id = job.id

    first = listing(client, "aurora")
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert first.headers["Cache-Control"] == "public, max-age=60, stale-while-revalidate=300"
    assert listing(client, "aurora").headers["ETag"] == etag  # same body, same tag

    cached = client.get("/api/v1/public/orgs/aurora/jobs", headers={"If-None-Match": etag})
    assert cached.status_code == 304
    assert cached.get_data() == b""
    assert cached.headers["Access-Control-Allow-Origin"] == "*"

    with app.app_context():
        db.session.get(Job, job_id).title = "Senior Data Analyst"
        db.session.commit()
    changed = client.get("/api/v1/public/orgs/aurora/jobs", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert changed.get_json()["jobs"][0]["title"] == "Senior Data Analyst"

    single = client.get(f"/api/v1/public/orgs/aurora/jobs/{changed.get_json()['jobs'][0]['slug']}")
    again = client.get(single.request.path, headers={"If-None-Match": single.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""


def test_any_site_may_read_it_and_no_cookie_is_ever_set(app, client):
    with app.app_context():
        job = make_job(make_organization(slug="aurora"))
        db.session.commit()
        job_slug = job.slug

    for path in ("/api/v1/public/orgs/aurora/jobs", f"/api/v1/public/orgs/aurora/jobs/{job_slug}"):
        response = client.get(path, headers={"Origin": "https://www.example.com"})
        assert response.status_code == 200
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "Accept-Encoding" in response.headers["Vary"]
        assert "Set-Cookie" not in response.headers
    assert client.get_cookie("session") is None

    preflight = client.options(
        "/api/v1/public/orgs/aurora/jobs",
        headers={
            "Origin": "https://www.example.com",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )
    assert preflight.status_code in (200, 204)
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]
    assert "Set-Cookie" not in preflight.headers


def test_filters_narrow_the_listing(app, client):
    with app.app_context():
        organization = make_organization(slug="aurora")
        milan = make_job(organization, "Milan Engineer", team="Engineering", published_days_ago=1)
        remote = make_job(
            organization,
            "Remote Designer",
            team="Design",
            locations=(("Berlin", "DE"),),
            work_model=WorkModel.REMOTE,
            remote_countries=["IT", "ES"],
            published_days_ago=2,
        )
        intern = make_job(
            organization,
            "Stagista Marketing",
            team="engineering",
            employment_type=EmploymentType.INTERN,
            language="it",
            locations=(("Rome", "IT"),),
            published_days_ago=3,
        )
        db.session.commit()
        milan, remote, intern = milan.slug, remote.slug, intern.slug

    assert slugs_of(listing(client, "aurora")) == [milan, remote, intern]  # newest first
    assert slugs_of(listing(client, "aurora", "?team=ENGINEERING")) == [milan, intern]
    assert slugs_of(listing(client, "aurora", "?country=it")) == [milan, remote, intern]
    assert slugs_of(listing(client, "aurora", "?country=DE")) == [remote]
    assert slugs_of(listing(client, "aurora", "?country=ES")) == [remote]
    assert slugs_of(listing(client, "aurora", "?work_model=remote")) == [remote]
    assert slugs_of(listing(client, "aurora", "?employment_type=intern")) == [intern]
    assert slugs_of(listing(client, "aurora", "?lang=it")) == [intern]
    assert slugs_of(listing(client, "aurora", "?limit=2")) == [milan, remote]
    assert slugs_of(listing(client, "aurora", "?team=Engineering&country=IT&lang=en")) == [milan]
    assert slugs_of(listing(client, "aurora", "?team=Sales")) == []

    for query, field in (
        ("?work_model=moon", "work_model"),
        ("?employment_type=forever", "employment_type"),
        ("?country=ITA", "country"),
        ("?limit=0", "limit"),
        ("?limit=many", "limit"),
        ("?lang=<script>", "lang"),
    ):
        response = listing(client, "aurora", query)
        assert response.status_code == 400, query
        assert response.mimetype == "application/json"
        assert response.get_json()["error"]["message"], field


def test_html_in_text_fields_is_returned_as_plain_json_strings(app, client):
    with app.app_context():
        organization = make_organization(name='<b>Evil</b> "Corp"', slug="aurora")
        make_job(
            organization,
            XSS,
            team="<script>alert(1)</script>",
            locations=(('"><svg onload=alert(1)>', "IT"),),
            description_md="<script>alert('summary')</script> Plain words",
        )
        db.session.commit()

    response = listing(client, "aurora")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    document = response.get_json()
    job = document["jobs"][0]
    assert job["title"] == XSS
    assert job["team"] == "<script>alert(1)</script>"
    assert job["locations"][0]["city"] == '"><svg onload=alert(1)>'
    assert document["organization"]["name"] == '<b>Evil</b> "Corp"'
    # Markdown shows raw HTML as text, so the summary carries it as text too (the widget uses textContent)
    assert job["summary"] == "<script>alert('summary')</script> Plain words"


def test_summary_is_short_plain_text_and_logo_is_absolute(app, client):
    with app.app_context():
        organization = make_organization(slug="aurora", logo_key="logos/abc.png", primary_color="#12345g")
        make_job(
            organization, "Writer", description_md="## Heading\n\n" + "Lorem *ipsum* dolor sit amet. " * 30
        )
        db.session.commit()

    document = listing(client, "aurora").get_json()
    summary = document["jobs"][0]["summary"]
    assert len(summary) <= 240 and summary.endswith("…")
    assert "*" not in summary and "#" not in summary and summary.startswith("Heading Lorem ipsum")
    assert document["organization"]["logo_url"] == "http://localhost/brand/aurora/logo"
    assert document["organization"]["primary_color"] == "#1f4b99"  # never hands CSS an unchecked value
