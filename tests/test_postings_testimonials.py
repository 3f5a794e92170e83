# SPDX-License-Identifier: AGPL-3.0-or-later
"""Testimonials need the colleague's approval; the demo gets jobs, idempotently."""

from __future__ import annotations

import html
import io
import re

from app import models
from app.core.extensions import db
from app.models import Job, JobStatus, Organization, Role, utcnow
from app.postings.services import JobData, create_job
from tests.factories import make_organization, make_user
from tests.helpers import login, submit, text_of
from tests.test_admin import tiny_png


def _setup(app) -> dict[str, int]:
    with app.app_context():
        organization = make_organization(name="Aurora")
        recruiter = make_user(organization, Role.RECRUITER, email="rita@example.com")
        employee = make_user(organization, Role.EMPLOYEE, email="elena@example.com", name="Elena Bianchi")
        colleague = make_user(organization, Role.EMPLOYEE, email="carlo@example.com")
        job = create_job(recruiter, JobData(title="Engineer"))
        other = make_organization()
        outsider = make_user(other, Role.EMPLOYEE, email="otto@other.example.com")
        other_job = create_job(make_user(other, Role.ADMIN), JobData(title="Elsewhere"))
        db.session.commit()
        return {
            "employee": employee.id,
            "colleague": colleague.id,
            "job": job.id,
            "outsider": outsider.id,
            "other_job": other_job.id,
        }


def _testimonial(app) -> models.Testimonial:
    with app.app_context():
        testimonial = db.session.scalar(db.select(models.Testimonial).order_by(models.Testimonial.id.desc()))
        db.session.expunge_all()
        return testimonial


def test_staff_adds_employee_approves_then_withdraws(app, client):
    ids = _setup(app)
    login(client, "rita@example.com")
    page = "/app/jobs/testimonials"
    assert "Elena Bianchi" in text_of(client.get(page))

    too_long = submit(client, page, {"employee_id": str(ids["employee"]), "quote": "x" * 601, "job_id": ""})
    assert too_long.status_code == 400 and 'id="quote-error"' in text_of(too_long)
    outsider = submit(client, page, {"employee_id": str(ids["outsider"]), "quote": "Hi", "job_id": ""})
    assert outsider.status_code == 400 and 'id="employee_id-error"' in text_of(outsider)
    foreign_job = submit(
        client, page, {"employee_id": str(ids["employee"]), "quote": "Hi", "job_id": str(ids["other_job"])}
    )
    assert foreign_job.status_code == 404

    added = submit(
        client,
        page,
        {
            "employee_id": str(ids["employee"]),
            "quote": "The best team I have worked with.",
            "author_name": "",
            "author_role": "Engineer, Milan",
            "job_id": str(ids["job"]),
            "photo": (io.BytesIO(tiny_png()), "me.png"),
        },
    )
    assert added.status_code == 302
    testimonial = _testimonial(app)
    assert testimonial.author_name == "Elena Bianchi"  # prefilled from the colleague
    assert testimonial.job_id == ids["job"] and testimonial.admin_approved_at is not None
    assert testimonial.photo_key.startswith("orgs/")
    assert not testimonial.is_visible

    colleague = app.test_client()
    login(colleague, "carlo@example.com")
    assert "The best team" not in text_of(colleague.get("/app/jobs/testimonials/mine"))
    assert colleague.get("/app/jobs/testimonials").status_code == 403
    response = submit(
        colleague,
        "/app/jobs/testimonials/mine",
        {},
        action=f"/app/jobs/testimonials/{testimonial.id}/approve",
    )
    assert response.status_code == 404

    employee = app.test_client()
    login(employee, "elena@example.com")
    mine = text_of(employee.get("/app/jobs/testimonials/mine"))
    assert "The best team I have worked with." in mine and "Waiting for approval" in mine
    approve = f"/app/jobs/testimonials/{testimonial.id}/approve"
    withdraw = f"/app/jobs/testimonials/{testimonial.id}/withdraw"
    assert submit(employee, "/app/jobs/testimonials/mine", {}, action=approve).status_code == 302
    assert _testimonial(app).is_visible
    assert submit(employee, "/app/jobs/testimonials/mine", {}, action=approve).status_code == 409
    assert employee.get(f"/app/jobs/testimonials/{testimonial.id}/photo").status_code == 302

    assert submit(employee, "/app/jobs/testimonials/mine", {}, action=withdraw).status_code == 302
    withdrawn = _testimonial(app)
    assert withdrawn.withdrawn_at is not None and not withdrawn.is_visible
    assert "Withdrawn" in text_of(employee.get("/app/jobs/testimonials/mine"))
    assert submit(employee, "/app/jobs/testimonials/mine", {}, action=approve).status_code == 302
    assert _testimonial(app).is_visible  # consent given again

    assert (
        submit(client, page, {}, action=f"/app/jobs/testimonials/{testimonial.id}/delete").status_code == 302
    )
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(models.Testimonial.id))) == 0


def test_organization_wide_testimonial_and_stranger_cannot_delete(app, client):
    ids = _setup(app)
    login(client, "rita@example.com")
    added = submit(
        client,
        "/app/jobs/testimonials",
        {"employee_id": str(ids["colleague"]), "quote": "Great place.", "job_id": ""},
    )
    assert added.status_code == 302
    testimonial = _testimonial(app)
    assert testimonial.job_id is None

    stranger = app.test_client()
    with app.app_context():
        make_user(
            db.session.get(
                Organization,
                db.session.scalar(db.select(Job.organization_id).where(Job.id == ids["other_job"])),
            ),
            Role.ADMIN,
            email="boss@other.example.com",
        )
        db.session.commit()
    login(stranger, "boss@other.example.com")
    response = submit(
        stranger, "/app/jobs/testimonials", {}, action=f"/app/jobs/testimonials/{testimonial.id}/delete"
    )
    assert response.status_code == 404
    assert "Great place." not in text_of(stranger.get("/app/jobs/testimonials"))


def test_a_short_video_testimonial_is_checked_and_plays_on_the_card(app, client, tiny_webm):
    ids = _setup(app)
    login(client, "rita@example.com")
    page = "/app/jobs/testimonials"
    fields = {"employee_id": str(ids["employee"]), "quote": "Come and see.", "job_id": str(ids["job"])}
    fake = submit(client, page, {**fields, "video": (io.BytesIO(b"<html>not a video</html>"), "me.mp4")})
    assert fake.status_code == 400 and "WebM or MP4" in text_of(fake)
    assert _testimonial(app) is None
    added = submit(
        client,
        page,
        {**fields, "photo": (io.BytesIO(tiny_png()), "me.png"), "video": (io.BytesIO(tiny_webm), "me.webm")},
    )
    assert added.status_code == 302
    testimonial = _testimonial(app)
    assert testimonial.video_key.startswith("orgs/") and testimonial.video_content_type == "video/webm"

    employee = app.test_client()
    login(employee, "elena@example.com")
    submit(
        employee, "/app/jobs/testimonials/mine", {}, action=f"/app/jobs/testimonials/{testimonial.id}/approve"
    )
    with app.app_context():
        job = db.session.get(Job, ids["job"])
        job.status, job.published_at, job.description_md = JobStatus.PUBLISHED, utcnow(), "We build robots."
        card_path = f"/careers/{job.organization.slug}/jobs/{job.slug}"
        db.session.commit()
    card = text_of(app.test_client().get(card_path))
    source = re.search(
        r'<video class="testimonial-video"[^>]*>\s*<source src="([^"]+)" type="video/webm">', card
    )
    assert source, "the approved video testimonial is on the card"
    video = app.test_client().get(html.unescape(source.group(1)))
    assert video.status_code == 200 and video.data == tiny_webm
