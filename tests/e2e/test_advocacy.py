# SPDX-License-Identifier: AGPL-3.0-or-later
"""Acceptance: an employee's copied link brings a visitor who applies and is hired; the home shows it all."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from app.core.extensions import db
from app.models import Application, JourneyEvent, Role
from tests.factories import PASSWORD, make_organization, make_user
from tests.test_applications import make_job
from tests.test_uploads import minimal_pdf

pytestmark = pytest.mark.e2e


def sign_in(page, live_server, email: str) -> None:
    """Sign in through the login form."""
    page.goto(f"{live_server.url}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/app/")


def wait_for(app, query, timeout: float = 10.0):
    """The first row of ``query`` once it exists (beacons arrive asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        with app.app_context():
            row = db.session.scalar(query)
            if row is not None:
                db.session.expunge(row)
                return row
        if time.monotonic() > deadline:
            raise AssertionError("nothing arrived in time")
        time.sleep(0.1)


def test_a_copied_link_brings_an_application_and_a_hire_to_the_ambassadors_home(
    app, live_server, browser, page, tmp_path
):
    app.config["PUBLIC_URL"] = live_server.url  # the links employees copy point at this server
    with app.app_context():
        organization = make_organization(name="Aurora Robotics")
        make_user(organization, Role.EMPLOYEE, email="elena@example.com", name="Elena Employee")
        make_user(organization, Role.RECRUITER, email="rita@example.com", name="Rita Recruiter")
        job = make_job(organization, "Robot Whisperer")
        db.session.commit()
        job_id = job.id
    cv = tmp_path / "Grace CV.pdf"
    cv.write_bytes(minimal_pdf())

    # The employee copies their link for the job from their home.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    sign_in(page, live_server, "elena@example.com")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Share jobs").click()
    job_card = page.locator(f"#job-{job_id}")
    job_card.get_by_role("button", name="Copy link").click()
    expect(job_card.get_by_role("status")).to_have_text("Link copied.")
    link = page.evaluate("() => navigator.clipboard.readText()")
    assert link == job_card.get_by_label("Your link for Robot Whisperer").input_value()
    assert re.fullmatch(rf"{re.escape(live_server.url)}/r/[A-Za-z0-9_-]+", link)

    # A stranger opens it in a fresh browser, views the card and applies.
    visitor = browser.new_context(locale="en-US")
    visitor.set_default_timeout(15_000)
    try:
        candidate = visitor.new_page()
        candidate.goto(link)
        assert "ref=" in candidate.url and "s=copy" in candidate.url
        candidate.get_by_role("heading", name="Robot Whisperer").wait_for()
        candidate.get_by_role("link", name="Apply now").first.click()
        candidate.get_by_label("Full name").fill("Grace Hopper")
        candidate.get_by_label("E-mail").fill("grace@example.com")
        candidate.get_by_label("CV (PDF, DOCX or ODT, at most 10 MB)").set_input_files(str(cv))
        candidate.get_by_label("I have read the privacy notice").check()
        candidate.get_by_role("button", name="Send application").click()
        candidate.wait_for_url(re.compile(r".*/apply/thanks$"))
    finally:
        visitor.close()

    view = wait_for(app, db.select(JourneyEvent).where(JourneyEvent.type == "card_view"))
    with app.app_context():
        application = db.session.scalar(db.select(Application))
        code = application.ambassador_code
        assert (application.channel, application.share_channel) == ("ambassador", "copy")
        assert application.first_touch["ambassador_code"] == code
        public_id = application.public_id
    assert (view.channel, view.ambassador_code) == ("ambassador", code)

    # A recruiter hires the candidate on the pipeline board.
    recruiter = browser.new_context(locale="en-US")
    recruiter.set_default_timeout(15_000)
    try:
        board = recruiter.new_page()
        sign_in(board, live_server, "rita@example.com")
        board.goto(f"{live_server.url}/app/pipeline/jobs/{job_id}")
        move = board.locator(f"form[action$='/applications/{public_id}/move']")
        move.locator("select").select_option("hired")
        move.get_by_role("button").click()
        expect(board.get_by_text("Grace Hopper moved to Hired.")).to_be_visible()
    finally:
        recruiter.close()
    with app.app_context():
        assert db.session.scalar(db.select(Application.stage)) == "hired"

    # The ambassador's home now shows the click, the application, the hire, the points and the rank.
    page.reload()
    figures = {
        name: page.locator(f'[data-figure="{name}"]').inner_text()
        for name in ("points", "shares", "clicks", "views", "applications", "hires")
    }
    assert figures == {
        "points": str(1 + 2 + 10 + 50),
        "shares": "1",
        "clicks": "1",
        "views": "1",
        "applications": "1",
        "hires": "1",
    }
    leader = page.locator("#leaderboard .leaderboard li").first
    expect(leader).to_contain_text("1.")
    expect(leader).to_contain_text("(you)")
    expect(leader).to_contain_text("63 points")
