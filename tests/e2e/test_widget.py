# SPDX-License-Identifier: AGPL-3.0-or-later
"""Acceptance: the snippet pasted on another site shows the open jobs, safely, and reports views and clicks.

A second loopback web server plays the company's own website; its page holds only the snippet.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from app.core.extensions import db
from app.embed import services
from app.models import JobStatus, JourneyEvent, Organization, Role
from tests.factories import PASSWORD, make_organization, make_user
from tests.test_public_api import XSS, make_job

pytestmark = pytest.mark.e2e


@dataclass
class HostSite:
    """A plain static web server on another port: someone else's website."""

    root: Path
    url: str

    def publish(self, name: str, body: str) -> str:
        """Write a page holding ``body`` and return its address."""
        (self.root / name).write_text(
            f'<!doctype html>\n<meta charset="utf-8">\n<title>Blog</title>\n{body}\n'
        )
        return f"{self.url}/{name}"


@pytest.fixture
def host_site(tmp_path: Path) -> Iterator[HostSite]:
    """Serve a temporary folder on a free loopback port."""
    root = tmp_path / "host-site"
    root.mkdir()

    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, format, *args):  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield HostSite(root, f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


def seed(app) -> dict[str, str]:
    """Aurora with two open jobs (one titled with an XSS payload), a draft, a closed job; another org."""
    with app.app_context():
        organization = make_organization(name="Aurora Robotics", slug="aurora", primary_color="#aa3300")
        make_user(organization, Role.RECRUITER, email="rita@example.com")
        jobs = {
            "xss": make_job(organization, XSS, team="Engineering", published_days_ago=1),
            "designer": make_job(organization, "Product Designer", team="Design", published_days_ago=2),
            "draft": make_job(organization, "Draft Role", status=JobStatus.DRAFT),
            "closed": make_job(organization, "Closed Role", status=JobStatus.CLOSED),
            "other": make_job(make_organization(slug="other-org"), "Other Org Role"),
        }
        db.session.commit()
        return {name: job.slug for name, job in jobs.items()}


def snippet(app, live_url: str, kind: str = "script", **options: str) -> str:
    """The snippet marketing would copy from the builder, pointing at the live server."""
    app.config["PUBLIC_URL"] = live_url  # snippets are built on PUBLIC_URL
    with app.app_context(), app.test_request_context():
        organization = db.session.scalar(db.select(Organization).where(Organization.slug == "aurora"))
        chosen = services.parse_widget_options(options)
        if kind == "script":
            return services.script_snippet(organization, chosen)
        return services.frame_snippet(organization, chosen, "Jobs at Aurora Robotics")


def events_in(request) -> list[dict]:
    """The journey events carried by a request to /api/v1/events."""
    return json.loads(request.post_data or "{}").get("events", [])


def is_event(kind: str):
    """A predicate for Playwright: a beacon carrying an event of ``kind``."""
    return lambda request: (
        "/api/v1/events" in request.url and any(event["type"] == kind for event in events_in(request))
    )


def wait_for_rows(app, kind: str) -> list[JourneyEvent]:
    """Journey rows of ``kind`` once the server has committed them (beacons are asynchronous)."""
    deadline = time.monotonic() + 10
    while True:
        with app.app_context():
            rows = db.session.scalars(db.select(JourneyEvent).where(JourneyEvent.type == kind)).all()
        if rows or time.monotonic() > deadline:
            return list(rows)
        time.sleep(0.1)


def test_snippet_on_another_site_shows_open_jobs_as_text_and_reports_views_and_clicks(
    app, live_server, page, host_site
):
    app.config["PUBLIC_URL"] = live_server.url
    slugs = seed(app)
    address = host_site.publish("index.html", snippet(app, live_server.url))
    seen: list = []
    page.on("request", lambda request: seen.append(request))

    with page.expect_request(is_event("widget_view")) as view_beacon:
        page.goto(address)
    cards = page.locator("[data-openround-jobs] .or-card")
    expect(cards).to_have_count(2)
    assert sorted(cards.locator(".or-title").all_inner_texts()) == sorted([XSS, "Product Designer"])
    for hidden in ("Draft Role", "Closed Role", "Other Org Role"):
        expect(page.get_by_text(hidden)).to_have_count(0)
    assert page.evaluate("window.__xss") is None
    assert page.evaluate("document.querySelector('[data-openround-jobs]').shadowRoot.mode") == "open"
    assert page.evaluate("document.querySelector('[data-openround-jobs]').childElementCount") == 0
    assert page.get_by_role("heading", level=2).inner_text() == "Open positions at Aurora Robotics"
    assert (
        page.evaluate(
            "getComputedStyle(document.querySelector('[data-openround-jobs]')).getPropertyValue('--or-primary')"
        ).strip()
        == "#aa3300"
    )

    (view,) = events_in(view_beacon.value)
    assert view["org"] == "aurora" and view["job"] is None
    assert view["embed_host"] == "127.0.0.1" and view["page_url"] == address

    link = page.get_by_role("link", name=XSS)
    assert link.get_attribute("target") == "_top"
    with page.expect_request(is_event("card_click")) as click_beacon:
        link.click()
    page.wait_for_url(f"{live_server.url}/careers/aurora/jobs/{slugs['xss']}?*")
    query = parse_qs(urlsplit(page.url).query)
    assert query["embed"] == ["127.0.0.1"] and query["utm_medium"] == ["embed"]
    (click,) = events_in(click_beacon.value)
    assert click["job"] == slugs["xss"] and click["embed_host"] == "127.0.0.1"

    if "journey.record" in app.view_functions:
        for kind in ("widget_view", "card_click"):
            rows = wait_for_rows(app, kind)
            assert rows and all(row.embed_host == "127.0.0.1" for row in rows), kind

    origins = {f"{urlsplit(request.url).scheme}://{urlsplit(request.url).netloc}" for request in seen}
    assert origins <= {live_server.url, host_site.url}, origins
    assert page.context.cookies() == []


def test_widget_options_show_one_job_in_italian(app, live_server, page, host_site):
    app.config["PUBLIC_URL"] = live_server.url
    slugs = seed(app)
    address = host_site.publish(
        "one.html", snippet(app, live_server.url, job=slugs["designer"], lang="it", layout="compact")
    )
    page.goto(address)
    cards = page.locator("[data-openround-jobs] .or-card")
    expect(cards).to_have_count(1)
    expect(cards.get_by_role("link")).to_have_text("Product Designer")
    expect(page.locator("[data-openround-jobs] .or-widget.or-compact")).to_have_count(1)
    expect(page.get_by_role("heading", level=2)).to_have_text("Posizioni aperte in Aurora Robotics")


def test_iframe_variant_sizes_itself_to_its_content_and_opens_jobs_on_top(app, live_server, page, host_site):
    app.config["PUBLIC_URL"] = live_server.url
    slugs = seed(app)
    page.goto(host_site.publish("frame.html", snippet(app, live_server.url, kind="frame")))
    frame = page.frame_locator("#openround-jobs-frame")
    expect(frame.locator(".or-card")).to_have_count(2)
    expect(frame.get_by_text("Draft Role")).to_have_count(0)

    content = page.frame_locator("#openround-jobs-frame").locator("html")
    page.wait_for_function(
        """() => {
            const frame = document.getElementById('openround-jobs-frame');
            return frame.style.height !== '' && parseInt(frame.style.height) > 150;
        }"""
    )
    inner = content.evaluate("html => Math.ceil(html.getBoundingClientRect().height)")
    outer = page.evaluate("document.getElementById('openround-jobs-frame').getBoundingClientRect().height")
    assert inner > 150 and abs(outer - inner) <= 1  # 150px is an iframe's default height

    # A message from any other window (here the host page itself) is ignored.
    page.evaluate("window.postMessage({type: 'openround:resize', height: 3}, '*')")
    page.wait_for_timeout(300)
    assert (
        page.evaluate("document.getElementById('openround-jobs-frame').getBoundingClientRect().height")
        == outer
    )

    frame.get_by_role("link", name="Product Designer").click()
    page.wait_for_url(f"{live_server.url}/careers/aurora/jobs/{slugs['designer']}?*")
    assert parse_qs(urlsplit(page.url).query)["embed"] == ["127.0.0.1"]
    assert page.context.cookies() == []


def test_builder_preview_follows_the_options(app, live_server, page):
    seed(app)
    page.goto(f"{live_server.url}/login")
    page.get_by_label("E-mail").fill("rita@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/app/")

    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.goto(f"{live_server.url}/app/marketing/embed")
    preview = page.locator("#embed-preview")
    expect(preview.locator(".or-card")).to_have_count(2)
    # styled through the page's CSP: the card's left border has the brand colour
    assert (
        preview.locator(".or-card").first.evaluate("card => getComputedStyle(card).borderLeftWidth") == "4px"
    )

    page.get_by_label("Layout").select_option("grid")
    page.get_by_label("Team").select_option("Design")
    expect(preview.locator(".or-widget.or-grid .or-card")).to_have_count(1)
    expect(page.locator("#script-snippet")).to_have_value(
        '<div data-openround-jobs="aurora" data-team="Design" data-layout="grid"></div>\n'
        f'<script src="{app.config["PUBLIC_URL"]}/embed/v1/jobs.js" async></script>'
    )
    expect(page.frame_locator("#embed-preview-frame").locator(".or-card")).to_have_count(1)
    assert "team=Design" in page.url
    assert problems == [], problems
