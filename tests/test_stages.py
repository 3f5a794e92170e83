# SPDX-License-Identifier: AGPL-3.0-or-later
"""Pipeline stages: defaults per organization, moving applications, automatic forward moves."""

from __future__ import annotations

import pytest

from app.core.errors import Conflict, Invalid
from app.core.extensions import db
from app.core.signals import stage_changed
from app.models import ApplicationStage, ApplicationStageChange, PipelineStage, Role, StageKind
from app.pipeline.stages import (
    advance_application,
    move_application,
    stage_label,
    stage_names,
    stages_for,
)
from tests.factories import make_application, make_job, make_organization, make_user


def test_a_new_organization_gets_the_default_stages_in_order(app):
    with app.app_context():
        organization = make_organization()
        keys = [stage.key for stage in stages_for(organization.id)]
        assert keys == [
            "new",
            "interview_invited",
            "interview_completed",
            "shortlisted",
            "manager_review",
            "offer",
            "hired",
            "rejected",
            "withdrawn",
        ]
        assert [stage.key for stage in stages_for(organization.id) if stage.is_end] == [
            "hired",
            "rejected",
            "withdrawn",
        ]
        assert stage_label(organization.id, "manager_review") == "Manager review"


def test_an_organization_can_rename_and_archive_its_stages(app):
    with app.app_context():
        organization = make_organization()
        row = db.session.scalar(
            db.select(PipelineStage).where(
                PipelineStage.organization_id == organization.id, PipelineStage.key == "offer"
            )
        )
        row.name = "Proposta"
        archived = db.session.scalar(
            db.select(PipelineStage).where(
                PipelineStage.organization_id == organization.id, PipelineStage.key == "manager_review"
            )
        )
        archived.archived = True
        db.session.flush()
        assert stage_names(organization.id)["offer"] == "Proposta"
        assert "manager_review" not in [stage.key for stage in stages_for(organization.id)]
        assert "manager_review" in stage_names(organization.id)  # old moves still read well
        application = make_application(make_job(organization))
        with pytest.raises(Invalid):
            move_application(application, "manager_review", None)


def test_moving_records_the_change_closes_at_an_end_and_reopens(app):
    with app.app_context():
        organization = make_organization()
        recruiter = make_user(organization, Role.RECRUITER)
        application = make_application(make_job(organization))
        move_application(application, ApplicationStage.REJECTED, recruiter)
        assert application.stage == "rejected" and application.closed_at is not None
        with pytest.raises(Conflict):
            move_application(application, ApplicationStage.REJECTED, recruiter)
        move_application(application, ApplicationStage.SHORTLISTED, recruiter)
        assert application.closed_at is None
        changes = db.session.scalars(
            db.select(ApplicationStageChange).order_by(ApplicationStageChange.id)
        ).all()
        assert [(c.from_stage, c.to_stage, c.actor_user_id) for c in changes] == [
            ("new", "rejected", recruiter.id),
            ("rejected", "shortlisted", recruiter.id),
        ]
        with pytest.raises(Invalid):
            move_application(application, "no_such_stage", recruiter)


def test_automatic_moves_only_go_forward_and_never_reopen(app):
    with app.app_context():
        organization = make_organization()
        application = make_application(make_job(organization))
        assert advance_application(application, ApplicationStage.INTERVIEW_INVITED, None) is not None
        assert application.stage == "interview_invited"
        move_application(application, ApplicationStage.SHORTLISTED, None)
        assert advance_application(application, ApplicationStage.INTERVIEW_COMPLETED, None) is None
        assert application.stage == "shortlisted"
        move_application(application, ApplicationStage.REJECTED, None)
        assert advance_application(application, ApplicationStage.OFFER, None) is None
        assert application.stage == "rejected"


def test_listeners_hear_every_move(app):
    heard: list[tuple[str | None, str]] = []

    def listener(application, *, from_key, to_key, actor):
        heard.append((from_key, to_key))

    with stage_changed.connected_to(listener), app.app_context():
        application = make_application(make_job(make_organization()))
        move_application(application, ApplicationStage.HIRED, None)
    assert heard == [("new", "hired")]
    assert StageKind.HIRED.is_end and not StageKind.OPEN.is_end


def test_archived_stages_take_no_moves_and_automatic_moves_skip_them(app):
    with app.app_context():
        organization = make_organization()
        row = db.session.scalar(
            db.select(PipelineStage).where(
                PipelineStage.organization_id == organization.id, PipelineStage.key == "interview_invited"
            )
        )
        row.archived = True
        application = make_application(make_job(organization))
        with pytest.raises(Invalid, match="archived"):
            move_application(application, "interview_invited", None)
        assert advance_application(application, ApplicationStage.INTERVIEW_INVITED, None) is None
        assert application.stage == "new"
