# SPDX-License-Identifier: AGPL-3.0-or-later
"""Stage settings: admins rename, reorder, add, archive, restore and delete the pipeline's stages."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from app.core.extensions import db
from app.models import Application, AuditEvent, PipelineStage, Role
from app.pipeline.stages import stages_for
from tests.factories import make_application, make_job, make_organization, make_user
from tests.helpers import csrf_token, login, submit, text_of

STAGES = "/app/pipeline/stages"


@pytest.fixture
def organization(app):
    """An organization with an admin, a recruiter, a job and an application in "offer"."""
    with app.app_context():
        organization = make_organization(name="Aurora Robotics")
        make_user(organization, Role.ADMIN, email="ada@example.com")
        make_user(organization, Role.RECRUITER, email="rita@example.com")
        job = make_job(organization)
        application = make_application(job, stage="offer")
        other = make_organization(name="Rival")
        db.session.commit()
        return SimpleNamespace(
            id=organization.id, job_id=job.id, public_id=application.public_id, other_id=other.id
        )


@pytest.fixture
def admin(app, organization):
    client = app.test_client()
    login(client, "ada@example.com")
    return client


def keys(app, organization_id: int, include_archived: bool = False) -> list[str]:
    with app.app_context():
        return [stage.key for stage in stages_for(organization_id, include_archived=include_archived)]


def names(app, organization_id: int) -> dict[str, str]:
    with app.app_context():
        return {stage.key: stage.name for stage in stages_for(organization_id, include_archived=True)}


def post(client, path: str, data: dict | None = None):
    return submit(client, STAGES, data or {}, action=f"{STAGES}{path}")


def test_only_admins_open_the_stage_settings(app, organization, admin):
    page = admin.get(STAGES)
    assert page.status_code == 200
    assert "Interview invited" in text_of(page) and "Always last" in text_of(page)
    recruiter = app.test_client()
    login(recruiter, "rita@example.com")
    assert recruiter.get(STAGES).status_code == 403
    token = csrf_token(recruiter, "/app/")
    assert recruiter.post(f"{STAGES}/offer/archive", data={"csrf_token": token}).status_code == 403
    assert recruiter.post(STAGES, data={"csrf_token": token, "name": "Sneaky"}).status_code == 403
    assert "offer" in keys(app, organization.id) and len(keys(app, organization.id)) == 9


def test_rename_keeps_the_key_and_refuses_duplicates(app, organization, admin):
    response = post(admin, "/offer/rename", {"name": "  Proposta   economica "})
    assert response.status_code == 302
    assert names(app, organization.id)["offer"] == "Proposta economica"
    assert keys(app, organization.id)[5] == "offer"

    duplicate = post(admin, "/hired/rename", {"name": "proposta ECONOMICA"})
    page = text_of(duplicate)
    assert duplicate.status_code == 400
    assert "There is already a stage called “proposta ECONOMICA”." in page
    assert 'value="proposta ECONOMICA"' in page  # the typed name is kept
    assert names(app, organization.id)["hired"] == "Hired"

    empty = post(admin, "/hired/rename", {"name": "   "})
    assert empty.status_code == 400 and "This field is required." in text_of(empty)
    unknown = post(admin, "/nowhere/rename", {"name": "Somewhere"})
    assert unknown.status_code == 404

    # Renaming back to the built-in name keeps following the page's language.
    post(admin, "/offer/rename", {"name": "Offer"})
    with app.app_context():
        row = db.session.scalar(
            db.select(PipelineStage).where(
                PipelineStage.organization_id == organization.id, PipelineStage.key == "offer"
            )
        )
        assert row.name == ""


def test_a_custom_stage_is_added_before_the_end_stages_and_can_take_applications(app, organization, admin):
    response = post(admin, "", {"name": "Technical task"})
    assert response.status_code == 302
    order = keys(app, organization.id)
    assert order[-4:] == ["technical_task", "hired", "rejected", "withdrawn"]
    assert names(app, organization.id)["technical_task"] == "Technical task"
    assert "Stage “Technical task” added." in text_of(admin.get(STAGES))

    again = post(admin, "", {"name": "Technical Task"})
    assert again.status_code == 400 and "There is already a stage called" in text_of(again)
    post(admin, "", {"name": "New!"})  # a name whose natural key is taken gets another key
    assert "new_2" in keys(app, organization.id)

    board = admin.get(f"/app/pipeline/jobs/{organization.job_id}")
    assert 'id="column-technical_task"' in text_of(board)
    moved = submit(
        admin,
        f"/app/pipeline/jobs/{organization.job_id}",
        {"stage": "technical_task"},
        action=f"/app/pipeline/applications/{organization.public_id}/move",
    )
    assert moved.status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(Application.stage)) == "technical_task"


def test_open_stages_move_up_and_down_but_end_stages_stay_last(app, organization, admin):
    assert post(admin, "/shortlisted/move", {"offset": -1}).status_code == 302
    assert keys(app, organization.id)[:4] == [
        "new",
        "interview_invited",
        "shortlisted",
        "interview_completed",
    ]
    assert post(admin, "/new/move", {"offset": 1}).status_code == 302
    assert keys(app, organization.id)[:2] == ["interview_invited", "new"]

    first = post(admin, "/interview_invited/move", {"offset": -1})
    assert first.status_code == 400 and "This stage is already first." in text_of(first)
    last = post(admin, "/offer/move", {"offset": 1})
    assert last.status_code == 400 and "This stage is already last." in text_of(last)
    end = post(admin, "/hired/move", {"offset": -1})
    assert end.status_code == 400 and "End stages stay at the end of the pipeline." in text_of(end)
    too_far = post(admin, "/offer/move", {"offset": 5})
    assert too_far.status_code == 400
    assert keys(app, organization.id)[-3:] == ["hired", "rejected", "withdrawn"]


def test_archiving_keeps_applications_and_stops_new_ones(app, organization, admin):
    assert post(admin, "/offer/archive").status_code == 302
    assert "offer" not in keys(app, organization.id)
    assert "offer" in keys(app, organization.id, include_archived=True)
    settings_page = text_of(admin.get(STAGES))
    assert "Archived" in settings_page and "Restore" in settings_page

    board = text_of(admin.get(f"/app/pipeline/jobs/{organization.job_id}"))
    column = board.split('id="column-offer"', 1)[1].split("</section>", 1)[0]
    assert "archived" in column and "pipeline-card" in column  # the application stays visible
    assert '<option value="offer"' not in board  # but nothing can be moved into it
    refused = submit(
        admin,
        f"/app/pipeline/jobs/{organization.job_id}",
        {"stage": "offer"},
        action=f"/app/pipeline/applications/{organization.public_id}/move",
    )
    assert refused.status_code == 400 and "is archived and takes no new applications" in text_of(refused)
    with app.app_context():
        assert db.session.scalar(db.select(Application.stage)) == "offer"

    again = post(admin, "/offer/archive")
    assert again.status_code == 409 and "already archived" in text_of(again)
    assert post(admin, "/offer/restore").status_code == 302
    assert "offer" in keys(app, organization.id)
    assert post(admin, "/offer/restore").status_code == 409


def test_archiving_refuses_end_stages_the_arrival_stage_and_the_last_open_stage(app, organization, admin):
    end = post(admin, "/rejected/archive")
    assert (
        end.status_code == 400
        and "End stages (hired, rejected, withdrawn) cannot be archived." in text_of(end)
    )
    arrival = post(admin, "/new/archive")
    assert arrival.status_code == 400 and "New applications arrive in this stage" in text_of(arrival)
    for key in ("interview_invited", "interview_completed", "shortlisted", "manager_review", "offer"):
        assert post(admin, f"/{key}/archive").status_code == 302
    last = post(admin, "/new/archive")
    assert last.status_code == 400 and "Keep at least one open stage: this is the last one." in text_of(last)
    assert keys(app, organization.id) == ["new", "hired", "rejected", "withdrawn"]


def test_only_unused_custom_stages_can_be_deleted(app, organization, admin):
    post(admin, "", {"name": "Coffee chat"})
    post(admin, "", {"name": "Assessment"})
    submit(
        admin,
        f"/app/pipeline/jobs/{organization.job_id}",
        {"stage": "assessment"},
        action=f"/app/pipeline/applications/{organization.public_id}/move",
    )
    submit(
        admin,
        f"/app/pipeline/jobs/{organization.job_id}",
        {"stage": "offer"},
        action=f"/app/pipeline/applications/{organization.public_id}/move",
    )
    used = post(admin, "/assessment/delete")
    assert used.status_code == 409 and "archive it instead" in text_of(used)
    built_in = post(admin, "/offer/delete")
    assert built_in.status_code == 400 and "Built-in stages cannot be deleted" in text_of(built_in)
    assert post(admin, "/coffee_chat/delete").status_code == 302
    assert "coffee_chat" not in keys(app, organization.id, include_archived=True)
    positions = []
    with app.app_context():
        positions = list(
            db.session.scalars(
                db.select(PipelineStage.position)
                .where(PipelineStage.organization_id == organization.id)
                .order_by(PipelineStage.position)
            )
        )
    assert positions == list(range(len(positions)))


def test_settings_are_per_organization_and_audited(app, organization, admin):
    post(admin, "/offer/rename", {"name": "Proposal"})
    post(admin, "", {"name": "Coffee chat"})
    post(admin, "/coffee_chat/archive")
    assert names(app, organization.other_id)["offer"] == "Offer"
    assert "coffee_chat" not in keys(app, organization.other_id, include_archived=True)
    with app.app_context():
        actions = list(
            db.session.scalars(
                db.select(AuditEvent.action)
                .where(AuditEvent.organization_id == organization.id)
                .order_by(AuditEvent.id)
            )
        )
    assert actions[-3:] == ["pipeline.stage_renamed", "pipeline.stage_added", "pipeline.stage_archived"]
