# SPDX-License-Identifier: AGPL-3.0-or-later
"""The public career site: which jobs it lists, filters, search, pages, language and cookies.

Also holds the small job factory the other careers test modules import.
"""

from __future__ import annotations

import itertools
import re
from datetime import timedelta
from decimal import Decimal

import pytest

from app import models
from app.core.extensions import db
from app.models import (
    EmploymentType,
    Job,
    JobFaq,
    JobLocation,
    JobStatus,
    Organization,
    SalaryPeriod,
    WorkModel,
    utcnow,
)
from tests.factories import make_organization
from tests.helpers import text_of

_numbers = itertools.count(1)


def make_job(
    organization: Organization,
    title: str = "Robotics Engineer",
    *,
    status: JobStatus = JobStatus.PUBLISHED,
    team: str = "Engineering",
    locations: tuple[tuple[str, str, str], ...] = (("Milan", "Lombardy", "IT"),),
    work_model: WorkModel = WorkModel.ON_SITE,
    employment_type: EmploymentType = EmploymentType.FULL_TIME,
    days_ago: int = 1,
    valid_through=None,
    remote_countries: tuple[str, ...] = (),
    remote_time_zones: tuple[str, ...] = (),
    salary: tuple[int, int, str, SalaryPeriod] | None = None,
    faqs: tuple[tuple[str, str], ...] = (),
    **fields,
) -> Job:
    """A job written straight into the database (the postings services are built elsewhere)."""
    number = next(_numbers)
    now = utcnow()
    job = Job(
        organization_id=organization.id,
        slug=f"job-{number}-{re.sub(r'[^a-z0-9]+', '-', title.lower()).strip('-')[:30]}",
        title=title,
        team=team,
        status=status,
        work_model=work_model,
        employment_type=employment_type,
        remote_countries=list(remote_countries),
        remote_time_zones=list(remote_time_zones),
        description_md=fields.pop("description_md", f"We are looking for a **{title}**."),
        published_at=None if status == JobStatus.DRAFT else now - timedelta(days=days_ago),
        closed_at=now if status == JobStatus.CLOSED else None,
        valid_through=valid_through,
        **fields,
    )
    if salary:
        job.salary_min, job.salary_max = Decimal(salary[0]), Decimal(salary[1])
        job.salary_currency, job.salary_period = salary[2], salary[3]
    job.locations = [
        JobLocation(city=city, region=region, country=country, position=index)
        for index, (city, region, country) in enumerate(locations)
    ]
    job.faqs = [
        JobFaq(question=question, answer=answer, position=index)
        for index, (question, answer) in enumerate(faqs)
    ]
    db.session.add(job)
    db.session.flush()
    return job


def make_testimonial(
    organization: Organization,
    quote: str,
    *,
    job: Job | None = None,
    author_name: str = "Giulia Rossi",
    employee_approved: bool = True,
    admin_approved: bool = True,
    withdrawn: bool = False,
) -> models.Testimonial:
    """A testimonial in a given approval state."""
    now = utcnow()
    testimonial = models.Testimonial(
        organization_id=organization.id,
        job_id=job.id if job else None,
        quote=quote,
        author_name=author_name,
        author_role="Engineer",
        employee_approved_at=now if employee_approved else None,
        admin_approved_at=now if admin_approved else None,
        withdrawn_at=now if withdrawn else None,
    )
    db.session.add(testimonial)
    db.session.flush()
    return testimonial


def job_titles(html: str) -> list[str]:
    """Titles of the job cards listed on a career site page."""
    return re.findall(r'<h3 class="job-item-title"><a href="[^"]+">([^<]+)</a></h3>', html)


@pytest.fixture
def acme(app):
    """An organization with open, draft, closed, expired jobs, and a rival with its own job."""
    with app.app_context():
        acme = make_organization(name="Acme Robotics", slug="acme", default_language="en")
        make_job(
            acme,
            "Robotics Engineer",
            team="Engineering",
            days_ago=1,
            salary=(45000, 55000, "EUR", SalaryPeriod.YEAR),
        )
        make_job(
            acme,
            "Remote Data Analyst",
            team="Data",
            locations=(),
            work_model=WorkModel.REMOTE,
            remote_countries=("DE", "FR"),
            employment_type=EmploymentType.PART_TIME,
            days_ago=2,
            description_md="Crunch numbers about **warehouse logistics**.",
        )
        make_job(
            acme,
            "Hybrid Designer",
            team="Design",
            locations=(("Berlin", "", "DE"),),
            work_model=WorkModel.HYBRID,
            days_ago=3,
        )
        make_job(acme, "Future Job", valid_through=utcnow() + timedelta(days=10), days_ago=4)
        make_job(acme, "Draft Secret Role", status=JobStatus.DRAFT)
        make_job(acme, "Closed Old Role", status=JobStatus.CLOSED)
        make_job(acme, "Expired Role", valid_through=utcnow() - timedelta(hours=1))
        rival = make_organization(name="Rival Corp", slug="rival")
        make_job(rival, "Rival Engineer")
        db.session.commit()
    return "acme"


def test_lists_only_open_jobs_of_the_organization(client, acme):
    response = client.get("/careers/acme")
    assert response.status_code == 200
    html = text_of(response)
    assert job_titles(html) == ["Robotics Engineer", "Remote Data Analyst", "Hybrid Designer", "Future Job"]
    for absent in ("Draft Secret Role", "Closed Old Role", "Expired Role", "Rival Engineer"):
        assert absent not in html
    assert "4 open positions" in html
    # Each job is a list item with its key facts as chips.
    assert (
        '<li class="chip chip-location"><span class="visually-hidden">Location: </span>Milan, Italy</li>'
        in html
    )
    assert "Remote" in html and "Germany, France" in html
    assert "€45,000 \u2013 €55,000 per year" in html


def test_unknown_organization_is_404(client, acme):
    assert client.get("/careers/no-such-org").status_code == 404


def test_branding_and_journey_hooks(client, app, acme):
    with app.app_context():
        organization = db.session.scalar(db.select(Organization).where(Organization.slug == "acme"))
        organization.primary_color = "#AA0000"
        organization.accent_color = "</style"  # not a colour (and 7 characters): the default is used
        organization.career_intro_md = "We build **friendly robots**."
        organization.career_video_key = "career-videos/2025/01/intro"
        organization.career_video_content_type = "video/mp4"
        db.session.commit()
    html = text_of(client.get("/careers/acme"))
    style = re.search(r'<style nonce="[^"]+">([^<]*)</style>', html).group(1)
    assert "--brand: #aa0000;" in style
    assert "--accent: #e4572e;" in style and html.count("</style") == 1
    assert "<strong>friendly robots</strong>" in html
    assert re.search(
        r'<video class="intro-video" controls preload="none">\s*<source src="/files/d/[^"]+" type="video/mp4">',
        html,
    )
    journey = re.search(r'<script type="application/json" id="openround-journey">([^<]*)</script>', html)
    assert journey and '"view": "career_site_view"' in journey.group(1) and '"job": null' in journey.group(1)
    assert '<link rel="canonical" href="http://localhost/careers/acme">' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"team": "Data"}, ["Remote Data Analyst"]),
        ({"country": "DE"}, ["Remote Data Analyst", "Hybrid Designer"]),
        ({"country": "it"}, ["Robotics Engineer", "Future Job"]),
        ({"work_model": "hybrid"}, ["Hybrid Designer"]),
        ({"employment_type": "part_time"}, ["Remote Data Analyst"]),
        ({"q": "ROBOTICS"}, ["Robotics Engineer"]),
        ({"q": "design"}, ["Hybrid Designer"]),
        ({"q": "warehouse"}, ["Remote Data Analyst"]),
        ({"q": "100%"}, []),
        ({"q": "engineer", "country": "IT", "work_model": "on_site"}, ["Robotics Engineer", "Future Job"]),
        ({"q": "robot", "country": "IT"}, ["Robotics Engineer"]),
    ],
)
def test_filters_and_search(client, acme, query, expected):
    response = client.get("/careers/acme", query_string=query)
    assert response.status_code == 200
    assert job_titles(text_of(response)) == expected


def test_filter_form_offers_what_the_open_jobs_have_and_keeps_the_choice(client, acme):
    html = text_of(client.get("/careers/acme", query_string={"team": "Design", "q": "des"}))
    assert '<option value="Design" selected>Design</option>' in html
    assert '<option value="Data">Data</option>' in html
    assert '<option value="DE">Germany</option>' in html and '<option value="FR">France</option>' in html
    assert "Rival" not in html
    assert 'name="q" value="des"' in html
    assert "Clear filters" in html


@pytest.mark.parametrize(
    ("query", "field", "message", "expected"),
    [
        ({"work_model": "underwater"}, "filter-work-model", "Choose a work model from the list.", 4),
        (
            {"employment_type": "forever", "team": "Data"},
            "filter-employment-type",
            "Choose an employment type",
            1,
        ),
        ({"country": "Italy"}, "filter-country", "Choose a country from the list.", 4),
        ({"q": "x" * 101}, "filter-q", "Search for at most 100 characters.", 4),
    ],
)
def test_bad_filters_are_a_clear_400_next_to_the_field(client, acme, query, field, message, expected):
    response = client.get("/careers/acme", query_string=query)
    assert response.status_code == 400
    html = text_of(response)
    assert re.search(rf'id="{field}" [^>]*aria-invalid="true" aria-describedby="{field}-error"', html)
    assert re.search(rf'<p class="field-error" id="{field}-error" role="alert">{message}', html)
    # The refused value is left out; the other filters still apply.
    assert len(job_titles(html)) == expected
    if "q" in query:
        assert f'value="{"x" * 100}"' in html


def test_pagination(client, app):
    with app.app_context():
        organization = make_organization(slug="big")
        for number in range(23):
            make_job(organization, f"Role {number:02d}", days_ago=number + 1)
        db.session.commit()
    first = text_of(client.get("/careers/big"))
    assert len(job_titles(first)) == 20 and job_titles(first)[0] == "Role 00"
    assert "Page 1 of 2" in first
    assert 'rel="next" href="/careers/big?page=2"' in first
    second = text_of(client.get("/careers/big", query_string={"page": 2}))
    assert job_titles(second) == ["Role 20", "Role 21", "Role 22"]
    assert 'rel="prev" href="/careers/big?page=1"' in second
    filtered = text_of(client.get("/careers/big", query_string={"q": "role", "page": 2}))
    assert 'href="/careers/big?page=1&amp;q=role"' in filtered
    assert client.get("/careers/big", query_string={"page": 9}).status_code == 404


def test_page_language_is_the_organizations_unless_asked(client, app):
    with app.app_context():
        organization = make_organization(slug="italiana", default_language="it")
        make_job(organization, "Ingegnere")
        db.session.commit()
    assert '<html lang="it">' in text_of(client.get("/careers/italiana"))
    english = text_of(client.get("/careers/italiana", query_string={"lang": "en"}))
    assert '<html lang="en">' in english
    # The chosen language stays on the links to the job pages.
    assert re.search(r'href="/careers/italiana/jobs/job-\d+-ingegnere\?lang=en"', english)
    assert '<html lang="it">' in text_of(client.get("/careers/italiana", query_string={"lang": "xx"}))
    assert client.get("/careers/missing", query_string={"lang": "it"}).status_code == 404


def test_public_pages_set_no_cookies(client, app, acme):
    with app.app_context():
        job = db.session.scalar(db.select(Job).where(Job.title == "Robotics Engineer"))
        closed = db.session.scalar(db.select(Job).where(Job.title == "Closed Old Role"))
        paths = [
            "/careers/acme",
            "/careers/acme?lang=it&team=Data",
            f"/careers/acme/jobs/{job.slug}",
            f"/careers/acme/jobs/{job.slug}?s=linkedin",
            f"/careers/acme/jobs/{closed.slug}",
            "/careers/acme/jobs.xml",
            "/sitemap.xml",
            "/careers/nobody",
        ]
    for path in paths:
        response = client.get(path)
        assert response.status_code in (200, 404, 410), path
        assert "Set-Cookie" not in response.headers, path
