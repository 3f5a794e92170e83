# SPDX-License-Identifier: AGPL-3.0-or-later
"""The voice demo: cNPS answers over months, a closed pulse with results, an open pulse, two profiles."""

from __future__ import annotations

from app.core.extensions import db
from app.models import EmployeeProfile, Pulse, PulseResponse, Role, SurveyResponse, User
from app.voice.demo import seed_demo_voice
from app.voice.pulses import pulse_results, pulse_status
from app.voice.services import survey_results
from tests.factories import make_job, make_organization, make_user


def counts() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(db.select(db.func.count()).select_from(model))
        for model in (SurveyResponse, Pulse, PulseResponse, EmployeeProfile, User)
    )


def test_the_demo_is_realistic_and_idempotent(app):
    with app.app_context():
        organization = make_organization(name="Aurora Robotics (demo)")
        admin = make_user(organization, Role.ADMIN, email="admin@demo.example.com")
        make_user(organization, Role.EMPLOYEE, email="employee@demo.example.com", name="Elena Employee")
        make_user(organization, Role.MANAGER, email="manager@demo.example.com", name="Marta Manager")
        make_job(organization, title="Robotics Engineer")
        make_job(organization, title="Data Analyst")
        seed_demo_voice(organization)
        db.session.commit()
        first = counts()
        seed_demo_voice(organization)
        db.session.commit()
        assert counts() == first

        results = survey_results(admin)
        assert results.overall.shown and len(results.by_month) >= 4
        assert any(comment.text for comment in results.comments)
        pulses = db.session.scalars(db.select(Pulse).order_by(Pulse.opens_on)).all()
        assert [pulse_status(pulse) for pulse in pulses] == ["closed", "open"]
        closed = pulse_results(admin, pulses[0].id)
        assert closed.summary.shown and closed.summary.answers == closed.invited == 7
        assert not pulse_results(admin, pulses[1].id).summary.shown
        assert db.session.scalar(db.select(db.func.count()).select_from(EmployeeProfile)) == 2
