# SPDX-License-Identifier: AGPL-3.0-or-later
"""A recruiter writes a job in real Chromium, adds a location row with the button, and publishes it."""

from __future__ import annotations

import os
import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from app.core.extensions import db
from app.models import Job, JobStatus, Role
from tests.factories import PASSWORD, make_organization, make_user

pytestmark = pytest.mark.e2e


def test_recruiter_creates_and_publishes_a_job(app, live_server, page, tmp_path):
    with app.app_context():
        organization = make_organization(name="Aurora Robotics")
        make_user(organization, Role.RECRUITER, email="rita@example.com", name="Rita Recruiter")
        make_user(organization, Role.MANAGER, email="marta@example.com", name="Marta Manager")
        db.session.commit()
    # Script errors and CSP violations would show here (the missing favicon is not ours).
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and "Failed to load resource" not in message.text
            else None
        ),
    )

    page.goto(f"{live_server.url}/login")
    page.get_by_label("E-mail").fill("rita@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/app/")

    page.goto(f"{live_server.url}/app/jobs")
    page.get_by_role("link", name="New job").click()
    page.get_by_label("Title").fill("Robotics Engineer")
    page.get_by_label("Team").fill("Autonomy")
    page.get_by_label("Work model").select_option("hybrid")
    page.get_by_label("Hiring manager").select_option(label="Marta Manager")
    page.get_by_label("Valid through").fill((date.today() + timedelta(days=30)).isoformat())
    page.locator("#locations-0-city").fill("Milan")
    page.locator("#locations-0-country").select_option("IT")
    # The enhancement adds a fourth row beyond the three the server renders.
    page.get_by_role("button", name="Add another location").click()
    page.locator("#locations-3-city").fill("Turin")
    page.locator("#locations-3-country").select_option("IT")
    page.get_by_label("Time zones for remote work").fill("Europe/Rome")
    page.get_by_label("Description", exact=True).fill("We build **robots** with people.")
    page.locator("#faqs-0-question").fill("Is it remote?")
    page.locator("#faqs-0-answer").fill("Two days a week.")

    page.get_by_role("button", name="Preview").click()
    assert page.locator(".markdown-preview strong").first.inner_text() == "robots"
    page.get_by_role("button", name="Save").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Robotics Engineer")
    assert "Milan, IT · Turin, IT" in page.locator("dl.job-facts").inner_text()

    page.get_by_role("button", name="Publish Robotics Engineer").click()
    assert "is published" in page.locator(".flash").inner_text()
    if os.environ.get("POSTINGS_SCREENSHOTS"):
        page.screenshot(path=str(tmp_path / "show.png"), full_page=True)
    page.goto(f"{live_server.url}/app/jobs?status=published")
    assert page.get_by_role("link", name="Robotics Engineer", exact=True).is_visible()
    assert errors == []

    with app.app_context():
        job = db.session.scalar(db.select(Job))
        assert job.status == JobStatus.PUBLISHED
        assert [location.city for location in job.locations] == ["Milan", "Turin"]
        assert job.hiring_manager.name == "Marta Manager"


@pytest.fixture
def camera_page(browser):
    """A page in a Chromium that has a fake camera and microphone and grants access to them."""
    from tests.fixtures.browser import CHROMIUM, CHROMIUM_ARGS

    chromium = browser.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[*CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"],
    )
    context = chromium.new_context(locale="en-US")
    context.set_default_timeout(20_000)
    yield context.new_page()
    context.close()
    chromium.close()


def test_hiring_manager_records_a_pitch_video_in_the_browser(app, live_server, camera_page):
    page = camera_page
    with app.app_context():
        from app.postings.services import JobData, LocationData, create_job

        organization = make_organization(name="Aurora Robotics")
        recruiter = make_user(organization, Role.RECRUITER)
        manager = make_user(organization, Role.MANAGER, email="marta@example.com", name="Marta Manager")
        job = create_job(
            recruiter,
            JobData(
                title="Engineer", locations=[LocationData("Milan", "", "IT")], hiring_manager_id=manager.id
            ),
        )
        db.session.commit()
        job_id = job.id
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(f"{live_server.url}/login")
    page.get_by_label("E-mail").fill("marta@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/app/")
    page.goto(f"{live_server.url}/app/jobs/{job_id}")
    assert page.get_by_role("link", name="Edit").count() == 0  # read-only for the manager

    page.get_by_role("button", name="Turn on the camera").click()
    page.get_by_role("button", name="Start recording").click()
    expect(page.locator(".recorder-timer")).to_have_text(re.compile(r"^0:0[2-9] / 2:00$"))
    page.get_by_role("button", name="Stop recording").click()
    expect(page.locator(".recorder-status")).to_contain_text("Recorded")
    page.get_by_role("button", name="Use this recording").click()
    expect(page.locator(".recorder-status")).to_have_text("The pitch video was saved.", timeout=30_000)
    assert errors == []

    with app.app_context():
        from app.core.storage import get_storage

        stored = db.session.get(Job, job_id)
        assert stored.pitch_video_key and stored.pitch_video_key.startswith(
            f"orgs/{stored.organization_id}/pitch-videos/"
        )
        assert stored.pitch_video_content_type == "video/webm"
        assert get_storage().stat(stored.pitch_video_key).size > 1000
