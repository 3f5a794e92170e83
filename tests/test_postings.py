# SPDX-License-Identifier: AGPL-3.0-or-later
"""Recruiters write, publish, close and duplicate jobs; managers see theirs; others see nothing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from app.core.extensions import db
from app.models import AuditEvent, Job, JobStatus, Role, User, utcnow
from tests.factories import make_organization, make_user
from tests.helpers import login, submit, text_of


def _setup(app) -> dict[str, int]:
    """An organization with one member per role, and a second organization."""
    with app.app_context():
        organization = make_organization(name="Aurora")
        ids = {
            "org": organization.id,
            "admin": make_user(organization, Role.ADMIN, email="admin@example.com", name="Ada Admin").id,
            "recruiter": make_user(organization, Role.RECRUITER, email="rita@example.com", name="Rita").id,
            "manager": make_user(organization, Role.MANAGER, email="marta@example.com", name="Marta").id,
            "employee": make_user(organization, Role.EMPLOYEE, email="elena@example.com", name="Elena").id,
        }
        other = make_organization(name="Other")
        ids["other_org"] = other.id
        ids["stranger"] = make_user(other, Role.ADMIN, email="sam@other.example.com").id
        db.session.commit()
        return ids


def _job_form(**overrides) -> dict[str, str]:
    """A complete, valid job form as a browser posts it."""
    data = {
        "title": "Robotics Engineer",
        "team": "Autonomy",
        "employment_type": "full_time",
        "work_model": "hybrid",
        "locations-0-city": "Milan",
        "locations-0-region": "Lombardy",
        "locations-0-country": "IT",
        "locations-1-city": "",
        "locations-1-region": "",
        "locations-1-country": "",
        "locations-2-city": "Turin",
        "locations-2-region": "",
        "locations-2-country": "it",
        "remote_countries": "IT, es",
        "remote_time_zones": "Europe/Rome, europe/madrid",
        "salary_min": "40000",
        "salary_max": "55000.50",
        "salary_currency": "eur",
        "salary_period": "year",
        "description_md": "We build **robots**.",
        "responsibilities_md": "- Plan motions",
        "requirements_md": "- C++",
        "perks_md": "- Lunch",
        "language": "it",
        "hiring_manager_id": "",
        "valid_through": (date.today() + timedelta(days=30)).isoformat(),
        "faqs-0-question": "Is it remote?",
        "faqs-0-answer": "Two days a week.",
        "faqs-1-question": "",
        "faqs-1-answer": "",
        "faqs-2-question": "Relocation?",
        "faqs-2-answer": "Yes.",
    }
    data.update(overrides)
    return data


NO_LOCATIONS = {
    "locations-0-city": "",
    "locations-0-region": "",
    "locations-0-country": "",
    "locations-2-city": "",
    "locations-2-country": "",
}


def _only_job(app) -> Job:
    with app.app_context():
        job = db.session.scalar(db.select(Job).order_by(Job.id.desc()))
        assert job is not None
        # Load what the assertions read before the session closes.
        _ = (job.locations, job.faqs, job.hiring_manager)
        db.session.expunge_all()
        return job


def _create_job(app, client, **overrides) -> Job:
    response = submit(client, "/app/jobs/new", _job_form(**overrides))
    assert response.status_code == 302, text_of(response)
    return _only_job(app)


def test_create_with_every_field_then_edit(app, client):
    ids = _setup(app)
    login(client, "rita@example.com")
    job = _create_job(app, client, hiring_manager_id=str(ids["manager"]))

    assert job.status == JobStatus.DRAFT
    assert job.organization_id == ids["org"]
    assert job.title == "Robotics Engineer" and job.team == "Autonomy" and job.language == "it"
    assert job.slug.startswith("robotics-engineer-") and len(job.slug.rsplit("-", 1)[1]) == 8
    assert [(loc.city, loc.region, loc.country) for loc in job.locations] == [
        ("Milan", "Lombardy", "IT"),
        ("Turin", "", "IT"),
    ]
    assert job.remote_countries == ["IT", "ES"]
    assert job.remote_time_zones == ["Europe/Rome", "Europe/Madrid"]
    assert (job.salary_min, job.salary_max, job.salary_currency) == (
        Decimal("40000"),
        Decimal("55000.50"),
        "EUR",
    )
    assert job.salary_period.value == "year"
    assert job.hiring_manager_id == ids["manager"]
    assert job.valid_through.date() == date.today() + timedelta(days=30)
    assert [(faq.question, faq.answer) for faq in job.faqs] == [
        ("Is it remote?", "Two days a week."),
        ("Relocation?", "Yes."),
    ]

    page = text_of(client.get(f"/app/jobs/{job.id}"))
    assert "<strong>robots</strong>" in page and "Milan, Lombardy, IT" in page and "Marta" in page

    form = text_of(client.get(f"/app/jobs/{job.id}/edit"))
    assert 'value="Milan"' in form and 'value="IT, ES"' in form and "Relocation?" in form

    edited = submit(
        client,
        f"/app/jobs/{job.id}/edit",
        _job_form(
            title="Senior Robotics Engineer",
            work_model="on_site",
            **{"locations-2-city": "", "locations-2-country": "", "faqs-2-question": "", "faqs-2-answer": ""},
        ),
    )
    assert edited.status_code == 302
    job_after = _only_job(app)
    assert job_after.title == "Senior Robotics Engineer"
    assert [loc.city for loc in job_after.locations] == ["Milan"]
    assert len(job_after.faqs) == 1
    assert job_after.remote_countries == [] and job_after.remote_time_zones == []
    # Drafts were never public: their address follows the title.
    assert job_after.slug.startswith("senior-robotics-engineer-")
    with app.app_context():
        actions = list(db.session.scalars(db.select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions == ["job.created", "job.updated"]


def test_markdown_preview_renders_without_saving(app, client):
    _setup(app)
    login(client, "rita@example.com")
    response = submit(
        client, "/app/jobs/new", _job_form(description_md="Hello *world* <script>x</script>", preview="1")
    )
    page = text_of(response)
    assert response.status_code == 200
    assert "<em>world</em>" in page and "<script>x" not in page
    assert "nothing was saved" in page
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Job.id))) == 0


def test_validation_errors_keep_input_and_sit_next_to_fields(app, client):
    _setup(app)
    login(client, "rita@example.com")
    response = submit(
        client,
        "/app/jobs/new",
        _job_form(
            **{
                "locations-0-country": "XX",
                "remote_countries": "IT, 150",
                "remote_time_zones": "Mars/Olympus",
                "salary_min": "60000",
                "salary_max": "50000",
                "salary_currency": "ZZZ",
                "faqs-0-answer": "",
                "hiring_manager_id": "999999",
                "team": "Keep me",
            }
        ),
    )
    page = text_of(response)
    assert response.status_code == 400
    assert 'id="locations-0-country-error"' in page and "Choose the country of this location." in page
    assert 'id="remote_countries-error"' in page and "“150” is not an ISO country code" in page
    assert 'id="remote_time_zones-error"' in page and "“Mars/Olympus” is not a time zone" in page
    assert 'id="salary_max-error"' in page and "must not be lower than the minimum" in page
    assert 'id="salary_currency-error"' in page
    assert 'id="faqs-0-answer-error"' in page and "Write the answer." in page
    assert 'id="hiring_manager_id-error"' in page
    assert 'value="Keep me"' in page and 'value="Mars/Olympus"' in page
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Job.id))) == 0

    missing_title = submit(client, "/app/jobs/new", _job_form(title=""))
    assert missing_title.status_code == 400 and 'id="title-error"' in text_of(missing_title)
    for amount in ("-5", "NaN", "sNaN", "1e400"):
        refused = submit(client, "/app/jobs/new", _job_form(salary_min=amount))
        assert refused.status_code == 400 and 'id="salary_min-error"' in text_of(refused), amount


def test_publish_refusals_then_publish_close_and_duplicate(app, client):
    _setup(app)
    login(client, "admin@example.com")
    job = _create_job(
        app,
        client,
        work_model="remote",
        description_md="",
        remote_countries="",
        remote_time_zones="",
        valid_through="",
        **NO_LOCATIONS,
    )
    refused = submit(client, "/app/jobs", {}, action=f"/app/jobs/{job.id}/publish")
    page = text_of(refused)
    assert refused.status_code == 400
    assert "This job cannot be published yet" in page
    assert 'id="description_md-error"' in page and "A published job needs a description." in page
    assert "Remote jobs need the countries or time zones" in page

    on_site = submit(
        client,
        f"/app/jobs/{job.id}/edit",
        _job_form(work_model="on_site", **NO_LOCATIONS),
    )
    assert on_site.status_code == 302
    refused = submit(client, "/app/jobs", {}, action=f"/app/jobs/{job.id}/publish")
    assert refused.status_code == 400
    assert "On-site and hybrid jobs need at least one location" in text_of(refused)

    with app.app_context():
        stored = db.session.get(Job, job.id)
        stored.valid_through = utcnow() - timedelta(days=1)
        db.session.commit()
    submit(client, f"/app/jobs/{job.id}/edit", _job_form(valid_through=""))
    with app.app_context():
        db.session.get(Job, job.id).valid_through = utcnow() - timedelta(days=1)
        db.session.commit()
    refused = submit(client, "/app/jobs", {}, action=f"/app/jobs/{job.id}/publish")
    assert refused.status_code == 400 and "The valid-through date must be in the future." in text_of(refused)

    assert submit(client, f"/app/jobs/{job.id}/edit", _job_form()).status_code == 302
    draft_slug = _only_job(app).slug
    published = submit(client, "/app/jobs", {}, action=f"/app/jobs/{job.id}/publish")
    assert published.status_code == 302
    job = _only_job(app)
    assert job.status == JobStatus.PUBLISHED and job.published_at is not None and job.slug == draft_slug

    # Published: the address no longer changes, and the job must stay publishable.
    assert submit(client, f"/app/jobs/{job.id}/edit", _job_form(title="Renamed")).status_code == 302
    assert _only_job(app).slug == draft_slug
    broken = submit(client, f"/app/jobs/{job.id}/edit", _job_form(description_md=""))
    assert broken.status_code == 400 and "A published job needs a description." in text_of(broken)

    again = submit(client, "/app/jobs", {}, action=f"/app/jobs/{job.id}/publish")
    assert again.status_code == 409 and "This job is already published." in text_of(again)

    closed = submit(client, "/app/jobs", {}, action=f"/app/jobs/{job.id}/close")
    assert closed.status_code == 302
    with app.app_context():
        stored = db.session.get(Job, job.id)
        assert stored.status == JobStatus.CLOSED and stored.closed_at is not None
    assert submit(client, "/app/jobs", {}, action=f"/app/jobs/{job.id}/close").status_code == 409

    copy = submit(client, "/app/jobs", {}, action=f"/app/jobs/{job.id}/duplicate")
    assert copy.status_code == 302
    duplicate = _only_job(app)
    assert duplicate.id != job.id and duplicate.status == JobStatus.DRAFT
    assert duplicate.title == "Renamed (copy)" and duplicate.slug != job.slug
    assert [loc.city for loc in duplicate.locations] == ["Milan", "Turin"]
    assert len(duplicate.faqs) == 2 and duplicate.published_at is None
    assert copy.headers["Location"].endswith(f"/app/jobs/{duplicate.id}/edit")

    with app.app_context():
        actions = set(db.session.scalars(db.select(AuditEvent.action)))
    assert {"job.created", "job.updated", "job.published", "job.closed", "job.duplicated"} <= actions

    listing = text_of(client.get("/app/jobs"))
    assert "Renamed (copy)" in listing and "Renamed" in listing
    drafts = text_of(client.get("/app/jobs?status=draft"))
    assert "Renamed (copy)" in drafts and ">Renamed</a>" not in drafts
    assert (
        'Closed <span class="count">1</span>' in listing and 'Draft <span class="count">1</span>' in listing
    )


def test_manager_sees_only_their_jobs_and_cannot_change_them(app, client):
    ids = _setup(app)
    login(client, "rita@example.com")
    theirs = _create_job(app, client, title="Managed by Marta", hiring_manager_id=str(ids["manager"]))
    other = _create_job(app, client, title="Someone else's")
    client.post("/logout")

    manager = app.test_client()
    login(manager, "marta@example.com")
    listing = text_of(manager.get("/app/jobs"))
    assert "Managed by Marta" in listing and "Someone else&#39;s" not in listing
    assert f"/app/jobs/{theirs.id}/edit" not in listing
    assert manager.get(f"/app/jobs/{theirs.id}").status_code == 200
    assert manager.get(f"/app/jobs/{other.id}").status_code == 404
    assert manager.get(f"/app/jobs/{theirs.id}/edit").status_code == 403
    assert manager.get("/app/jobs/new").status_code == 403
    response = submit(
        manager, f"/app/jobs/{theirs.id}", _job_form(title="Hacked"), action=f"/app/jobs/{theirs.id}/edit"
    )
    assert response.status_code == 403
    assert (
        submit(manager, f"/app/jobs/{theirs.id}", {}, action=f"/app/jobs/{theirs.id}/publish").status_code
        == 403
    )
    assert _only_job(app).title != "Hacked"


def test_employee_gets_403_and_other_organization_404(app, client):
    _setup(app)
    login(client, "rita@example.com")
    job = _create_job(app, client)

    employee = app.test_client()
    login(employee, "elena@example.com")
    assert employee.get("/app/jobs").status_code == 403
    assert employee.get(f"/app/jobs/{job.id}").status_code == 403

    stranger = app.test_client()
    login(stranger, "sam@other.example.com")
    assert stranger.get("/app/jobs").status_code == 200
    assert "Robotics Engineer" not in text_of(stranger.get("/app/jobs"))
    assert stranger.get(f"/app/jobs/{job.id}").status_code == 404
    assert stranger.get(f"/app/jobs/{job.id}/edit").status_code == 404
    assert submit(stranger, "/app/jobs/new", {}, action=f"/app/jobs/{job.id}/publish").status_code == 404
    assert submit(stranger, "/app/jobs/new", {}, action=f"/app/jobs/{job.id}/duplicate").status_code == 404
    assert client.get("/app/jobs").status_code == 200
    anonymous = app.test_client()
    assert anonymous.get("/app/jobs").status_code == 302


def test_hiring_manager_must_be_active_staff_of_the_organization(app, client):
    ids = _setup(app)
    login(client, "rita@example.com")
    form = text_of(client.get("/app/jobs/new"))
    assert f'value="{ids["manager"]}"' in form and f'value="{ids["employee"]}"' not in form
    for refused in (ids["employee"], ids["stranger"]):
        response = submit(client, "/app/jobs/new", _job_form(hiring_manager_id=str(refused)))
        assert response.status_code == 400 and 'id="hiring_manager_id-error"' in text_of(response)
    with app.app_context():
        db.session.get(User, ids["manager"]).active = False
        db.session.commit()
    response = submit(client, "/app/jobs/new", _job_form(hiring_manager_id=str(ids["manager"])))
    assert response.status_code == 400
