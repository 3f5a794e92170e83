# SPDX-License-Identifier: AGPL-3.0-or-later
"""The XML job feed for job boards and the sitemap."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from defusedxml import ElementTree

from app.careers.feeds import cdata, xml_text
from app.core.extensions import db
from app.models import EmploymentType, Job, SalaryPeriod, WorkModel
from tests.test_careers_site import acme  # noqa: F401 - the shared fixture

PUBLIC = "http://localhost"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def slugs_by_title(app) -> dict[str, str]:
    with app.app_context():
        return {job.title: job.slug for job in db.session.scalars(db.select(Job))}


def test_feed_lists_open_jobs_with_their_own_country(client, app, acme):  # noqa: F811
    response = client.get("/careers/acme/jobs.xml")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/xml; charset=utf-8"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert "Set-Cookie" not in response.headers
    body = response.get_data(as_text=True)
    assert body.startswith('<?xml version="1.0" encoding="utf-8"?>')
    root = ElementTree.fromstring(response.data)
    assert root.tag == "source"
    assert root.findtext("publisher") == "Acme Robotics"
    assert root.findtext("publisherurl") == f"{PUBLIC}/careers/acme"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", root.findtext("lastBuildDate"))
    jobs = {job.findtext("title"): job for job in root.findall("job")}
    assert set(jobs) == {"Robotics Engineer", "Remote Data Analyst", "Hybrid Designer", "Future Job"}
    slugs = slugs_by_title(app)

    engineer = jobs["Robotics Engineer"]
    assert engineer.findtext("referencenumber") == slugs["Robotics Engineer"]
    assert engineer.findtext("url") == f"{PUBLIC}/careers/acme/jobs/{slugs['Robotics Engineer']}"
    assert engineer.findtext("company") == "Acme Robotics"
    assert (engineer.findtext("city"), engineer.findtext("state"), engineer.findtext("country")) == (
        "Milan",
        "Lombardy",
        "IT",
    )
    assert engineer.findtext("salary") == "45000-55000 EUR per year"
    assert engineer.findtext("jobtype") == "fulltime"
    assert engineer.find("remotetype") is None
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", engineer.findtext("date"))
    assert "<strong>Robotics Engineer</strong>" in engineer.findtext("description")

    remote = jobs["Remote Data Analyst"]
    assert remote.findtext("country") == "DE"
    assert remote.find("city") is None
    assert remote.findtext("remotetype") == "Fully remote"
    assert remote.findtext("jobtype") == "parttime"
    assert remote.find("salary") is None
    assert jobs["Hybrid Designer"].findtext("country") == "DE"
    assert jobs["Hybrid Designer"].findtext("city") == "Berlin"
    # The description is HTML inside CDATA, one section per job.
    assert body.count("<description><![CDATA[") == 4


def test_feed_of_an_unknown_organization_is_404(client, acme):  # noqa: F811
    assert client.get("/careers/nobody/jobs.xml").status_code == 404


def test_feed_of_an_organization_without_open_jobs_is_an_empty_source(client, app):
    from tests.factories import make_organization

    with app.app_context():
        make_organization(slug="quiet")
        db.session.commit()
    root = ElementTree.fromstring(client.get("/careers/quiet/jobs.xml").data)
    assert root.findall("job") == []


@pytest.mark.parametrize("text", ["a]]>b", "]]>", "x]]]]>y", "<![CDATA[ ]]> ]]>", "bell\x07 and nul\x00"])
def test_cdata_cannot_be_ended_early(text):
    parsed = ElementTree.fromstring(f"<d>{cdata(text)}</d>").text
    assert parsed == text.replace("\x07", "").replace("\x00", "")


def test_xml_text_escapes_markup():
    assert ElementTree.fromstring(f"<t>{xml_text('<a> & </t>')}</t>").text == "<a> & </t>"


def test_feed_salary_variants(client, app):
    from tests.factories import make_organization
    from tests.test_careers_site import make_job

    with app.app_context():
        organization = make_organization(slug="pay")
        make_job(organization, "Hourly", salary=(20, 20, "EUR", SalaryPeriod.HOUR))
        make_job(organization, "Cents", salary=(1250, 1500, "CHF", SalaryPeriod.MONTH))
        make_job(organization, "Intern", employment_type=EmploymentType.INTERN, work_model=WorkModel.HYBRID)
        make_job(organization, "Other kind", employment_type=EmploymentType.OTHER)
        job = make_job(organization, "Decimals")
        job.salary_min, job.salary_max, job.salary_currency = Decimal("10.5"), Decimal(12), "EUR"
        db.session.commit()
    root = ElementTree.fromstring(client.get("/careers/pay/jobs.xml").data)
    jobs = {job.findtext("title"): job for job in root.findall("job")}
    assert jobs["Hourly"].findtext("salary") == "20 EUR per hour"
    assert jobs["Cents"].findtext("salary") == "1250-1500 CHF per month"
    assert jobs["Decimals"].findtext("salary") == "10.50-12 EUR"
    assert jobs["Intern"].findtext("jobtype") == "internship"
    assert jobs["Other kind"].find("jobtype") is None


def test_sitemap_lists_career_sites_and_open_job_pages(client, app, acme):  # noqa: F811
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/xml; charset=utf-8"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    root = ElementTree.fromstring(response.data)
    assert root.tag == f"{SITEMAP}urlset"
    entries = {url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod") for url in root}
    slugs = slugs_by_title(app)
    expected = {f"{PUBLIC}/careers/acme", f"{PUBLIC}/careers/rival"} | {
        f"{PUBLIC}/careers/{'rival' if title.startswith('Rival') else 'acme'}/jobs/{slugs[title]}"
        for title in (
            "Robotics Engineer",
            "Remote Data Analyst",
            "Hybrid Designer",
            "Future Job",
            "Rival Engineer",
        )
    }
    assert set(entries) == expected
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", lastmod) for lastmod in entries.values())
