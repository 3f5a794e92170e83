# SPDX-License-Identifier: AGPL-3.0-or-later
"""A candidate applies in real Chromium: form, PDF upload with progress, thank-you page, confirmation."""

from __future__ import annotations

import json

import pytest

from app.core.extensions import db
from app.models import Application
from tests.helpers import sent_mail
from tests.test_applications import published_job
from tests.test_uploads import minimal_pdf

pytestmark = pytest.mark.e2e


def test_a_candidate_applies_with_a_pdf(app, live_server, page, tmp_path):
    path, _ = published_job(app)
    cv = tmp_path / "Grace Hopper CV.pdf"
    cv.write_bytes(minimal_pdf())
    first_touch = {"channel": "ambassador", "ambassador_code": "amb-9", "utm_source": "linkedin"}

    page.goto(f"{live_server.url}{path}")
    page.evaluate("touch => sessionStorage.setItem('openround.firstTouch', touch)", json.dumps(first_touch))
    page.reload()

    # Sent without consent first: the form comes back with a summary and keeps what was typed.
    page.get_by_label("Full name").fill("Grace Hopper")
    page.get_by_label("E-mail").fill("grace@example.com")
    page.get_by_label("CV (PDF, DOCX or ODT, at most 10 MB)").set_input_files(str(cv))
    page.evaluate("window.stillThisPage = true")
    page.get_by_role("button", name="Send application").click()
    summary = page.locator("#error-summary")
    summary.wait_for()
    assert page.evaluate("window.stillThisPage === true")  # sent by XHR, the answer swapped in place
    assert "Agree to the privacy notice" in summary.inner_text()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.get_by_label("Full name").input_value() == "Grace Hopper"
    assert "choose the file again" in page.locator("#cv-hint").inner_text()

    summary.get_by_role("link").click()
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_label("CV (PDF, DOCX or ODT, at most 10 MB)").set_input_files(str(cv))
    page.get_by_role("button", name="Send application").click()
    page.wait_for_url(f"{live_server.url}{path}/thanks")
    assert "Thank you, your application is on its way" in page.get_by_role("heading", level=1).inner_text()

    with app.app_context():
        application = db.session.scalar(db.select(Application))
        assert application.candidate.email == "grace@example.com"
        assert application.cv_filename == "Grace Hopper CV.pdf"
        assert (application.channel, application.ambassador_code, application.utm_source) == (
            "ambassador",
            "amb-9",
            "linkedin",
        )
    [message] = sent_mail(app)
    assert message.to == "grace@example.com" and "Robot Whisperer" in message.subject


def test_the_form_works_without_javascript(app, live_server, browser, tmp_path):
    path, _ = published_job(app)
    cv = tmp_path / "cv.pdf"
    cv.write_bytes(minimal_pdf())
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}{path}?utm_source=newsletter")
        page.get_by_label("Full name").fill("Alan Turing")
        page.get_by_label("E-mail").fill("alan@example.com")
        page.get_by_label("CV (PDF, DOCX or ODT, at most 10 MB)").set_input_files(str(cv))
        page.get_by_label("I have read the privacy notice").check()
        page.get_by_role("button", name="Send application").click()
        page.wait_for_url(f"{live_server.url}{path}/thanks")
    finally:
        context.close()
    with app.app_context():
        assert db.session.scalar(db.select(Application.utm_source)) == "newsletter"
