# SPDX-License-Identifier: AGPL-3.0-or-later
"""The job card in real Chromium: keyboard, copy link, no third parties, and without JavaScript."""

from __future__ import annotations

import pytest

from app.core.extensions import db
from tests.factories import make_organization
from tests.test_careers_site import make_job

pytestmark = pytest.mark.e2e


@pytest.fixture
def job_path(app) -> str:
    """The path of a published job with closed sections and FAQ."""
    with app.app_context():
        organization = make_organization(name="Aurora Robotics", slug="aurora")
        job = make_job(
            organization,
            "Robotics Engineer",
            description_md="Build **friendly robots**.",
            requirements_md="Three years with ROS.",
            perks_md="Free espresso.",
            faqs=(("Is there a trial period?", "Yes, three months."),),
        )
        db.session.commit()
        return f"/careers/aurora/jobs/{job.slug}"


def test_job_card_with_keyboard_copy_link_and_no_third_parties(browser, live_server, job_path):
    context = browser.new_context(locale="en-US", permissions=["clipboard-read", "clipboard-write"])
    context.set_default_timeout(15_000)
    page = context.new_page()
    requests: list[str] = []
    problems: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    try:
        page.goto(f"{live_server.url}{job_path}")
        page.wait_for_load_state("networkidle")
        requirements = page.locator("#section-requirements")
        assert requirements.get_attribute("open") is None
        assert not page.get_by_text("Three years with ROS.").is_visible()

        # Tab through the page until the Requirements summary has focus, then press Enter.
        for _ in range(40):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.matches('#section-requirements > summary')"):
                break
        else:
            pytest.fail("the Requirements summary is not reachable with Tab")
        page.keyboard.press("Enter")
        assert requirements.get_attribute("open") == ""
        assert page.get_by_text("Three years with ROS.").is_visible()

        copy = page.get_by_role("button", name="Copy link")
        assert copy.is_visible()
        copy.click()
        status = page.locator("#copy-status")
        status.get_by_text("Link copied.").wait_for()
        assert status.get_attribute("aria-live") == "polite"
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == f"http://localhost{job_path}?s=copy"

        assert problems == []
        assert requests and all(url.startswith(live_server.url) for url in requests), requests
    finally:
        context.close()


def test_job_card_works_without_javascript(browser, live_server, job_path):
    context = browser.new_context(locale="en-US", java_script_enabled=False)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}{job_path}")
        assert page.get_by_role("heading", level=1).inner_text() == "Robotics Engineer"
        assert page.get_by_text("friendly robots").is_visible()  # the description starts open

        page.locator("#section-perks > summary").click()
        assert page.locator("#section-perks").get_attribute("open") == ""
        assert page.get_by_text("Free espresso.").is_visible()
        page.get_by_text("Is there a trial period?").click()
        assert page.get_by_text("Yes, three months.").is_visible()

        # The copy button needs JavaScript, so it stays hidden; the link is shown to copy by hand.
        assert not page.locator("#copy-link").is_visible()
        assert page.get_by_label("Link to this job").input_value() == f"http://localhost{job_path}?s=copy"
        apply = page.get_by_role("link", name="Apply now").first
        assert apply.get_attribute("href") == f"{job_path}/apply"
    finally:
        context.close()
