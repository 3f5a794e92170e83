# SPDX-License-Identifier: AGPL-3.0-or-later
"""Referrals: a referred person is a candidate only after confirming, and is forgotten otherwise."""

from __future__ import annotations

import io
from datetime import timedelta

from app.advocacy.referrals import (
    REFERRAL_TTL,
    REFERRALS_PER_DAY,
    purge_unconfirmed_referrals,
    refer_candidate,
)
from app.advocacy.tasks import erase_unconfirmed_referrals
from app.core.errors import Invalid
from app.core.extensions import db
from app.core.security import hash_token
from app.models import (
    Application,
    ApplicationAnswer,
    Candidate,
    Job,
    JobStatus,
    Referral,
    ReferralStatus,
    Role,
    User,
    utcnow,
)
from app.pipeline.stages import move_application
from tests.factories import make_organization, make_user
from tests.helpers import csrf_token, link_in_mail, login, sent_mail, submit, text_of
from tests.test_applications import make_job
from tests.test_uploads import ELF, minimal_pdf

HOME = "/app/advocacy/"
PERSON = "luisa.verdi@example.com"
NOTE = "Luisa rebuilt our warehouse robots in a weekend."


def make_world(app) -> dict:
    """An organization with an employee who refers, a recruiter and an open job."""
    with app.app_context():
        organization = make_organization(name="Aurora Robotics")
        make_user(organization, Role.EMPLOYEE, email="elena@example.com", name="Elena Employee")
        make_user(organization, Role.RECRUITER, email="rita@example.com", name="Rita Recruiter")
        job = make_job(organization, "Robot Whisperer")
        closed = make_job(organization, "Old Job", status=JobStatus.CLOSED)
        db.session.commit()
        return {"job_id": job.id, "closed_id": closed.id, "slug": organization.slug, "job_slug": job.slug}


def refer(client, job_id: int, **overrides):
    """Send the referral form from the home."""
    data = {"job_id": str(job_id), "name": "Luisa Verdi", "email": PERSON, "reason": NOTE, "language": "en"}
    data.update(overrides)
    return submit(client, HOME, data, action="/app/advocacy/referrals")


def referral_link(app) -> str:
    return link_in_mail(app, PERSON, "referrals/")


def people_named(app, email: str) -> tuple[int, int]:
    """(candidates, applications) with this address."""
    with app.app_context():
        candidates = db.session.scalar(db.select(db.func.count(Candidate.id)).where(Candidate.email == email))
        applications = db.session.scalar(
            db.select(db.func.count(Application.id)).join(Candidate).where(Candidate.email == email)
        )
        return candidates, applications


def confirm(client, path: str, **overrides):
    data = {"name": "Luisa Verdi", "email": PERSON, "privacy": "y"}
    data.update(overrides)
    token = csrf_token(client, path)
    return client.post(path, data={"csrf_token": token, **data}, content_type="multipart/form-data")


def the_referral(app) -> Referral:
    with app.app_context():
        referral = db.session.scalar(db.select(Referral))
        db.session.expunge(referral)
        return referral


def test_a_referred_person_becomes_a_candidate_only_after_confirming(app, client):
    world = make_world(app)
    login(client, "elena@example.com")
    assert refer(client, world["job_id"]).status_code == 302
    assert people_named(app, PERSON) == (0, 0)
    referral = the_referral(app)
    assert (referral.status, referral.name, referral.email, referral.reason) == (
        ReferralStatus.PENDING,
        "Luisa Verdi",
        PERSON,
        NOTE,
    )
    [message] = [message for message in sent_mail(app) if message.to == PERSON]
    assert "Elena Employee recommended you for Robot Whisperer at Aurora Robotics" in message.subject
    assert NOTE in message.text and "not a candidate unless you confirm" in message.text
    path = referral_link(app)
    raw = path.rsplit("/", 1)[1]
    assert referral.token_hash == hash_token(raw) and raw not in (referral.token_hash or "")
    assert "Waiting for their confirmation" in text_of(client.get(HOME))

    visitor = app.test_client()
    page = visitor.get(path)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "private, no-store"
    body = text_of(page)
    assert '<meta name="referrer" content="no-referrer">' in body
    assert "Elena Employee recommended you for Robot Whisperer" in body and NOTE in body
    assert "you are not a candidate" in body

    refused = confirm(visitor, path, privacy="")
    assert refused.status_code == 400 and "Agree to the privacy notice" in text_of(refused)
    assert people_named(app, PERSON) == (0, 0)

    response = confirm(visitor, path, phone="+39 333 1234567")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/careers/{world['slug']}/jobs/{world['job_slug']}/apply/thanks"
    )
    assert people_named(app, PERSON) == (1, 1)
    with app.app_context():
        application = db.session.scalar(db.select(Application))
        ambassador_code = application.ambassador_code
        assert (application.channel, application.share_channel, application.source) == (
            "ambassador",
            "referral",
            ambassador_code,
        )
        assert application.candidate.phone == "+39 333 1234567"
        assert application.candidate.privacy_accepted_at is not None
        [note] = db.session.scalars(db.select(ApplicationAnswer)).all()
        assert (note.question_label, note.value) == ("Why Elena Employee recommended this person", NOTE)
        referral = db.session.scalar(db.select(Referral))
        assert (referral.status, referral.application_id) == (ReferralStatus.CONFIRMED, application.id)
        assert (referral.name, referral.email, referral.reason, referral.token_hash) == (
            None,
            None,
            None,
            None,
        )
    assert any(
        message.to == PERSON and "We received your application" in message.subject
        for message in sent_mail(app)
    )
    assert visitor.get(path).status_code == 404  # the link worked once
    assert "In process" in text_of(client.get(HOME))


def test_an_unconfirmed_referral_is_erased_after_30_days(app, client):
    world = make_world(app)
    login(client, "elena@example.com")
    refer(client, world["job_id"])
    path = referral_link(app)
    with app.app_context():
        assert purge_unconfirmed_referrals(utcnow() + timedelta(days=29)) == 0
        db.session.commit()
    assert the_referral(app).email == PERSON

    with app.app_context():
        referral = db.session.scalar(db.select(Referral))
        referral.created_at -= REFERRAL_TTL + timedelta(hours=1)
        referral.expires_at -= REFERRAL_TTL + timedelta(hours=1)
        db.session.commit()
    assert app.test_client().get(path).status_code == 410  # expired, even before the nightly job
    assert erase_unconfirmed_referrals.call_local() == 1
    referral = the_referral(app)
    assert (referral.status, referral.name, referral.email, referral.reason, referral.token_hash) == (
        ReferralStatus.EXPIRED,
        None,
        None,
        None,
        None,
    )
    with app.app_context():
        assert db.session.scalar(db.select(Referral.id).where(Referral.email == PERSON)) is None
    assert people_named(app, PERSON) == (0, 0)
    assert app.test_client().get(path).status_code == 404
    page = text_of(client.get(HOME)).split('id="referrals"')[1]
    assert "Not confirmed, nothing kept" in page and "Luisa Verdi" not in page


def test_declining_erases_the_referral_at_once(app, client):
    world = make_world(app)
    login(client, "elena@example.com")
    refer(client, world["job_id"])
    path = referral_link(app)
    visitor = app.test_client()
    response = submit(visitor, path, {}, action=f"{path}/decline")
    assert response.status_code == 302
    assert "Your details are deleted" in text_of(visitor.get(response.headers["Location"]))
    referral = the_referral(app)
    assert (referral.status, referral.name, referral.email, referral.reason) == (
        ReferralStatus.DECLINED,
        None,
        None,
        None,
    )
    assert people_named(app, PERSON) == (0, 0)
    assert visitor.get(path).status_code == 404


def test_the_referrer_sees_coarse_progress_and_nothing_private(app, client):
    world = make_world(app)
    login(client, "elena@example.com")
    refer(client, world["job_id"])
    confirm(app.test_client(), referral_link(app), phone="+39 333 7654321", cover_note="I am excited")

    def home() -> str:
        return text_of(client.get(HOME)).split('id="referrals"')[1].split("</section>")[0]

    def move(stage: str) -> None:
        with app.app_context():
            move_application(db.session.scalar(db.select(Application)), stage, actor=None)
            db.session.commit()

    move("shortlisted")
    page = home()
    assert "In process" in page and "Luisa Verdi" in page and "Robot Whisperer" in page
    for private in ("Shortlisted", PERSON, "+39 333 7654321", "I am excited", "shortlisted"):
        assert private not in page
    move("rejected")
    assert "Not selected" in home() and "Rejected" not in home()
    move("hired")
    assert "Hired" in home()

    with app.app_context():
        application = db.session.scalar(db.select(Application))
        public_id = application.public_id
    recruiter = app.test_client()
    login(recruiter, "rita@example.com")
    report = text_of(recruiter.get("/app/advocacy/report?period=all"))
    assert "Luisa Verdi" in report and f"/app/applications/{public_id}" in report


def test_the_recruiters_do_not_see_who_is_waiting(app, client):
    world = make_world(app)
    login(client, "elena@example.com")
    refer(client, world["job_id"])
    recruiter = app.test_client()
    login(recruiter, "rita@example.com")
    report = text_of(recruiter.get("/app/advocacy/report?period=all"))
    assert "1 referred person has not answered yet." in report
    assert "Luisa Verdi" not in report and PERSON not in report and NOTE not in report


def test_referral_rules(app, client):
    world = make_world(app)
    login(client, "elena@example.com")
    yourself = refer(client, world["job_id"], email="Elena@Example.com")
    assert yourself.status_code == 400 and "You can&#39;t refer yourself" in text_of(yourself)
    closed = refer(client, world["closed_id"])
    assert closed.status_code == 400 and "Not a valid choice" in text_of(closed)
    missing = refer(client, world["job_id"], reason="", email="not-an-email")
    assert missing.status_code == 400
    assert "Say in a few words why you recommend them." in text_of(missing)
    assert "Write an e-mail address like name@example.com." in text_of(missing)
    assert refer(client, world["job_id"]).status_code == 302
    twice = refer(client, world["job_id"], email=PERSON.upper())
    assert twice.status_code == 409
    assert "already been referred for this job" in text_of(twice)
    assert 'value="Luisa Verdi"' in text_of(twice)  # the form keeps what was typed
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Referral.id))) == 1


def test_confirming_with_a_cv_uses_the_upload_checks(app, client):
    world = make_world(app)
    login(client, "elena@example.com")
    refer(client, world["job_id"])
    path = referral_link(app)
    visitor = app.test_client()
    bad = confirm(visitor, path, cv=(io.BytesIO(ELF), "cv.pdf", "application/pdf"))
    assert bad.status_code == 400
    assert people_named(app, PERSON) == (0, 0)
    good = confirm(visitor, path, cv=(io.BytesIO(minimal_pdf()), "Luisa CV.pdf", "application/pdf"))
    assert good.status_code == 302
    with app.app_context():
        application = db.session.scalar(db.select(Application))
        assert (application.cv_filename, application.cv_content_type) == ("Luisa CV.pdf", "application/pdf")


def test_someone_who_already_applied_is_told_by_mail_and_the_referral_is_dropped(app, client):
    world = make_world(app)
    login(client, "elena@example.com")
    refer(client, world["job_id"])
    path = referral_link(app)
    with app.app_context():
        organization = db.session.scalar(db.select(Referral)).job.organization
        candidate = Candidate(organization_id=organization.id, name="Luisa", email=PERSON)
        db.session.add(candidate)
        db.session.flush()
        db.session.add(
            Application(
                organization_id=organization.id,
                job_id=world["job_id"],
                candidate_id=candidate.id,
                public_id="x" * 20,
            )
        )
        db.session.commit()
    response = confirm(app.test_client(), path)
    # The same answer as a confirmed referral; only the address's owner hears, by e-mail.
    assert response.status_code == 302 and response.headers["Location"].endswith("/apply/thanks")
    notice = sent_mail(app)[0]
    assert notice.to == PERSON and "You have already applied" in notice.subject
    referral = the_referral(app)
    assert (referral.status, referral.email) == (ReferralStatus.DECLINED, None)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Application.id))) == 1
        assert db.session.scalar(db.select(Application.channel)) == "direct"  # not re-attributed


def test_a_referral_for_a_job_that_closed_can_only_be_declined(app, client):
    world = make_world(app)
    login(client, "elena@example.com")
    refer(client, world["job_id"])
    path = referral_link(app)
    with app.app_context():
        db.session.get(Job, world["job_id"]).status = JobStatus.CLOSED
        db.session.commit()
    visitor = app.test_client()
    page = visitor.get(path)
    assert page.status_code == 410 and "This job has closed" in text_of(page)
    assert confirm(visitor, path).status_code == 410
    assert people_named(app, PERSON) == (0, 0)
    assert submit(visitor, path, {}, action=f"{path}/decline").status_code == 302
    assert the_referral(app).email is None


def test_an_employee_refers_at_most_twenty_people_a_day(app):
    world = make_world(app)
    with app.app_context():
        elena = db.session.scalar(db.select(User).where(User.email == "elena@example.com"))
        for number in range(REFERRALS_PER_DAY):
            refer_candidate(
                elena,
                job_id=world["job_id"],
                name=f"P {number}",
                email=f"p{number}@example.com",
                reason="",
                language="en",
            )
        try:
            refer_candidate(
                elena,
                job_id=world["job_id"],
                name="One more",
                email="more@example.com",
                reason="",
                language="en",
            )
        except Invalid as error:
            assert "up to 20 people a day" in error.message
        else:
            raise AssertionError("the 21st referral of the day was accepted")
