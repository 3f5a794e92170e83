# SPDX-License-Identifier: AGPL-3.0-or-later
"""Employees contribute their own testimonials (with a browser-recorded video); shown only after both
approved, hidden when the employee withdraws or leaves."""

from __future__ import annotations

import io

from app.core.extensions import db
from app.models import JobStatus, Role, User
from app.models import Testimonial as StoredTestimonial
from app.postings import testimonials as rules
from tests.factories import make_job, make_organization, make_user
from tests.helpers import csrf_token, login, logout, submit, text_of


def sign_in(client, email: str) -> None:
    """Sign out whoever is signed in, then sign in as ``email``."""
    if client.get("/app/").status_code == 200:
        logout(client)
    assert login(client, email).status_code == 302


def setup_team(app) -> dict:
    """An organization with an admin, a recruiter, two employees, a published and a draft job."""
    with app.app_context():
        organization = make_organization(name="Aurora")
        make_user(organization, Role.ADMIN, email="ada@example.com")
        make_user(organization, Role.RECRUITER, email="rita@example.com")
        elena = make_user(organization, Role.EMPLOYEE, email="elena@example.com", name="Elena Bianchi")
        make_user(organization, Role.EMPLOYEE, email="carlo@example.com")
        job = make_job(organization, title="Engineer")
        draft = make_job(organization, title="Secret Plan", status=JobStatus.DRAFT)
        other = make_organization()
        make_user(other, Role.RECRUITER, email="olga@other.example.com")
        db.session.commit()
        return {
            "elena": elena.id,
            "job": job.id,
            "draft": draft.id,
            "card": f"/careers/{organization.slug}/jobs/{job.slug}",
        }


def contribute(client, ids: dict, **data):
    values = {
        "quote": "I ship robots with kind people.",
        "author_role": "Robotics engineer",
        "job_id": str(ids["job"]),
    }
    values.update(data)
    return submit(client, "/app/voice/testimonials/new", values)


def only_testimonial(app) -> StoredTestimonial:
    with app.app_context():
        testimonial = db.session.scalar(db.select(StoredTestimonial))
        db.session.expunge_all()
        return testimonial


def test_a_contribution_appears_only_after_an_admin_approved_and_disappears_on_withdrawal(app, client):
    ids = setup_team(app)
    sign_in(client, "elena@example.com")
    assert contribute(client, ids).status_code == 302
    testimonial = only_testimonial(app)
    assert testimonial.employee_approved_at is not None and testimonial.admin_approved_at is None
    assert testimonial.author_name == "Elena Bianchi"
    mine = text_of(client.get("/app/jobs/testimonials/mine"))
    assert "Waiting for an administrator" in mine and "data-recorder" in mine
    assert "I ship robots" not in text_of(client.get(ids["card"]))
    assert (
        client.post(
            f"/app/voice/testimonials/{testimonial.id}/approve",
            data={"csrf_token": csrf_token(client, "/app/jobs/testimonials/mine")},
        ).status_code
        == 403
    )

    sign_in(client, "rita@example.com")
    staff = text_of(client.get("/app/jobs/testimonials"))
    assert "Approve for job cards" in staff
    assert (
        submit(
            client, "/app/jobs/testimonials", {}, action=f"/app/voice/testimonials/{testimonial.id}/approve"
        ).status_code
        == 302
    )
    assert "I ship robots with kind people." in text_of(client.get(ids["card"]))
    again = submit(
        client, "/app/jobs/testimonials", {}, action=f"/app/voice/testimonials/{testimonial.id}/approve"
    )
    assert again.status_code == 409

    sign_in(client, "elena@example.com")
    submit(
        client, "/app/jobs/testimonials/mine", {}, action=f"/app/jobs/testimonials/{testimonial.id}/withdraw"
    )
    assert "I ship robots" not in text_of(client.get(ids["card"]))


def test_a_testimonial_is_hidden_once_the_employee_leaves(app, client):
    ids = setup_team(app)
    sign_in(client, "elena@example.com")
    contribute(client, ids)
    testimonial_id = only_testimonial(app).id
    sign_in(client, "ada@example.com")
    submit(client, "/app/jobs/testimonials", {}, action=f"/app/voice/testimonials/{testimonial_id}/approve")
    with app.app_context():
        testimonial = db.session.get(StoredTestimonial, testimonial_id)
        shown = db.session.scalars(db.select(StoredTestimonial.id).where(*rules.shown_criteria())).all()
        assert rules.is_shown(testimonial) and shown == [testimonial_id]
        db.session.get(User, ids["elena"]).active = False
        db.session.commit()
        testimonial = db.session.get(StoredTestimonial, testimonial_id)
        assert not rules.is_shown(testimonial)
        assert db.session.scalars(db.select(StoredTestimonial.id).where(*rules.shown_criteria())).all() == []
    assert "Hidden: the colleague left" in text_of(client.get("/app/jobs/testimonials"))


def test_an_admin_contributing_is_also_the_approving_admin(app, client):
    ids = setup_team(app)
    sign_in(client, "ada@example.com")
    contribute(client, ids, job_id="")
    testimonial = only_testimonial(app)
    assert testimonial.admin_approved_at is not None and testimonial.job_id is None
    assert "I ship robots with kind people." in text_of(client.get(ids["card"]))


def test_contributions_are_checked(app, client):
    ids = setup_team(app)
    sign_in(client, "elena@example.com")
    empty = contribute(client, ids, quote="")
    assert empty.status_code == 400 and 'id="quote-error"' in text_of(empty)
    long = contribute(client, ids, quote="y" * 601)
    assert long.status_code == 400 and "y" * 601 in text_of(long)
    draft = contribute(client, ids, job_id=str(ids["draft"]))
    assert draft.status_code == 400 and "Choose one of the open jobs" in text_of(draft)
    bad_photo = contribute(client, ids, photo=(io.BytesIO(b"not an image at all"), "me.png", "image/png"))
    assert bad_photo.status_code == 400 and "The photo must be a PNG, JPEG or WebP image." in text_of(
        bad_photo
    )
    assert "Secret Plan" not in text_of(client.get("/app/voice/testimonials/new"))
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(StoredTestimonial)) == 0


def test_a_video_recorded_in_the_browser_needs_an_admin_again(app, client, tiny_webm):
    ids = setup_team(app)
    sign_in(client, "ada@example.com")
    contribute(client, ids)  # approved by the admin who wrote it
    sign_in(client, "rita@example.com")
    testimonial_id = only_testimonial(app).id
    # A recruiter's own contribution, for the recording.
    contribute(client, ids, quote="Recruiting here is fun.")
    with app.app_context():
        mine = db.session.scalar(
            db.select(StoredTestimonial).where(StoredTestimonial.quote == "Recruiting here is fun.")
        )
        mine.admin_approved_at = mine.employee_approved_at
        mine_id = mine.id
        db.session.commit()
    page = "/app/jobs/testimonials/mine"
    headers = {"X-CSRFToken": csrf_token(client, page), "Accept": "application/json"}
    assert (
        client.post(
            f"/app/voice/testimonials/{testimonial_id}/video/ticket",
            json={"content_type": "video/webm"},
            headers=headers,
        ).status_code
        == 404
    )  # not hers
    ticket = client.post(
        f"/app/voice/testimonials/{mine_id}/video/ticket",
        json={"content_type": "video/webm;codecs=vp8"},
        headers=headers,
    )
    assert ticket.status_code == 200
    body = ticket.get_json()
    assert body["key"].startswith("orgs/")
    uploaded = client.post(
        body["url"], data={**body["fields"], "file": (io.BytesIO(tiny_webm), "r.webm", "video/webm")}
    )
    assert uploaded.status_code == 201
    confirmed = client.post(
        f"/app/voice/testimonials/{mine_id}/video/confirm", json={"key": body["key"]}, headers=headers
    )
    assert confirmed.status_code == 200 and confirmed.get_json()["ok"] is True
    with app.app_context():
        mine = db.session.get(StoredTestimonial, mine_id)
        assert mine.video_key == body["key"] and mine.video_content_type == "video/webm"
        assert mine.admin_approved_at is None  # new content: looked at again
    assert client.get(f"/app/voice/testimonials/{mine_id}/video").status_code == 302
    sign_in(client, "carlo@example.com")
    assert client.get(f"/app/voice/testimonials/{mine_id}/video").status_code == 404
    sign_in(client, "olga@other.example.com")
    assert client.get(f"/app/voice/testimonials/{mine_id}/video").status_code == 404
    assert (
        submit(
            client, "/app/jobs/testimonials", {}, action=f"/app/voice/testimonials/{mine_id}/approve"
        ).status_code
        == 404
    )
