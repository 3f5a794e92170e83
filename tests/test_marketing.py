# SPDX-License-Identifier: AGPL-3.0-or-later
"""The embed snippet builder for admins and recruiters: options in, exact snippets out, live preview."""

from __future__ import annotations

import html
import re

import pytest

from app.core.extensions import db
from app.models import JobStatus, Role
from tests.factories import make_organization, make_user
from tests.helpers import login, text_of
from tests.test_public_api import make_job

PAGE = "/app/marketing/embed"


def textarea(page: str, element_id: str) -> str:
    """The text a person sees in a textarea of the page."""
    match = re.search(rf'<textarea id="{element_id}"[^>]*>(.*?)</textarea>', page, re.S)
    assert match, element_id
    return html.unescape(match.group(1))


def seed(app, role: Role = Role.RECRUITER) -> dict[str, str]:
    """An organization with open jobs in two teams and countries, a draft, and a signed-up colleague."""
    with app.app_context():
        organization = make_organization(name="Aurora Robotics", slug="aurora")
        make_user(organization, role, email="colleague@example.com")
        engineer = make_job(organization, "Robotics Engineer", team="Engineering")
        designer = make_job(organization, "Designer", team="Design", locations=(("Berlin", "DE"),))
        draft = make_job(
            organization, "Secret Draft", team="Stealth", status=JobStatus.DRAFT, locations=(("Paris", "FR"),)
        )
        make_job(make_organization(slug="other-org"), "Other Org Role", team="Elsewhere")
        db.session.commit()
        return {"engineer": engineer.slug, "designer": designer.slug, "draft": draft.slug}


@pytest.mark.parametrize("role", [Role.MANAGER, Role.EMPLOYEE])
def test_managers_and_employees_may_not_use_it(app, client, role):
    seed(app, role)
    login(client, "colleague@example.com")
    assert client.get(PAGE).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(app, client):
    seed(app)
    response = client.get(PAGE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", [Role.ADMIN, Role.RECRUITER])
def test_default_snippets_point_at_the_public_address(app, client, role):
    seed(app, role)
    login(client, "colleague@example.com")
    response = client.get(PAGE)
    assert response.status_code == 200
    page = text_of(response)
    assert textarea(page, "script-snippet") == (
        '<div data-openround-jobs="aurora"></div>\n<script src="http://localhost/embed/v1/jobs.js" async></script>'
    )
    assert textarea(page, "frame-snippet") == (
        '<iframe src="http://localhost/embed/v1/frame/aurora" title="Jobs at Aurora Robotics" loading="lazy"'
        ' style="width:100%;border:0" id="openround-jobs-frame"></iframe>\n'
        '<script src="http://localhost/embed/v1/frame-resizer.js" async></script>'
    )
    assert "readonly" in page and 'data-copy="script-snippet"' in page


def test_options_offer_open_jobs_only_and_are_reflected_in_the_snippets(app, client):
    slugs = seed(app)
    login(client, "colleague@example.com")
    page = text_of(client.get(PAGE))
    assert '<option value="Engineering">' in page and '<option value="Design">' in page
    assert '<option value="DE">Germany</option>' in page and '<option value="IT">Italy</option>' in page
    assert f'<option value="{slugs["engineer"]}">Robotics Engineer</option>' in page
    for hidden in ("Stealth", "Secret Draft", '"FR"', "Elsewhere", "Other Org Role"):
        assert hidden not in page

    response = client.get(f"{PAGE}?team=Engineering&location=IT&lang=it&layout=grid&job=")
    assert response.status_code == 200
    page = text_of(response)
    assert textarea(page, "script-snippet") == (
        '<div data-openround-jobs="aurora" data-team="Engineering" data-location="IT" data-lang="it"'
        ' data-layout="grid"></div>\n<script src="http://localhost/embed/v1/jobs.js" async></script>'
    )
    assert (
        'src="http://localhost/embed/v1/frame/aurora?team=Engineering&amp;location=IT&amp;lang=it&amp;layout=grid"'
        in textarea(page, "frame-snippet")
    )
    # the live preview renders the same options without counting views
    assert re.search(
        r'<div id="embed-preview" data-openround-jobs="aurora" data-track="off" data-team="Engineering"'
        r' data-location="IT" data-lang="it" data-layout="grid"></div>',
        page,
    )
    assert 'src="/embed/v1/frame/aurora?team=Engineering&amp;location=IT&amp;lang=it&amp;layout=grid"' in page

    single = text_of(client.get(f"{PAGE}?job={slugs['designer']}"))
    assert f'data-job="{slugs["designer"]}"' in textarea(single, "script-snippet")


def test_the_preview_loads_the_real_loader_under_the_page_nonce(app, client):
    seed(app)
    login(client, "colleague@example.com")
    response = client.get(PAGE)
    nonce = re.search(
        r"script-src 'self' 'nonce-([^']+)'", response.headers["Content-Security-Policy"]
    ).group(1)
    page = text_of(response)
    assert f'<script src="/embed/v1/jobs.js" async nonce="{nonce}"></script>' in page
    assert f'<script src="/embed/v1/frame-resizer.js" async nonce="{nonce}"></script>' in page
    assert f'<script src="/static/js/marketing.js" nonce="{nonce}"></script>' in page


def test_options_that_are_not_offered_are_refused_next_to_the_field(app, client):
    slugs = seed(app)
    login(client, "colleague@example.com")
    response = client.get(f"{PAGE}?team=Stealth&job={slugs['draft']}&layout=grid")
    assert response.status_code == 400
    page = text_of(response)
    assert 'id="team-error"' in page and 'id="job-error"' in page
    assert textarea(page, "script-snippet").startswith('<div data-openround-jobs="aurora"></div>')
    assert '<option selected value="grid">' in page  # what was chosen stays chosen
