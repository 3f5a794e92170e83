# SPDX-License-Identifier: AGPL-3.0-or-later
"""Hostile text typed by staff is shown as text on every public surface of the career site."""

from __future__ import annotations

import re
from html import unescape

import extruct
import pytest
from defusedxml import ElementTree

from app.careers.jsonld import json_for_script
from app.core.extensions import db
from app.models import JobStatus
from tests.factories import make_organization
from tests.helpers import text_of
from tests.test_careers_site import make_job, make_testimonial

PAYLOADS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</script><script>alert(2)</script>",
)
HOSTILE = " ".join(PAYLOADS)
PUBLIC = "http://localhost"


@pytest.fixture
def hostile(app):
    """A published job whose every staff-written field carries the payloads."""
    with app.app_context():
        organization = make_organization(name="Evil Inc", slug="evil")
        job = make_job(
            organization,
            f"Engineer {HOSTILE}",
            team=f"Team {HOSTILE}",
            locations=((f"City {HOSTILE}", f"Region {HOSTILE}", "IT"),),
            description_md=f"About {HOSTILE}",
            responsibilities_md=HOSTILE,
            requirements_md=f"[click](javascript:alert(3)) {HOSTILE}",
            perks_md=HOSTILE,
            faqs=((f"Question {HOSTILE}", f"Answer {HOSTILE}"),),
        )
        make_testimonial(organization, f"Quote {HOSTILE}", job=job, author_name=f"Name {HOSTILE}")
        make_job(organization, f"Closed {HOSTILE}", status=JobStatus.CLOSED)
        db.session.commit()
        return job.slug


def assert_no_raw_payload(text: str) -> None:
    for payload in PAYLOADS:
        assert payload not in text
    assert "<img src=x" not in text
    assert 'href="javascript:' not in text


def test_career_site_shows_payloads_as_text(client, hostile):
    html = text_of(client.get("/careers/evil"))
    assert_no_raw_payload(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count("<script") == 2  # the journey data block and journey.js only
    # Filtering by the hostile team works and is echoed escaped.
    filtered = text_of(
        client.get("/careers/evil", query_string={"team": f"Team {HOSTILE}", "q": PAYLOADS[1]})
    )
    assert_no_raw_payload(filtered)


def test_job_page_json_ld_and_meta_keep_payloads_as_text(client, hostile):
    url = f"{PUBLIC}/careers/evil/jobs/{hostile}"
    html = text_of(client.get(f"/careers/evil/jobs/{hostile}"))
    assert_no_raw_payload(html)
    # Only our own script elements exist: JSON-LD, card.js, the journey data and journey.js.
    assert len(re.findall(r"<script\b", html)) == 4
    title = f"Engineer {HOSTILE}"
    og_title = re.search(r'<meta property="og:title" content="([^"]*)">', html).group(1)
    assert unescape(og_title) == title
    items = extruct.extract(html, base_url=url, syntaxes=["json-ld"])["json-ld"]
    assert len(items) == 1 and items[0]["title"] == title
    assert items[0]["jobLocation"][0]["address"]["addressLocality"] == f"City {HOSTILE}"
    assert_no_raw_payload(items[0]["description"])
    assert "&lt;script&gt;" in items[0]["description"]
    ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "<" not in ld and ">" not in ld and "\\u003c/script\\u003e" in ld
    share = re.search(r'<a class="share-link share-x" href="([^"]+)"', html).group(1)
    assert "<" not in share and '"' not in share


def test_closed_page_shows_payloads_as_text(client, app, hostile):
    with app.app_context():
        from app.models import Job

        closed = db.session.scalar(db.select(Job).where(Job.status == JobStatus.CLOSED))
        slug = closed.slug
    response = client.get(f"/careers/evil/jobs/{slug}")
    assert response.status_code == 410
    assert_no_raw_payload(text_of(response))


def test_feed_and_sitemap_keep_payloads_as_text(client, hostile):
    feed = client.get("/careers/evil/jobs.xml")
    assert_no_raw_payload(feed.get_data(as_text=True))
    job = ElementTree.fromstring(feed.data).find("job")
    assert job.findtext("title") == f"Engineer {HOSTILE}"
    assert job.findtext("city") == f"City {HOSTILE}"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in job.findtext("description")
    sitemap = client.get("/sitemap.xml")
    assert_no_raw_payload(sitemap.get_data(as_text=True))
    ElementTree.fromstring(sitemap.data)


def test_json_for_script_escapes_everything_that_could_end_the_element():
    text = str(json_for_script({"title": "</script><!-- & -->", "ok": "café"}))
    assert text == '{"title":"\\u003c/script\\u003e\\u003c!-- \\u0026 --\\u003e","ok":"café"}'
