# SPDX-License-Identifier: AGPL-3.0-or-later
"""`seed_demo_reviews` adds a scorecard, two submitted reviews and a shortlist shared with the manager, once."""

from __future__ import annotations

from app.core.extensions import db
from app.models import Organization, Role
from app.models.review import Review, ScorecardCriterion, Shortlist, ShortlistEntry, ShortlistShare
from app.reviews.demo import seed_demo_reviews
from tests.factories import (
    make_application,
    make_invitation,
    make_job,
    make_organization,
    make_template,
    make_user,
)
from tests.helpers import sent_mail

COUNTED = (ScorecardCriterion, Review, Shortlist, ShortlistEntry, ShortlistShare)


def counts() -> dict[str, int]:
    return {model.__name__: db.session.scalar(db.select(db.func.count(model.id))) for model in COUNTED}


def test_seed_demo_reviews_builds_the_demo_once(app):
    with app.app_context():
        organization = make_organization(slug="demo-like")
        for email, role in (
            ("admin@demo.example.com", Role.ADMIN),
            ("recruiter@demo.example.com", Role.RECRUITER),
            ("manager@demo.example.com", Role.MANAGER),
        ):
            make_user(organization, role, email=email, name=email.split("@")[0].title())
        template = make_template(
            organization,
            questions=[
                {"prompt_text": "Warm-up", "is_practice": True},
                {"prompt_text": "Why us?"},
                {"prompt_text": "A hard bug?"},
            ],
        )
        application = make_application(make_job(organization))
        make_invitation(application, template, answered=True)
        db.session.commit()

        seed_demo_reviews(db.session.get(Organization, organization.id))
        db.session.commit()
        first = counts()
        assert first == {
            "ScorecardCriterion": 3,
            "Review": 2,
            "Shortlist": 1,
            "ShortlistEntry": 1,
            "ShortlistShare": 1,
        }
        reviews = db.session.scalars(db.select(Review)).all()
        assert all(review.submitted_at and review.overall_rating for review in reviews)
        share = db.session.scalar(db.select(ShortlistShare))
        assert share.user.email == "manager@demo.example.com"

        seed_demo_reviews(db.session.get(Organization, organization.id))
        db.session.commit()
        assert counts() == first
    assert sum("manager@demo.example.com" in message.to for message in sent_mail(app)) == 1


def test_seed_demo_reviews_skips_an_organization_without_a_completed_interview(app):
    with app.app_context():
        organization = make_organization()
        make_user(organization, Role.RECRUITER, email="recruiter@demo.example.com")
        seed_demo_reviews(organization)
        assert counts() == dict.fromkeys((model.__name__ for model in COUNTED), 0)
