# SPDX-License-Identifier: AGPL-3.0-or-later
"""journey.js in real Chromium: first-touch attribution across pages, beacons, no cookies."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest
from flask import Flask

from app.core.extensions import db
from app.models import Job, JobStatus, JourneyEvent
from tests.factories import make_organization

pytestmark = [pytest.mark.e2e, pytest.mark.fresh_app]  # adds its own pages to the app

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<script src="/static/js/journey.js" defer></script></head>
<body>
<script type="application/json" id="openround-journey">{config}</script>
<h1>{title}</h1>
<button type="button" data-journey="share_click" data-journey-channel="whatsapp">Share on WhatsApp</button>
<a href="/test-journey/job" data-journey="apply_start">Apply now</a>
</body></html>"""


def add_test_pages(app: Flask) -> None:
    """A career-site-like page and a job page, added before the app serves its first request."""

    def career_site():
        config = json.dumps({"org": "aurora", "job": None, "view": "career_site_view"})
        return PAGE.format(title="Careers at Aurora", config=config)

    def job_page():
        config = json.dumps({"org": "aurora", "job": "aurora-robotics-engineer", "view": "card_view"})
        return PAGE.format(title="Robotics engineer", config=config)

    app.add_url_rule("/test-journey/site", "test_journey_site", career_site)
    app.add_url_rule("/test-journey/job", "test_journey_job", job_page)


def wait_for_events(app: Flask, count: int, timeout: float = 10.0) -> list[JourneyEvent]:
    """The recorded events once there are ``count`` of them (beacons arrive asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        with app.app_context():
            events = list(db.session.scalars(db.select(JourneyEvent).order_by(JourneyEvent.id)))
            db.session.expunge_all()
        if len(events) >= count or time.monotonic() > deadline:
            return events
        time.sleep(0.1)


def test_events_carry_the_first_touch_across_pages_without_cookies(app, live_server, page):
    with app.app_context():
        organization = make_organization("Aurora", "aurora")
        db.session.add(
            Job(
                organization_id=organization.id,
                slug="aurora-robotics-engineer",
                title="Robotics engineer",
                status=JobStatus.PUBLISHED,
                published_at=datetime.now(UTC),
            )
        )
        db.session.commit()
    add_test_pages(app)
    set_cookies: list[str] = []
    page.on(
        "response",
        lambda response: set_cookies.append(response.url) if "set-cookie" in response.headers else None,
    )

    page.goto(f"{live_server.url}/test-journey/site?utm_source=newsletter&s=linkedin")
    page.get_by_role("button", name="Share on WhatsApp").click()
    page.get_by_role("link", name="Apply now").click()
    page.wait_for_url(f"{live_server.url}/test-journey/job")
    page.get_by_role("heading", name="Robotics engineer").wait_for()

    events = wait_for_events(app, 4)
    assert sorted(event.type for event in events) == [
        "apply_start",
        "card_view",
        "career_site_view",
        "share_click",
    ]
    by_type = {event.type: event for event in events}
    for event in events:
        # The job page was reached by internal navigation without a query, yet keeps the first touch.
        assert (event.channel, event.source) == ("share", "linkedin")
        assert (event.utm_source, event.share_channel) == ("newsletter", "linkedin")
        assert event.referrer_host is None
        assert event.visitor_hash == events[0].visitor_hash
    assert by_type["share_click"].data == {"path": "/test-journey/site", "share_target": "whatsapp"}
    assert by_type["apply_start"].data == {"path": "/test-journey/site"}
    assert by_type["card_view"].job_id is not None
    assert by_type["card_view"].data == {"path": "/test-journey/job"}

    stored = page.evaluate("() => JSON.parse(sessionStorage.getItem('openround.firstTouch'))")
    assert stored == {
        "utm": {"source": "newsletter"},
        "ref": None,
        "share_channel": "linkedin",
        "embed_host": None,
        "referrer": None,
    }
    assert page.context.cookies() == []
    assert set_cookies == []
