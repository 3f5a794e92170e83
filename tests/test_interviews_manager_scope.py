# SPDX-License-Identifier: AGPL-3.0-or-later
"""Hiring managers see and change only the interviews of their own or shared jobs (issue 24, item 7).

A manager reaches a template that is the default interview of a job they manage or that had a
shortlist shared with them, or one their jobs' candidates were invited to: its questions,
prompt and welcome videos and scorecard. Any other template of the organization is refused
(403) and left unchanged; admins and recruiters still reach every template.
"""

from __future__ import annotations

import pytest

from app.core.extensions import db
from app.models import InterviewTemplate, Role
from app.models.review import ScorecardCriterion
from app.reviews.shortlists import create_shortlist, share_with_manager
from tests.factories import (
    make_application,
    make_invitation,
    make_job,
    make_organization,
    make_template,
    make_user,
)
from tests.helpers import csrf_token, login, text_of


@pytest.fixture
def teams(app):
    """Two hiring managers, each with their jobs' interviews, and an interview of nobody's job."""
    with app.app_context():
        organization = make_organization(name="Aurora")
        recruiter = make_user(organization, Role.RECRUITER, email="rita@example.com")
        marta = make_user(organization, Role.MANAGER, email="marta@example.com")
        mario = make_user(organization, Role.MANAGER, email="mario@example.com")
        managed = make_template(organization, name="Marta's default")
        invited = make_template(organization, name="Marta's invited")
        shared = make_template(organization, name="Mario's shared")
        other = make_template(organization, name="Nobody's", welcome_video_key="orgs/x/welcome-videos/a")
        db.session.add(ScorecardCriterion(template_id=other.id, name="Clarity", position=0))
        marta_job = make_job(
            organization, "Engineer", hiring_manager_id=marta.id, interview_template_id=managed.id
        )
        make_invitation(make_application(marta_job), invited)
        mario_job = make_job(organization, "Designer", interview_template_id=shared.id)
        shortlist = create_shortlist(recruiter, mario_job.id, "Finalists")
        share_with_manager(recruiter, shortlist.id, mario.id)
        make_job(organization, "Analyst", interview_template_id=other.id)
        db.session.commit()
        return {
            "managed": managed.id,
            "invited": invited.id,
            "shared": shared.id,
            "other": other.id,
            "other_question": other.questions[0].id,
        }


def snapshot(app, template_id: int) -> tuple:
    """What a change to a template would alter."""
    with app.app_context():
        template = db.session.get(InterviewTemplate, template_id)
        criteria = db.session.scalars(
            db.select(ScorecardCriterion.name).where(ScorecardCriterion.template_id == template_id)
        ).all()
        return (
            template.name,
            template.welcome_video_key,
            [(q.prompt_text, q.prompt_video_key) for q in template.questions],
            list(criteria),
        )


def test_a_manager_sees_only_the_interviews_of_their_jobs(app, client, teams):
    login(client, "marta@example.com")
    listing = text_of(client.get("/app/interviews/"))
    assert "Marta&#39;s default" in listing and "Marta&#39;s invited" in listing
    assert "Mario&#39;s shared" not in listing and "Nobody&#39;s" not in listing
    for mine in ("managed", "invited"):
        assert client.get(f"/app/interviews/{teams[mine]}").status_code == 200
        assert client.get(f"/app/reviews/templates/{teams[mine]}/scorecard").status_code == 200
    for theirs in ("shared", "other"):
        assert client.get(f"/app/interviews/{teams[theirs]}").status_code == 403
        assert client.get(f"/app/reviews/templates/{teams[theirs]}/scorecard").status_code == 403

    client.post("/logout", data={"csrf_token": csrf_token(client, "/app/")})
    login(client, "mario@example.com")
    assert client.get(f"/app/interviews/{teams['shared']}").status_code == 200
    assert client.get(f"/app/interviews/{teams['managed']}").status_code == 403

    client.post("/logout", data={"csrf_token": csrf_token(client, "/app/")})
    login(client, "rita@example.com")
    assert all(
        client.get(f"/app/interviews/{teams[name]}").status_code == 200
        for name in teams
        if name != "other_question"
    )


def test_a_manager_cannot_change_another_jobs_interview(app, client, teams):
    login(client, "marta@example.com")
    headers = {"X-CSRFToken": csrf_token(client, "/app/interviews/"), "Accept": "application/json"}
    before = snapshot(app, teams["other"])
    page = f"/app/interviews/{teams['other']}"
    question = f"{page}/questions/{teams['other_question']}"
    attempts = [
        (f"{question}/video/ticket", {"content_type": "video/webm"}),
        (f"{question}/video/confirm", {"key": "orgs/1/prompt-videos/2026/01/x"}),
        (f"{question}/video/delete", {}),
        (f"{page}/welcome-video/ticket", {"content_type": "video/webm"}),
        (f"{page}/welcome-video/confirm", {"key": "orgs/1/welcome-videos/2026/01/x"}),
        (f"{page}/welcome-video/delete", {}),
    ]
    for path, body in attempts:
        assert client.post(path, json=body, headers=headers).status_code == 403, path
    assert client.get(question).status_code == 403
    assert snapshot(app, teams["other"]) == before
