# SPDX-License-Identifier: AGPL-3.0-or-later
"""The widget's loader, stylesheet and resizer for any site, the frameable jobs page, and the snippets."""

from __future__ import annotations

import gzip
import html
import re
from pathlib import Path

import pytest

from app.core.extensions import db
from app.embed import services
from app.models import JobStatus
from tests.factories import make_organization
from tests.helpers import text_of
from tests.test_public_api import XSS, make_job

STATIC = Path(__file__).resolve().parent.parent / "static" / "embed" / "v1"
LOADER_BUDGET = 8 * 1024


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/embed/v1/jobs.js", "text/javascript; charset=utf-8"),
        ("/embed/v1/frame-resizer.js", "text/javascript; charset=utf-8"),
        ("/embed/v1/widget.css", "text/css; charset=utf-8"),
    ],
)
def test_widget_files_are_served_to_any_site_cached_and_cookie_free(client, path, content_type):
    response = client.get(path, headers={"Origin": "https://www.example.com"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert "Set-Cookie" not in response.headers
    etag = response.headers["ETag"]
    cached = client.get(path, headers={"If-None-Match": etag})
    assert cached.status_code == 304
    assert cached.get_data() == b""
    assert client.get(path, headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_loader_fits_the_size_budget():
    size = len(gzip.compress((STATIC / "jobs.js").read_bytes()))
    print(f"jobs.js gzipped: {size} bytes (budget {LOADER_BUDGET})")
    assert size <= LOADER_BUDGET


def test_loader_never_builds_html_from_data_nor_sends_credentials():
    source = (STATIC / "jobs.js").read_text()
    for forbidden in (
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "new Function",
    ):
        assert forbidden not in source, forbidden
    assert 'attachShadow({ mode: "open" })' in source
    assert source.count("fetch(") == 2 and source.count('credentials: "omit"') == 2
    assert "navigator.sendBeacon" in source and "/api/v1/events" in source
    assert "document.cookie" not in source and "localStorage" not in source
    assert re.search(r"https?://", source.split("*/", 1)[1]) is None  # no third-party address in code


def test_resizer_trusts_only_its_own_origin_and_frames():
    source = (STATIC / "frame-resizer.js").read_text()
    assert "event.origin !== origin" in source
    assert "contentWindow === event.source" in source
    frame_source = (STATIC / "frame.js").read_text()
    assert 'type: "openround:resize"' in frame_source


def seed(app) -> dict[str, str]:
    """An organization with open, draft and closed jobs, and another organization."""
    with app.app_context():
        organization = make_organization(name="Aurora Robotics", slug="aurora", default_language="en")
        jobs = {
            "engineer": make_job(organization, XSS, team="Engineering", published_days_ago=1),
            "designer": make_job(organization, "Designer", team="Design", locations=(("Berlin", "DE"),)),
            "draft": make_job(organization, "Draft Role", status=JobStatus.DRAFT),
            "closed": make_job(organization, "Closed Role", status=JobStatus.CLOSED),
            "other": make_job(make_organization(slug="other-org"), "Other Org Role"),
        }
        db.session.commit()
        return {name: job.slug for name, job in jobs.items()}


def test_frame_page_may_be_framed_by_any_site_and_links_open_on_top(app, client):
    slugs = seed(app)
    response = client.get("/embed/v1/frame/aurora", headers={"Referer": "https://blog.example.com/careers"})
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors *" in csp
    nonce = re.search(r"script-src 'self' 'nonce-([^']+)'", csp).group(1)
    assert "unsafe-inline" not in csp
    assert "X-Frame-Options" not in response.headers
    assert "Set-Cookie" not in response.headers
    page = text_of(response)
    assert f'<script src="/static/embed/v1/frame.js" nonce="{nonce}">' in page
    links = re.findall(r'<a class="or-link" href="([^"]+)" target="_top"', page)
    assert len(links) == 2
    assert all("embed=blog.example.com" in link and "utm_medium=embed" in link for link in links)
    assert "&lt;img src=x onerror=window.__xss=1&gt;Engineer" in page and XSS not in page
    assert slugs["engineer"] in page and slugs["designer"] in page
    for hidden in ("draft", "closed", "other"):
        assert slugs[hidden] not in page
    assert 'target="_top"' in page.split('class="or-more"')[1]


def test_frame_options_narrow_and_shape_the_list(app, client):
    slugs = seed(app)
    page = text_of(client.get("/embed/v1/frame/aurora?team=design&layout=grid&lang=it"))
    assert '<html lang="it">' in page and "or-widget or-grid" in page
    assert slugs["designer"] in page and slugs["engineer"] not in page
    page = text_of(client.get("/embed/v1/frame/aurora?location=de"))
    assert slugs["designer"] in page and slugs["engineer"] not in page
    page = text_of(client.get(f"/embed/v1/frame/aurora?job={slugs['engineer']}"))
    assert page.count('class="or-card"') == 1 and slugs["engineer"] in page
    page = text_of(client.get(f"/embed/v1/frame/aurora?job={slugs['closed']}"))
    assert 'class="or-card"' not in page and "No open positions right now" in page
    assert "embed=" not in page  # no Referer, nothing to credit


def test_frame_refuses_bad_options_and_unknown_organizations(app, client):
    seed(app)
    assert client.get("/embed/v1/frame/aurora?layout=carousel").status_code == 400
    assert client.get("/embed/v1/frame/aurora?lang=fr").status_code == 400
    assert client.get("/embed/v1/frame/aurora?location=Italy").status_code == 400
    assert client.get("/embed/v1/frame/nobody-here").status_code == 404


def test_snippets_carry_the_options_escaped(app):
    app.config["PUBLIC_URL"] = "https://jobs.example.com"  # snippets point at PUBLIC_URL
    with app.app_context():
        organization = make_organization(name='Aurora "R&D"', slug="aurora")
        with app.test_request_context():
            options = services.parse_widget_options(
                {"team": 'R&D "core"', "location": "it", "lang": "it", "layout": "grid", "job": ""}
            )
            script = services.script_snippet(organization, options)
            frame = services.frame_snippet(organization, options, "Jobs at Aurora")
            default = services.script_snippet(organization, services.WidgetOptions())
    assert script == (
        '<div data-openround-jobs="aurora" data-team="R&amp;D &#34;core&#34;" data-location="IT"'
        ' data-lang="it" data-layout="grid"></div>\n'
        '<script src="https://jobs.example.com/embed/v1/jobs.js" async></script>'
    )
    assert default == (
        '<div data-openround-jobs="aurora"></div>\n'
        '<script src="https://jobs.example.com/embed/v1/jobs.js" async></script>'
    )
    src = html.unescape(re.search(r'<iframe src="([^"]+)"', frame).group(1))
    assert (
        src
        == "https://jobs.example.com/embed/v1/frame/aurora?team=R%26D+%22core%22&location=IT&lang=it&layout=grid"
    )
    assert 'title="Jobs at Aurora"' in frame and 'id="openround-jobs-frame"' in frame
    assert '<script src="https://jobs.example.com/embed/v1/frame-resizer.js" async></script>' in frame


def test_embed_host_comes_only_from_a_plain_host_name():
    assert services.embed_host_from("https://blog.example.com/post?x=1") == "blog.example.com"
    assert services.embed_host_from(None) == ""
    assert services.embed_host_from("not a url") == ""
    assert services.embed_host_from("https://ex ample.com/") == ""
