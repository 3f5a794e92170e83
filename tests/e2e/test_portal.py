# SPDX-License-Identifier: AGPL-3.0-or-later
"""The acceptance test of applying and the portal, in real Chromium with a real SMTP server.

Apply with a CV from the job card, take the portal link from the confirmation that arrives over
SMTP, see the application, download the data (the zip holds the CV), delete it all.
"""

from __future__ import annotations

import json
import re
import zipfile

import pytest

from app.core.extensions import db
from app.models import Application, Candidate, CandidateAccessToken, CandidateSession, DataExport
from tests.factories import make_organization
from tests.test_applications import stored_files
from tests.test_careers_site import make_job
from tests.test_uploads import minimal_pdf

pytestmark = pytest.mark.e2e

CV = minimal_pdf("Grace Hopper, compiler pioneer")


@pytest.fixture
def app_environ(app_environ, smtp_server):
    """Mail goes to the loopback SMTP server instead of the outbox folder."""
    app_environ["SMTP_URL"] = smtp_server.url
    return app_environ


def portal_path(message) -> str:
    """The path of the portal link in a received message's text part."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    match = re.search(r"https?://[^/\s]+(/portal/enter/[A-Za-z0-9_-]+)", text)
    assert match, text
    return match.group(1)


def test_apply_then_follow_download_and_delete_from_the_portal(app, live_server, page, smtp_server, tmp_path):
    with app.app_context():
        organization = make_organization(name="Aurora Robotics")
        job = make_job(organization, "Robotics Engineer")
        org_slug = organization.slug
        job_path = f"/careers/{org_slug}/jobs/{job.slug}"
        db.session.commit()
    cv = tmp_path / "Grace Hopper CV.pdf"
    cv.write_bytes(CV)

    page.goto(f"{live_server.url}{job_path}")
    page.get_by_role("link", name="Apply now").first.click()
    page.wait_for_url(f"{live_server.url}{job_path}/apply*")
    page.get_by_label("Full name").fill("Grace Hopper")
    page.get_by_label("E-mail").fill("grace@example.com")
    page.get_by_label("CV (PDF, DOCX or ODT, at most 10 MB)").set_input_files(str(cv))
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Send application").click()
    page.wait_for_url(f"{live_server.url}{job_path}/apply/thanks")

    [received] = smtp_server.wait_for(1)
    assert received.rcpt_tos == ["grace@example.com"]
    page.goto(f"{live_server.url}{portal_path(received.message)}")
    # Opening the link spends nothing (mail scanners open links too); the button does.
    page.get_by_role("button", name="Open my page").click()
    page.wait_for_url(f"{live_server.url}/portal/")  # the token does not stay in the address bar
    assert "Robotics Engineer" in page.locator("main").inner_text()
    assert "We received your application on" in page.locator(".portal-timeline").inner_text()

    page.get_by_role("button", name="Download my data").click()
    page.wait_for_url(f"{live_server.url}/portal/export/ready")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download my data").click()
    zip_path = tmp_path / "export.zip"
    download_info.value.save_as(zip_path)
    with zipfile.ZipFile(zip_path) as archive:
        [cv_name] = [name for name in archive.namelist() if name.startswith("cv/")]
        assert archive.read(cv_name) == CV
        data = json.loads(archive.read("data.json"))
    assert data["candidate"]["email"] == "grace@example.com"
    assert data["applications"][0]["job"]["title"] == "Robotics Engineer"
    assert len(stored_files(app)) == 2  # the CV and the zip

    page.get_by_role("link", name="Back to your applications").click()
    page.get_by_role("link", name="Delete my data").click()
    page.get_by_label("Type DELETE to confirm").fill("DELETE")
    page.get_by_role("button", name="Delete all my data").click()
    page.wait_for_url(f"{live_server.url}/portal/goodbye?org={org_slug}")
    assert "Your data was deleted" in page.get_by_role("heading", level=1).inner_text()

    with app.app_context():
        for model in (Candidate, Application, CandidateAccessToken, CandidateSession, DataExport):
            assert db.session.scalar(db.select(db.func.count()).select_from(model)) == 0, model
    assert stored_files(app) == []
    page.goto(f"{live_server.url}/portal/")
    page.wait_for_url(f"{live_server.url}/portal/link")
