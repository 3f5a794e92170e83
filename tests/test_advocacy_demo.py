# SPDX-License-Identifier: AGPL-3.0-or-later
"""The advocacy demo data: built through the services, and safe to seed twice."""

from __future__ import annotations

from app.advocacy.demo import seed_demo_advocacy
from app.advocacy.points import ambassador_stats, organization_ambassadors
from app.advocacy.reports import build_report
from app.core.extensions import db
from app.models import Application, Referral, ReferralStatus, ShareClick
from tests.factories import make_organization
from tests.test_applications import make_job


def test_the_demo_has_ambassadors_referrals_and_a_hire_and_can_be_seeded_twice(app):
    with app.app_context():
        organization = make_organization(name="Demo Robotics")
        make_job(organization, "Robot Whisperer")
        make_job(organization, "Gear Poet")
        seed_demo_advocacy(organization)
        db.session.commit()
        counts = (
            db.session.scalar(db.select(db.func.count(ShareClick.id))),
            db.session.scalar(db.select(db.func.count(Referral.id))),
            db.session.scalar(db.select(db.func.count(Application.id))),
        )
        seed_demo_advocacy(organization)
        db.session.commit()
        assert counts == (
            db.session.scalar(db.select(db.func.count(ShareClick.id))),
            db.session.scalar(db.select(db.func.count(Referral.id))),
            db.session.scalar(db.select(db.func.count(Application.id))),
        )
        statuses = sorted(db.session.scalars(db.select(Referral.status)))
        assert statuses == [ReferralStatus.CONFIRMED, ReferralStatus.PENDING]
        ambassadors = organization_ambassadors(organization.id)
        stats = ambassador_stats(organization.id, ambassadors)
        assert len(ambassadors) == 3 and all(item.points > 0 for item in stats.values())
        assert sum(item.hires for item in stats.values()) == 1
        assert sum(item.unique_clicks for item in stats.values()) > 0
        report = build_report(organization.id, "all")
        assert sum(row.hires_last for row in report.by_job) == 1
