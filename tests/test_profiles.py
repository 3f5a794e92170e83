# SPDX-License-Identifier: AGPL-3.0-or-later
"""Profiles that employees own: opt-in, per-item visibility, export and erasure, suggestions for a job."""

from __future__ import annotations

import json

from app.core.extensions import db
from app.models import AuditEvent, EmployeeProfile, ProfileItem, Role
from tests.factories import make_job, make_organization, make_user
from tests.helpers import login, logout, submit, text_of


def sign_in(client, email: str) -> None:
    """Sign out whoever is signed in, then sign in as ``email``."""
    if client.get("/app/").status_code == 200:
        logout(client)
    assert login(client, email).status_code == 302


def setup_people(app) -> dict:
    """An organization with an admin, a recruiter, a manager and two employees, and a job."""
    with app.app_context():
        organization = make_organization(name="Aurora Robotics")
        make_user(organization, Role.ADMIN, email="ada@example.com", name="Ada Admin")
        make_user(organization, Role.RECRUITER, email="rita@example.com", name="Rita Recruiter")
        make_user(organization, Role.MANAGER, email="mo@example.com", name="Mo Manager")
        emil = make_user(organization, Role.EMPLOYEE, email="emil@example.com", name="Emil Employee")
        make_user(organization, Role.EMPLOYEE, email="eva@example.com", name="Eva Employee")
        job = make_job(
            organization,
            title="Senior Python Developer",
            team="Machine Learning",
            description_md="You will build **robot vision** with our team in Turin. Italian is a plus.",
        )
        db.session.commit()
        return {"emil": emil.id, "job": job.id, "organization": organization.id}


def add(client, kind: str, label: str, visibility: str):
    return submit(
        client,
        "/app/profiles/me",
        {"kind": kind, "label": label, "visibility": visibility},
        action="/app/profiles/me/items",
    )


def build_emils_profile(client) -> None:
    sign_in(client, "emil@example.com")
    assert submit(client, "/app/profiles/me", {}).status_code == 302
    assert add(client, "skill", "Python", "everyone").status_code == 302
    assert add(client, "skill", "robot   vision", "hr").status_code == 302
    assert add(client, "language", "Italian", "hr").status_code == 302
    assert add(client, "interest", "Machine learning", "everyone").status_code == 302
    assert add(client, "skill", "Turin", "private").status_code == 302


def test_each_item_is_seen_only_by_whom_its_owner_chose(app, client):
    ids = setup_people(app)
    build_emils_profile(client)
    own = text_of(client.get("/app/profiles/me"))
    assert all(label in own for label in ("Python", "robot vision", "Italian", "Machine learning", "Turin"))

    sign_in(client, "eva@example.com")  # a colleague: "everyone" only
    page = text_of(client.get(f"/app/profiles/{ids['emil']}"))
    assert "Python" in page and "Machine learning" in page
    assert "robot vision" not in page and "Italian" not in page and "Turin" not in page
    sign_in(client, "mo@example.com")  # a manager is a colleague too
    page = text_of(client.get(f"/app/profiles/{ids['emil']}"))
    assert "Italian" not in page and "Turin" not in page

    for hr in ("rita@example.com", "ada@example.com"):  # HR: "HR only" too, never "private"
        sign_in(client, hr)
        page = text_of(client.get(f"/app/profiles/{ids['emil']}"))
        assert "Python" in page and "robot vision" in page and "Italian" in page
        assert "Turin" not in page
        assert "Turin" not in text_of(client.get("/app/profiles/"))


def test_visibility_changes_and_items_are_removed_by_their_owner_only(app, client):
    ids = setup_people(app)
    build_emils_profile(client)
    with app.app_context():
        turin = db.session.scalar(db.select(ProfileItem).where(ProfileItem.label == "Turin")).id
    assert (
        submit(
            client,
            "/app/profiles/me",
            {"visibility": "everyone"},
            action=f"/app/profiles/me/items/{turin}/visibility",
        ).status_code
        == 302
    )
    sign_in(client, "eva@example.com")
    assert "Turin" in text_of(client.get(f"/app/profiles/{ids['emil']}"))
    # Eva has no profile, and Emil's item is not hers to change or remove.
    assert (
        submit(
            client,
            "/app/profiles/",
            {"visibility": "private"},
            action=f"/app/profiles/me/items/{turin}/visibility",
        ).status_code
        == 404
    )
    assert (
        submit(client, "/app/profiles/", {}, action=f"/app/profiles/me/items/{turin}/delete").status_code
        == 404
    )
    sign_in(client, "emil@example.com")
    assert (
        submit(
            client,
            "/app/profiles/me",
            {"visibility": "nobody"},
            action=f"/app/profiles/me/items/{turin}/visibility",
        ).status_code
        == 400
    )
    assert (
        submit(client, "/app/profiles/me", {}, action=f"/app/profiles/me/items/{turin}/delete").status_code
        == 302
    )
    assert "Turin" not in text_of(client.get("/app/profiles/me"))


def test_duplicates_and_bad_input_are_refused_with_the_form_kept(app, client):
    setup_people(app)
    build_emils_profile(client)
    duplicate = add(client, "skill", "  PYTHON ", "hr")
    assert duplicate.status_code == 400 and "This is already on your profile." in text_of(duplicate)
    too_long = add(client, "interest", "x" * 81, "hr")
    assert too_long.status_code == 400 and "x" * 81 in text_of(too_long)
    assert add(client, "hobby", "Chess", "hr").status_code == 400
    assert add(client, "interest", "Python", "everyone").status_code == 302  # another kind is fine
    again = submit(client, "/app/profiles/me", {}, action="/app/profiles/me")
    assert again.status_code == 409


def test_nothing_is_kept_before_opting_in(app, client):
    setup_people(app)
    sign_in(client, "eva@example.com")
    assert "Create my profile" in text_of(client.get("/app/profiles/me"))
    assert add(client, "skill", "Go", "everyone").status_code == 404
    assert client.get("/app/profiles/me/export").status_code == 404
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(EmployeeProfile)) == 0


def test_the_owner_downloads_and_deletes_their_profile(app, client):
    ids = setup_people(app)
    build_emils_profile(client)
    download = client.get("/app/profiles/me/export")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment")
    document = json.loads(download.get_data(as_text=True))
    assert document["person"]["email"] == "emil@example.com"
    items = {(item["kind"], item["label"], item["visibility"]) for item in document["profile"]["items"]}
    assert (
        ("skill", "Turin", "private") in items
        and ("skill", "robot vision", "hr") in items
        and len(items) == 5
    )

    assert "Delete my profile" in text_of(client.get("/app/profiles/me/delete"))
    assert submit(client, "/app/profiles/me/delete", {}).status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(EmployeeProfile)) == 0
        assert db.session.scalar(db.select(db.func.count()).select_from(ProfileItem)) == 0
        event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "profile.deleted"))
        assert event.details == {"items": 5}  # a count, no labels
    sign_in(client, "rita@example.com")
    assert client.get(f"/app/profiles/{ids['emil']}").status_code == 404


def test_suggestions_match_shared_skills_and_interests_but_never_private_ones(app, client):
    ids = setup_people(app)
    build_emils_profile(client)
    sign_in(client, "eva@example.com")
    submit(client, "/app/profiles/me", {})
    add(client, "interest", "Robot", "private")  # private: never used
    add(client, "skill", "Java", "everyone")  # no match
    assert client.get(f"/app/profiles/jobs/{ids['job']}/suggestions").status_code == 403

    sign_in(client, "rita@example.com")
    page = text_of(client.get(f"/app/profiles/jobs/{ids['job']}/suggestions"))
    assert "suggestions for you to consider, never decisions" in page
    internal, ambassadors = page.split("<h2>Ambassadors</h2>")
    assert (
        "Emil Employee" in internal
        and "Python" in internal
        and "robot vision" in internal
        and "Italian" in internal
    )
    assert "Turin" not in page  # the job says Turin, but Emil kept it private
    assert "Eva Employee" not in page
    assert "Emil Employee" in ambassadors and "Machine learning" in ambassadors
    picked = client.get(f"/app/profiles/suggestions?job={ids['job']}")
    assert picked.status_code == 302 and picked.headers["Location"].endswith(
        f"/app/profiles/jobs/{ids['job']}/suggestions"
    )
    with app.app_context():
        other_job = make_job(make_organization(), title="Python Elsewhere").id
        db.session.commit()
    assert client.get(f"/app/profiles/jobs/{other_job}/suggestions").status_code == 404


def test_word_matching_is_case_insensitive_and_needs_whole_words_in_a_row(app):
    from app.profiles.services import label_matches

    words = ["senior", "python", "developer", "machine", "learning", "robot", "vision"]
    word_set = set(words)
    assert label_matches("PYTHON", words, word_set)
    assert label_matches("Machine Learning", words, word_set)
    assert not label_matches("Learning machine", words, word_set)
    assert not label_matches("Py", words, word_set)
    assert not label_matches("", words, word_set)


def test_deactivated_colleagues_are_not_shown_or_suggested(app, client):
    ids = setup_people(app)
    build_emils_profile(client)
    with app.app_context():
        from app.models import User

        db.session.get(User, ids["emil"]).active = False
        db.session.commit()
    sign_in(client, "rita@example.com")
    assert "Emil Employee" not in text_of(client.get("/app/profiles/"))
    assert "Emil Employee" not in text_of(client.get(f"/app/profiles/jobs/{ids['job']}/suggestions"))
