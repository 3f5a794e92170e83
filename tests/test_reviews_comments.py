# SPDX-License-Identifier: AGPL-3.0-or-later
"""Comments on an application: visible to staff who can see it; @mentions e-mail the colleagues named."""

from __future__ import annotations

import pytest

from app.core.extensions import db
from app.models import Organization, Role, User
from app.models.review import ReviewComment
from app.reviews.comments import find_mentions, mention_pattern
from tests.factories import make_application, make_job, make_organization, make_user
from tests.helpers import login, sent_mail, submit, text_of


@pytest.fixture
def team(app) -> dict:
    """Recruiters, an admin, an inactive colleague, a manager, a colleague elsewhere, and one application."""
    with app.app_context():
        organization = make_organization()
        author = make_user(organization, Role.RECRUITER, email="ada@example.com", name="Ada Lovelace")
        make_user(organization, Role.RECRUITER, email="bob.builder@example.com", name="Bob Builder")
        make_user(organization, Role.ADMIN, email="carla@example.com", name="Carla Conte")
        gone = make_user(organization, Role.RECRUITER, email="dora@example.com", name="Dora Gone")
        gone.active = False
        make_user(organization, Role.MANAGER, email="manny@example.com", name="Manny Manager")
        make_user(
            make_organization(), Role.RECRUITER, email="carla@elsewhere.example", name="Carla Elsewhere"
        )
        application = make_application(make_job(organization))
        db.session.commit()
        return {
            "public_id": application.public_id,
            "author": author.email,
            "organization_id": organization.id,
        }


def comments_path(team: dict) -> str:
    return f"/app/reviews/applications/{team['public_id']}/comments"


def mail_to(app, address: str) -> list:
    return [message for message in sent_mail(app) if address in message.to]


def test_a_comment_mentioning_colleagues_emails_each_of_them_once_after_the_commit(app, team):
    client = app.test_client()
    login(client, team["author"])
    body = (
        "Strong answers. @bob.builder please watch Q2, and @Carla Conte what do you think? @carla again, @ada"
    )
    response = submit(client, comments_path(team), {"body": body})
    assert response.status_code == 302

    bob, carla = mail_to(app, "bob.builder@example.com"), mail_to(app, "carla@example.com")
    assert len(bob) == 1 and len(carla) == 1
    assert "Ada Lovelace mentioned you" in bob[0].subject
    assert f"/app/reviews/applications/{team['public_id']}/comments#comment-" in bob[0].text
    assert "please watch Q2" in bob[0].text
    assert mail_to(app, "ada@example.com") == []  # not the author
    assert mail_to(app, "carla@elsewhere.example") == []  # another organization
    assert mail_to(app, "manny@example.com") == []

    with app.app_context():
        comment = db.session.scalar(db.select(ReviewComment))
        mentioned = {db.session.get(User, user_id).email for user_id in comment.mentions}
        assert mentioned == {"bob.builder@example.com", "carla@example.com"}
        assert comment.author_name == "Ada Lovelace"

    page = text_of(client.get(comments_path(team)))
    assert "please watch Q2" in page and "Ada Lovelace" in page


def test_inactive_colleagues_and_managers_who_cannot_see_the_application_are_not_mentioned(app, team):
    client = app.test_client()
    login(client, team["author"])
    submit(client, comments_path(team), {"body": "@dora and @manny, have a look"})
    assert mail_to(app, "dora@example.com") == [] and mail_to(app, "manny@example.com") == []
    page = text_of(client.get(comments_path(team)))
    assert 'data-handle="bob.builder"' in page
    assert 'data-handle="dora"' not in page and 'data-handle="manny"' not in page


def test_staff_who_cannot_see_the_application_cannot_see_its_comments(app, team):
    client = app.test_client()
    login(client, team["author"])
    submit(client, comments_path(team), {"body": "Internal opinion"})
    manager = app.test_client()
    login(manager, "manny@example.com")
    assert manager.get(comments_path(team)).status_code == 403
    outsider = app.test_client()
    login(outsider, "carla@elsewhere.example")
    assert outsider.get(comments_path(team)).status_code == 404
    assert app.test_client().get(comments_path(team)).status_code == 302  # to the login page


def test_an_empty_comment_is_refused(app, team):
    client = app.test_client()
    login(client, team["author"])
    response = submit(client, comments_path(team), {"body": "   "})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ReviewComment)) == 0


def test_mentions_match_names_and_email_local_parts_but_not_addresses_or_longer_handles(app):
    with app.app_context():
        organization = db.session.get(Organization, make_organization().id)
        ada = make_user(organization, email="ada@example.com", name="Ada Lovelace")
        ada_l = make_user(organization, email="ada.lovelace@example.com", name="Ada Second")
        assert mention_pattern(ada).search("thanks @ADA.")
        assert mention_pattern(ada).search("@ada lovelace, see this")
        assert not mention_pattern(ada).search("write to mail@ada.example")
        assert not mention_pattern(ada).search("@adam")
        assert find_mentions("hi @ada.lovelace", [ada, ada_l]) == [ada_l]
        assert find_mentions("hi @Ada   Lovelace", [ada, ada_l]) == [ada]
