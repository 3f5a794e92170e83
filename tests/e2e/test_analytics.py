# SPDX-License-Identifier: AGPL-3.0-or-later
"""An open analytics dashboard in real Chromium sees an application sent elsewhere, without a reload."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.core.extensions import db
from app.models import Role
from tests.factories import PASSWORD, make_job, make_organization, make_user
from tests.test_uploads import minimal_pdf

pytestmark = pytest.mark.e2e

FUNNEL_ROWS = 'table[data-table="funnel"] tbody tr'
LIVE = '#analytics[data-version]:not([data-version=""])'
APPLIED_IN_CHART = "() => Chart.getChart(document.querySelector('canvas[data-chart-for=\"funnel\"]')).data.datasets[0].data[2]"


def test_an_open_dashboard_shows_a_new_application_within_five_seconds(
    app, live_server, browser, page, tmp_path
):
    with app.app_context():
        organization = make_organization(name="Aurora Robotics")
        make_user(organization, Role.RECRUITER, email="rita@example.com", name="Rita Recruiter")
        job = make_job(organization, "Robotics engineer")
        db.session.commit()
        apply_url = f"{live_server.url}/careers/{organization.slug}/jobs/{job.slug}/apply"
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

    page.get_by_role("link", name="Analytics").click()
    page.wait_for_selector(LIVE, state="attached")  # the first poll has drawn the charts
    applied = page.locator(FUNNEL_ROWS).nth(2)
    expect(applied.locator("th")).to_have_text("Applied")
    expect(applied.locator("td").first).to_have_text("0")
    assert page.evaluate(APPLIED_IN_CHART) == 0
    page.evaluate("() => { window.sameDocument = true; }")

    # A candidate applies through the real form, in another browser context.
    cv = tmp_path / "cv.pdf"
    cv.write_bytes(minimal_pdf())
    candidate = browser.new_context(java_script_enabled=False)
    try:
        form = candidate.new_page()
        form.goto(apply_url)
        form.get_by_label("Full name").fill("Alan Turing")
        form.get_by_label("E-mail").fill("alan@example.com")
        form.get_by_label("CV (PDF, DOCX or ODT, at most 10 MB)").set_input_files(str(cv))
        form.get_by_label("I have read the privacy notice").check()
        form.get_by_role("button", name="Send application").click()
        form.wait_for_url(f"{apply_url}/thanks")
    finally:
        candidate.close()

    expect(applied.locator("td").first).to_have_text("1", timeout=5_000)
    assert page.evaluate(APPLIED_IN_CHART) == 1
    assert page.evaluate("() => window.sameDocument === true")  # no reload happened
    assert errors == []
