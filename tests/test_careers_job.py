# SPDX-License-Identifier: AGPL-3.0-or-later
"""The public job card: facts, sections, media, testimonials, sharing, SEO tags, status and preview."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import extruct
import pytest

from app.core.extensions import db
from app.models import EmploymentType, Job, JobPhoto, JobStatus, Role, SalaryPeriod, WorkModel, utcnow
from tests.factories import make_organization, make_user
from tests.helpers import login, text_of
from tests.test_careers_site import make_job, make_testimonial

PUBLIC = "http://localhost"


@pytest.fixture
def card(app):
    """An organization with a rich open job, a remote job, a closed, an expired and a draft job."""
    with app.app_context():
        organization = make_organization(name="Acme Robotics", slug="acme", logo_key="logos/2025/01/acme")
        job = make_job(
            organization,
            "Robotics Engineer",
            team="Engineering",
            locations=(("Milan", "Lombardy", "IT"), ("", "", "CH")),
            salary=(45000, 55000, "EUR", SalaryPeriod.YEAR),
            valid_through=utcnow() + timedelta(days=30),
            responsibilities_md="- Build **robots**\n- Test them",
            requirements_md="Three years with *ROS*.",
            perks_md="Free espresso.",
            faqs=(
                ("Is there a trial period?", "Yes, **three months**."),
                ("Can I work part-time?", "Ask us."),
            ),
            pitch_video_key="pitch-videos/2025/01/abc",
            pitch_video_content_type="video/webm",
            pitch_captions_key="pitch-captions/2025/01/abc",
            language="en",
        )
        job.photos = [
            JobPhoto(key="job-photos/2025/01/p1", content_type="image/jpeg", alt_text="The lab in Milan")
        ]
        make_testimonial(organization, "I love building robots here.", job=job, author_name="Luca Bianchi")
        make_testimonial(organization, "A kind and curious company.", author_name="Sara Verdi")
        make_testimonial(organization, "Not yet approved by admin.", admin_approved=False)
        make_testimonial(organization, "Not yet approved by me.", employee_approved=False)
        make_testimonial(organization, "I changed my mind.", withdrawn=True)
        other = make_job(organization, "Office Manager", team="Operations")
        make_testimonial(organization, "About another job only.", job=other)
        remote = make_job(
            organization,
            "Remote Data Analyst",
            team="Data",
            locations=(),
            work_model=WorkModel.REMOTE,
            remote_countries=("DE", "FR"),
            employment_type=EmploymentType.PART_TIME,
            salary=(30, 40, "EUR", SalaryPeriod.HOUR),
        )
        closed = make_job(organization, "Closed Role", status=JobStatus.CLOSED)
        expired = make_job(organization, "Expired Role", valid_through=utcnow() - timedelta(minutes=5))
        draft = make_job(organization, "Draft Role", status=JobStatus.DRAFT)
        rival = make_organization(name="Rival", slug="rival")
        rival_job = make_job(rival, "Rival Role")
        db.session.commit()
        return {
            "job": job.slug,
            "remote": remote.slug,
            "closed": closed.slug,
            "expired": expired.slug,
            "draft": draft.slug,
            "rival": rival_job.slug,
        }


def job_page(client, slug: str, org: str = "acme", **query):
    return client.get(f"/careers/{org}/jobs/{slug}", query_string=query)


def json_ld(html: str, url: str) -> dict:
    """The single JobPosting of a page, as a structured-data extractor reads it."""
    items = extruct.extract(html, base_url=url, syntaxes=["json-ld"])["json-ld"]
    postings = [item for item in items if item.get("@type") == "JobPosting"]
    assert len(postings) == 1
    return postings[0]


def meta(html: str, attribute: str, name: str) -> str | None:
    match = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', html)
    return unescape(match.group(1)) if match else None


def test_job_card_shows_facts_sections_media_and_apply(client, card):
    response = job_page(client, card["job"])
    assert response.status_code == 200
    html = text_of(response)
    assert '<h1 id="job-title" lang="en">Robotics Engineer</h1>' in html
    chips = re.findall(
        r'<li class="chip chip-([a-z-]+)"><span class="visually-hidden">[^<]*</span>([^<]*)</li>', html
    )
    assert chips == [
        ("team", "Engineering"),
        ("location", "Milan, Italy"),
        ("location", "Switzerland"),
        ("work-model", "On-site"),
        ("employment-type", "Full-time"),
        ("salary", "€45,000 \u2013 €55,000 per year"),
    ]
    # Sections expand without JavaScript; the description starts open.
    sections = re.findall(
        r'<details class="job-section" id="section-([a-z]+)"( open)?>\s*<summary><h2>([^<]+)</h2>', html
    )
    assert sections == [
        ("description", " open", "About the job"),
        ("responsibilities", "", "Responsibilities"),
        ("requirements", "", "Requirements"),
        ("perks", "", "Perks and benefits"),
    ]
    assert "<strong>robots</strong>" in html and "<em>ROS</em>" in html
    assert "<summary><h3>Is there a trial period?</h3></summary>" in html
    assert "<strong>three months</strong>" in html
    # The pitch video plays inline with captions, from fresh file links.
    video = re.search(
        r'<video class="pitch-video" controls playsinline preload="metadata" data-journey="video_play">(.*?)</video>',
        html,
        re.S,
    )
    assert video
    assert re.search(r'<source src="/files/d/[^"]+" type="video/webm">', video.group(1))
    assert re.search(
        r'<track kind="captions" src="/files/d/[^"]+" srclang="en" label="Captions" default>', video.group(1)
    )
    assert re.search(
        r'<img src="/files/d/[^"]+" alt="The lab in Milan" width="480" height="360" loading="lazy"', html
    )
    assert html.count('data-journey="apply_start"') == 2
    assert f'href="/careers/acme/jobs/{card["job"]}/apply" data-journey="apply_start"' in html
    assert "Apply by" in html and "Posted on" in html
    assert '<script src="/static/js/card.js" defer></script>' in html
    assert '<script src="/static/js/journey.js" defer></script>' in html


def test_only_visible_testimonials_for_this_job_or_the_organization(client, card):
    html = text_of(job_page(client, card["job"]))
    assert "I love building robots here." in html and "A kind and curious company." in html
    assert html.index("I love building robots here.") < html.index("A kind and curious company.")
    for hidden in (
        "Not yet approved by admin.",
        "Not yet approved by me.",
        "I changed my mind.",
        "About another job only.",
    ):
        assert hidden not in html


def test_share_links_attribute_the_channel(client, card):
    html = text_of(job_page(client, card["job"]))
    canonical = f"{PUBLIC}/careers/acme/jobs/{card['job']}"
    links = dict(re.findall(r'<a class="share-link share-([a-z]+)" href="([^"]+)"', html))
    assert set(links) == {"linkedin", "x", "facebook", "whatsapp", "email"}
    shared = {
        "linkedin": parse_qs(urlsplit(unescape(links["linkedin"])).query)["url"][0],
        "x": parse_qs(urlsplit(unescape(links["x"])).query)["url"][0],
        "facebook": parse_qs(urlsplit(unescape(links["facebook"])).query)["u"][0],
        "email": parse_qs(urlsplit(unescape(links["email"])).query)["body"][0],
    }
    for channel, url in shared.items():
        assert url == f"{canonical}?s={channel}"
    assert unescape(links["linkedin"]).startswith("https://www.linkedin.com/sharing/share-offsite/?url=")
    assert unescape(links["x"]).startswith("https://twitter.com/intent/tweet?url=")
    assert parse_qs(urlsplit(unescape(links["x"])).query)["text"][0] == "Robotics Engineer"
    assert unescape(links["facebook"]).startswith("https://www.facebook.com/sharer/sharer.php?u=")
    assert parse_qs(urlsplit(unescape(links["whatsapp"])).query)["text"][0].endswith(
        f"{canonical}?s=whatsapp"
    )
    assert unescape(links["email"]).startswith("mailto:?subject=Robotics%20Engineer&body=")
    assert f'<input type="text" id="share-url" value="{canonical}?s=copy" readonly>' in html
    assert re.search(
        r'<button type="button" class="button" id="copy-link" hidden[^>]*data-journey-channel="copy"', html
    )
    for channel in ("linkedin", "x", "facebook", "whatsapp", "email"):
        assert f'data-journey="share_click" data-journey-channel="{channel}"' in html
    journey = re.search(
        r'<script type="application/json" id="openround-journey">([^<]*)</script>', html
    ).group(1)
    assert json.loads(journey) == {"org": "acme", "job": card["job"], "view": "card_view"}


def test_canonical_and_social_tags_use_the_public_url(client, card):
    # The request arrives on another host; the canonical address still comes from PUBLIC_URL.
    response = client.get(f"/careers/acme/jobs/{card['job']}?s=x&lang=it", base_url="http://evil.example")
    html = text_of(response)
    canonical = f"{PUBLIC}/careers/acme/jobs/{card['job']}"
    assert f'<link rel="canonical" href="{canonical}">' in html
    assert meta(html, "property", "og:url") == canonical
    assert meta(html, "property", "og:title") == "Robotics Engineer"
    assert meta(html, "property", "og:type") == "website"
    assert meta(html, "property", "og:description") == "We are looking for a Robotics Engineer."
    assert meta(html, "property", "og:image") == f"{PUBLIC}/brand/acme/logo"
    assert meta(html, "name", "twitter:card") == "summary"
    assert meta(html, "name", "twitter:title") == "Robotics Engineer"
    assert "evil.example" not in html


def test_long_descriptions_are_cut_for_social_tags(client, app):
    with app.app_context():
        organization = make_organization(slug="wordy")
        job = make_job(organization, "Writer", description_md="word " * 100)
        db.session.commit()
        slug = job.slug
    description = meta(text_of(job_page(client, slug, org="wordy")), "property", "og:description")
    assert len(description) <= 200 and description.endswith("word…")


def test_json_ld_for_an_on_site_job_in_italy(client, card):
    url = f"{PUBLIC}/careers/acme/jobs/{card['job']}"
    posting = json_ld(text_of(job_page(client, card["job"])), url)
    assert posting["@context"].rstrip("/") in ("https://schema.org", "http://schema.org")
    assert posting["title"] == "Robotics Engineer"
    assert (
        "<strong>robots</strong>" in posting["description"]
        and "<h3>Requirements</h3>" in posting["description"]
    )
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", posting["datePosted"])
    assert posting["validThrough"].startswith(str((utcnow() + timedelta(days=30)).date()))
    assert posting["hiringOrganization"] == {
        "@type": "Organization",
        "name": "Acme Robotics",
        "sameAs": f"{PUBLIC}/careers/acme",
        "logo": f"{PUBLIC}/brand/acme/logo",
    }
    assert posting["identifier"] == {"@type": "PropertyValue", "name": "Acme Robotics", "value": card["job"]}
    assert posting["employmentType"] == "FULL_TIME"
    assert posting["directApply"] is True
    assert posting["jobLocation"] == [
        {
            "@type": "Place",
            "address": {
                "@type": "PostalAddress",
                "addressLocality": "Milan",
                "addressRegion": "Lombardy",
                "addressCountry": "IT",
            },
        },
        {"@type": "Place", "address": {"@type": "PostalAddress", "addressCountry": "CH"}},
    ]
    assert "jobLocationType" not in posting and "applicantLocationRequirements" not in posting
    assert posting["baseSalary"] == {
        "@type": "MonetaryAmount",
        "currency": "EUR",
        "value": {"@type": "QuantitativeValue", "minValue": 45000, "maxValue": 55000, "unitText": "YEAR"},
    }


def test_json_ld_for_a_remote_job_names_its_own_countries(client, card):
    url = f"{PUBLIC}/careers/acme/jobs/{card['remote']}"
    posting = json_ld(text_of(job_page(client, card["remote"])), url)
    assert posting["jobLocationType"] == "TELECOMMUTE"
    assert posting["applicantLocationRequirements"] == [
        {"@type": "Country", "name": "DE"},
        {"@type": "Country", "name": "FR"},
    ]
    assert "jobLocation" not in posting
    assert posting["employmentType"] == "PART_TIME"
    assert posting["baseSalary"]["value"]["unitText"] == "HOUR"
    assert "validThrough" not in posting


def test_json_ld_for_a_remote_job_limited_by_time_zone_only(client, app):
    with app.app_context():
        organization = make_organization(slug="tzone")
        job = make_job(
            organization,
            "Night Owl",
            locations=(),
            work_model=WorkModel.REMOTE,
            remote_time_zones=("Europe/Rome",),
        )
        db.session.commit()
        slug = job.slug
    html = text_of(job_page(client, slug, org="tzone"))
    posting = json_ld(html, f"{PUBLIC}/careers/tzone/jobs/{slug}")
    assert posting["jobLocationType"] == "TELECOMMUTE"
    assert "applicantLocationRequirements" not in posting and "baseSalary" not in posting
    assert "logo" not in posting["hiringOrganization"]
    assert "Europe/Rome" in html


def test_closed_and_expired_jobs_answer_410_with_open_jobs(client, card):
    for key in ("closed", "expired"):
        response = job_page(client, card[key])
        assert response.status_code == 410
        html = text_of(response)
        assert "This position is closed" in html
        assert '<meta name="robots" content="noindex">' in html
        assert f'href="/careers/acme/jobs/{card["job"]}"' in html
        assert f'href="/careers/acme/jobs/{card["remote"]}"' in html
        assert 'href="/careers/acme"' in html
        assert "application/ld+json" not in html and "Rival Role" not in html


def test_drafts_unknown_and_other_organizations_jobs_are_404(client, card):
    assert job_page(client, card["draft"]).status_code == 404
    assert job_page(client, "no-such-job").status_code == 404
    assert job_page(client, card["rival"]).status_code == 404
    assert job_page(client, card["job"], org="rival").status_code == 404
    assert job_page(client, card["job"], org="nobody").status_code == 404


def test_job_page_in_the_page_language(client, app, card):
    html = text_of(job_page(client, card["job"], lang="it"))
    assert '<html lang="it">' in html
    # Country names and money follow the page language, whatever the words' translation state.
    assert "Milan, Italia" in html and "45.000\xa0€" in html
    assert 'href="/careers/acme?lang=it"' in html


def test_preview_for_staff_of_the_same_organization(client, app, card):
    with app.app_context():
        acme = db.session.scalar(db.select(Job).where(Job.slug == card["draft"])).organization
        make_user(acme, Role.MANAGER, email="mara@example.com")
        db.session.commit()
    login(client, "mara@example.com")
    for key in ("draft", "closed", "job"):
        response = client.get(f"/careers/acme/jobs/{card[key]}/preview")
        assert response.status_code == 200, key
        html = text_of(response)
        assert "Preview — not public" in html
        assert '<meta name="robots" content="noindex">' in html
        assert "application/ld+json" not in html
        assert "openround-journey" not in html and "data-journey" not in html and "journey.js" not in html
        assert response.headers["Cache-Control"] == "private, no-store"
    assert client.get(f"/careers/rival/jobs/{card['rival']}/preview").status_code == 404
    assert client.get(f"/careers/rival/jobs/{card['draft']}/preview").status_code == 404


def test_preview_is_404_for_other_organizations_and_anonymous(client, app, card):
    assert client.get(f"/careers/acme/jobs/{card['draft']}/preview").status_code == 404
    with app.app_context():
        rival = db.session.scalar(db.select(Job).where(Job.slug == card["rival"])).organization
        make_user(rival, Role.ADMIN, email="rick@example.com")
        db.session.commit()
    login(client, "rick@example.com")
    assert client.get(f"/careers/acme/jobs/{card['draft']}/preview").status_code == 404
    assert client.get(f"/careers/acme/jobs/{card['job']}/preview").status_code == 404
