# SPDX-License-Identifier: AGPL-3.0-or-later
"""Recruiters see a job's applications and each application, within their organization only."""

from __future__ import annotations

import pytest

from app.core.extensions import db
from app.models import Application, QuestionKind, Role
from tests.factories import make_organization, make_user
from tests.helpers import login, text_of
from tests.test_applications import apply_path, make_job, make_question, post_application
from tests.test_uploads import minimal_pdf


@pytest.fixture
def applied(app, client):
    """An organization with a recruiter, a manager of the job, another manager, an employee, and one application."""
    with app.app_context():
        organization = make_organization(name="Aurora Robotics")
        make_user(organization, Role.RECRUITER, email="rita@example.com")
        manager = make_user(organization, Role.MANAGER, email="manny@example.com")
        make_user(organization, Role.MANAGER, email="other-manager@example.com")
        make_user(organization, Role.EMPLOYEE, email="emma@example.com")
        make_user(make_organization(name="Rival"), Role.ADMIN, email="rival@example.com")
        job = make_job(organization, hiring_manager_id=manager.id)
        question = make_question(job, "Favourite robot?", required=True)
        path, job_id, question_id = apply_path(organization.slug, job.slug), job.id, question.id
        db.session.commit()
    response = post_application(
        client,
        f"{path}",
        utm_source="newsletter",
        utm_campaign="spring",
        channel="campaign",
        **{f"q_{question_id}": "R2-D2"},
    )
    assert response.status_code == 302
    with app.app_context():
        public_id = db.session.scalar(db.select(Application.public_id))
    return {"job_id": job_id, "public_id": public_id}


def test_the_recruiter_sees_the_list_and_the_application(app, applied):
    client = app.test_client()
    login(client, "rita@example.com")
    listing = client.get(f"/app/jobs/{applied['job_id']}/applications")
    page = text_of(listing)
    assert listing.status_code == 200
    assert "Ada Lovelace" in page and "New" in page and "Campaign" in page and "newsletter" in page
    assert f'href="/app/applications/{applied["public_id"]}"' in page

    detail = client.get(f"/app/applications/{applied['public_id']}")
    page = text_of(detail)
    assert detail.status_code == 200
    assert "ada@example.com" in page and "+39 02 1234 5678" in page and "Milan, Italy" in page
    assert "Favourite robot?" in page and "R2-D2" in page
    assert "spring" in page and "I like robots." in page

    preview = page.split('class="cv-preview" src="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    download = page.split('class="button" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    shown = client.get(preview)
    assert shown.status_code == 200 and shown.data == minimal_pdf()
    assert shown.headers["Content-Type"] == "application/pdf"
    assert shown.headers["Content-Disposition"].startswith("inline")
    saved = client.get(download)
    assert saved.headers["Content-Disposition"].startswith("attachment")
    assert saved.headers["X-Content-Type-Options"] == "nosniff"


def test_managers_see_applications_only_once_shared_with_them(app, applied):
    # Shortlists share applications with managers (tests/test_shortlists.py); being the
    # job's hiring manager is not enough on its own.
    for email, status in [
        ("manny@example.com", 403),
        ("other-manager@example.com", 403),
        ("emma@example.com", 404),
        ("rival@example.com", 404),
    ]:
        client = app.test_client()
        login(client, email)
        assert client.get(f"/app/jobs/{applied['job_id']}/applications").status_code == status, email
        assert client.get(f"/app/applications/{applied['public_id']}").status_code == status, email


def test_signed_out_visitors_are_sent_to_sign_in(app, applied):
    client = app.test_client()
    response = client.get(f"/app/applications/{applied['public_id']}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_unknown_ids_are_404(app, applied):
    client = app.test_client()
    login(client, "rita@example.com")
    assert client.get("/app/jobs/999999/applications").status_code == 404
    assert client.get("/app/applications/not-a-real-id").status_code == 404


def test_a_job_without_applications_says_so(app, client):
    with app.app_context():
        organization = make_organization()
        make_user(organization, Role.ADMIN, email="ada-admin@example.com")
        job = make_job(organization)
        make_question(job, "Unused", QuestionKind.NUMBER)
        job_id = job.id
        db.session.commit()
    login(client, "ada-admin@example.com")
    assert "No applications yet." in text_of(client.get(f"/app/jobs/{job_id}/applications"))
