# SPDX-License-Identifier: AGPL-3.0-or-later
"""Scorecards on interview templates: ordered criteria with guidance, edited by recruiters."""

from __future__ import annotations

import pytest

from app.core.extensions import db
from app.models import AuditEvent, Role
from app.models.review import ScorecardCriterion
from tests.factories import make_job, make_organization, make_template, make_user
from tests.helpers import login, submit, text_of


@pytest.fixture
def setup(app) -> dict:
    with app.app_context():
        organization = make_organization()
        make_user(organization, Role.RECRUITER, email="rita@example.com")
        manager = make_user(organization, Role.MANAGER, email="marta@example.com")
        make_user(make_organization(), Role.ADMIN, email="stranger@example.com")
        template = make_template(organization)
        # The manager reads the scorecard of their own job's interview.
        make_job(organization, hiring_manager_id=manager.id, interview_template_id=template.id)
        db.session.commit()
        return {"path": f"/app/reviews/templates/{template.id}/scorecard", "template_id": template.id}


def signed_in(app, email: str):
    client = app.test_client()
    login(client, email)
    return client


def criteria(app) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.scalars(db.select(ScorecardCriterion).order_by(ScorecardCriterion.position))
        return [(row.name, row.guidance) for row in rows]


def test_recruiters_add_edit_reorder_and_remove_criteria(app, setup):
    rita = signed_in(app, "rita@example.com")
    path = setup["path"]
    for name in ("Communication", "Motivation", "Role fit"):
        assert submit(rita, path, {"name": name, "guidance": f"Listen for {name.lower()}"}).status_code == 302
    assert [name for name, _ in criteria(app)] == ["Communication", "Motivation", "Role fit"]
    page = text_of(rita.get(path))
    assert "Listen for motivation" in page

    with app.app_context():
        ids = {row.name: row.id for row in db.session.scalars(db.select(ScorecardCriterion))}
    submit(rita, path, {"offset": "-1"}, action=f"{path}/{ids['Role fit']}/move")
    assert [name for name, _ in criteria(app)] == ["Communication", "Role fit", "Motivation"]
    response = submit(rita, f"{path}/{ids['Motivation']}", {"name": "Drive", "guidance": "Why here, why now"})
    assert response.status_code == 302
    submit(rita, path, {}, action=f"{path}/{ids['Communication']}/delete")
    assert criteria(app) == [("Role fit", "Listen for role fit"), ("Drive", "Why here, why now")]
    with app.app_context():
        actions = set(db.session.scalars(db.select(AuditEvent.action)))
    assert {
        "scorecard.criterion_added",
        "scorecard.criterion_updated",
        "scorecard.criterion_removed",
    } <= actions


def test_a_criterion_needs_a_unique_name(app, setup):
    rita = signed_in(app, "rita@example.com")
    submit(rita, setup["path"], {"name": "Communication"})
    again = submit(rita, setup["path"], {"name": " communication ", "guidance": "kept guidance"})
    assert again.status_code == 400
    assert "already has a criterion with that name" in text_of(again) and "kept guidance" in text_of(again)
    assert submit(rita, setup["path"], {"name": ""}).status_code == 400
    assert len(criteria(app)) == 1


def test_managers_read_the_scorecard_but_cannot_change_it_and_other_organizations_cannot_see_it(app, setup):
    rita = signed_in(app, "rita@example.com")
    submit(rita, setup["path"], {"name": "Communication", "guidance": "Clear and concise"})
    marta = signed_in(app, "marta@example.com")
    page = marta.get(setup["path"])
    assert page.status_code == 200 and "Clear and concise" in text_of(page)
    assert "Add the criterion" not in text_of(page)
    token = text_of(page).split('name="csrf_token" value="')[1].split('"')[0]
    assert marta.post(setup["path"], data={"csrf_token": token, "name": "Sneaky"}).status_code == 403
    assert signed_in(app, "stranger@example.com").get(setup["path"]).status_code == 404


def test_the_interview_page_links_to_its_scorecard(app, setup):
    rita = signed_in(app, "rita@example.com")
    page = text_of(rita.get(f"/app/interviews/{setup['template_id']}"))
    assert setup["path"] in page
