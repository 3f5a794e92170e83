# SPDX-License-Identifier: AGPL-3.0-or-later
"""The feedback demo data: default templates, a rejected candidate with feedback, one waiting too long."""

from __future__ import annotations

from app.core.extensions import db
from app.feedback.demo import seed_demo_feedback
from app.feedback.promise import waiting_for
from app.models import Application, CandidateMessage, MessageTemplate, Role
from tests.factories import make_job, make_organization, make_user


def test_seed_demo_feedback_builds_the_story_once(app):
    with app.app_context():
        organization = make_organization()
        make_user(organization, Role.ADMIN)
        recruiter = make_user(organization, Role.RECRUITER, name="Rita Recruiter")
        make_job(organization)
        seed_demo_feedback(organization)
        db.session.commit()

        message = db.session.scalar(db.select(CandidateMessage))
        assert message.stage_key == "rejected" and message.sender_id == recruiter.id
        assert message.feedback["strengths"] and message.feedback["growth"]
        assert message.application.candidate.name == "Priya Natarajan"
        assert message.application.stage == "rejected"
        summary = waiting_for(recruiter)
        assert [item.application.candidate.name for item in summary.items] == ["Tomás Herrera"]
        assert summary.items[0].days_waiting == 14

        counts = (
            db.session.scalar(db.select(db.func.count(MessageTemplate.id))),
            db.session.scalar(db.select(db.func.count(Application.id))),
            db.session.scalar(db.select(db.func.count(CandidateMessage.id))),
        )
        seed_demo_feedback(organization)
        db.session.commit()
        assert counts[0] > 0
        assert counts == (
            db.session.scalar(db.select(db.func.count(MessageTemplate.id))),
            db.session.scalar(db.select(db.func.count(Application.id))),
            db.session.scalar(db.select(db.func.count(CandidateMessage.id))),
        )


def test_seed_demo_feedback_without_staff_or_jobs_only_adds_templates(app):
    with app.app_context():
        organization = make_organization()
        seed_demo_feedback(organization)
        db.session.commit()
        assert db.session.scalar(db.select(db.func.count(MessageTemplate.id))) > 0
        assert db.session.scalar(db.select(db.func.count(Application.id))) == 0
