# SPDX-License-Identifier: AGPL-3.0-or-later
"""The candidate portal: magic links, link requests, the status page, contact details, withdrawing."""

from __future__ import annotations

from datetime import timedelta

from app.core.extensions import db
from app.core.security import hash_token
from app.models import (
    Application,
    ApplicationStage,
    Candidate,
    CandidateAccessToken,
    CandidateSession,
    JourneyEvent,
    QuestionKind,
    Role,
    User,
    utcnow,
)
from app.pipeline.stages import move_application
from app.portal.services import issue_portal_link
from tests.factories import make_organization, make_user
from tests.helpers import csrf_token, follow_magic_link, link_in_mail, sent_mail, submit, text_of
from tests.test_applications import apply_path, make_job, make_question, post_application

EMAIL = "ada@example.com"
SAME_ANSWER = "If we have applications from this address, a link to your page is on its way."


def open_job(app, title: str = "Robot Whisperer", organization_slug: str | None = None) -> tuple[str, str]:
    """A published job (in a new organization unless one is named): its apply path and org slug."""
    with app.app_context():
        if organization_slug:
            from app.organizations.services import find_organization_by_slug

            organization = find_organization_by_slug(organization_slug)
        else:
            organization = make_organization(name="Aurora Robotics")
        job = make_job(organization, title)
        db.session.commit()
        return apply_path(organization.slug, job.slug), organization.slug


def apply_and_enter(app, client, email: str = EMAIL, **overrides) -> tuple[str, str]:
    """Apply to a new job, then open the portal with the link from the confirmation e-mail."""
    path, org_slug = open_job(app)
    assert post_application(client, path, email=email, **overrides).status_code == 302
    entered = follow_magic_link(client, link_in_mail(app, email, "portal/enter/"))
    assert entered.status_code == 302 and entered.headers["Location"] == "/portal/"
    return path, org_slug


def test_the_confirmation_link_opens_the_portal_on_a_clean_address(app, client):
    path, _ = open_job(app)
    assert post_application(client, path).status_code == 302
    link = link_in_mail(app, EMAIL, "portal/enter/")
    raw = link.rsplit("/", 1)[1]
    assert len(raw) >= 43  # 256 random bits, URL-safe

    fresh = app.test_client()
    assert fresh.get("/portal/").headers["Location"] == "/portal/link"
    entered = follow_magic_link(fresh, link)
    assert entered.status_code == 302 and entered.headers["Location"] == "/portal/"
    home = fresh.get("/portal/")
    page = text_of(home)
    assert home.status_code == 200
    assert home.headers["Cache-Control"] == "private, no-store"
    assert "Robot Whisperer" in page and "Aurora Robotics" in page
    assert "We received your application on" in page
    assert "Status: <strong>Received</strong>" in page
    assert "Invitations" not in page and "Messages and feedback" not in page
    assert raw not in page

    with app.app_context():
        token = db.session.scalar(db.select(CandidateAccessToken))
        assert token.token_hash == hash_token(raw) and token.used_at is not None
        assert (
            db.session.scalar(db.select(CandidateAccessToken).where(CandidateAccessToken.token_hash == raw))
            is None
        )
        portal_session = db.session.scalar(db.select(CandidateSession))
        assert len(portal_session.token_hash) == 64
        assert portal_session.expires_at - utcnow() > timedelta(days=29)
        events = db.session.scalars(
            db.select(JourneyEvent.type).where(JourneyEvent.type == "portal_visited")
        ).all()
        assert events == ["portal_visited"]


def test_used_expired_and_forged_links_are_gone_and_open_nothing(app, client):
    path, org_slug = open_job(app)
    assert post_application(client, path).status_code == 302
    link = link_in_mail(app, EMAIL, "portal/enter/")
    assert follow_magic_link(app.test_client(), link).status_code == 302

    for bad_link in (link, "/portal/enter/forged-token-that-nobody-issued"):
        stranger = app.test_client()
        response = stranger.get(bad_link)
        assert response.status_code == 410
        assert "Send me a new link" in text_of(response)
        assert stranger.get("/portal/").status_code == 302
    used = text_of(app.test_client().get(link))
    assert "already used" in used and f"/portal/link?org={org_slug}" in used

    with app.app_context():
        candidate = db.session.scalar(db.select(Candidate))
        raw = issue_portal_link(candidate)
        db.session.execute(db.update(CandidateAccessToken).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    stranger = app.test_client()
    expired = stranger.get(f"/portal/enter/{raw}")
    assert expired.status_code == 410 and "expired" in text_of(expired)
    assert stranger.get("/portal/").status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(CandidateSession.id))) == 1


def test_opening_a_used_link_again_in_the_same_browser_just_shows_the_page(app, client):
    path, _ = open_job(app)
    assert post_application(client, path).status_code == 302
    link = link_in_mail(app, EMAIL, "portal/enter/")
    assert follow_magic_link(client, link).status_code == 302
    again = client.get(link)
    assert again.status_code == 302 and again.headers["Location"] == "/portal/"


def test_asking_for_a_link_never_reveals_whether_the_address_is_known(app, client):
    path, org_slug = open_job(app)
    assert post_application(client, path).status_code == 302
    _, other_org = open_job(app)
    before = len(sent_mail(app))

    form = f"/portal/link?org={org_slug}"
    known = submit(app.test_client(), form, {"email": " ADA@example.com "})
    unknown = submit(app.test_client(), form, {"email": "nobody@example.com"})
    elsewhere = submit(app.test_client(), f"/portal/link?org={other_org}", {"email": EMAIL})
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"] == f"/portal/link/sent?org={org_slug}"
    assert elsewhere.status_code == 302
    assert SAME_ANSWER in text_of(client.get(known.headers["Location"]))

    mails = sent_mail(app)
    assert len(mails) == before + 1  # only for the known address, only in its organization
    assert mails[0].to == EMAIL and "Aurora Robotics" in mails[0].subject
    fresh = app.test_client()
    assert follow_magic_link(fresh, link_in_mail(app, EMAIL, "portal/enter/")).status_code == 302
    assert fresh.get("/portal/").status_code == 200

    bad = submit(app.test_client(), form, {"email": "not-an-address"})
    assert bad.status_code == 400 and 'value="not-an-address"' in text_of(bad)


def test_without_an_organization_a_link_goes_out_for_each_organization_that_knows_the_address(app, client):
    for _ in range(2):
        path, _ = open_job(app)
        assert post_application(client, path).status_code == 302
    before = len(sent_mail(app))
    response = submit(app.test_client(), "/portal/link", {"email": EMAIL})
    assert response.status_code == 302 and response.headers["Location"] == "/portal/link/sent"
    assert len(sent_mail(app)) == before + 2


def test_link_requests_are_rate_limited_with_a_clear_page(app):
    client = app.test_client()
    for _ in range(5):
        assert submit(client, "/portal/link", {"email": "x@example.com"}).status_code == 302
    limited = submit(client, "/portal/link", {"email": "x@example.com"})
    assert limited.status_code == 429
    assert "try again in 15 minutes" in text_of(limited)


def test_the_link_request_form_needs_its_csrf_token(app, client):
    assert client.post("/portal/link", data={"email": EMAIL}).status_code == 400


def test_the_timeline_speaks_plainly_and_a_screening_flag_is_not_shown_as_a_rejection(app, client):
    with app.app_context():
        organization = make_organization(name="Aurora Robotics")
        job = make_job(organization, "Night Welder")
        permit = make_question(
            job, "Work permit?", QuestionKind.YES_NO, required=True, knockout_answers=["no"]
        )
        path = apply_path(organization.slug, job.slug)
        question_field = f"q_{permit.id}"
        recruiter = make_user(organization, Role.RECRUITER)
        recruiter_id = recruiter.id
        db.session.commit()
    assert post_application(client, path, **{question_field: "no"}).status_code == 302
    assert follow_magic_link(client, link_in_mail(app, EMAIL, "portal/enter/")).status_code == 302

    page = text_of(client.get("/portal/"))
    assert "Status: <strong>Received</strong>" in page
    assert "Not a fit" not in page  # flagged for a person to confirm: not a decision yet

    with app.app_context():
        application = db.session.scalar(db.select(Application))
        assert application.stage == ApplicationStage.NEW and application.knockout
        [first] = application.stage_changes
        assert (first.from_stage, first.to_stage, first.actor_user_id) == (None, "new", None)
        move_application(application, ApplicationStage.REJECTED, db.session.get(User, recruiter_id))
        assert application.closed_at is not None
        db.session.commit()
    page = text_of(client.get("/portal/"))
    assert "Status: <strong>Not a fit for this role</strong>" in page
    assert "Not a fit for this role: on" in page and "decided not to go ahead" in page
    assert page.index("We received your application on") < page.index("Not a fit for this role: on")
    assert "Withdraw this application" not in page  # the process has ended


def test_contact_details_keep_what_was_typed_on_error_and_save_when_valid(app, client):
    apply_and_enter(app, client)
    form = client.get("/portal/details")
    assert form.status_code == 200 and 'value="Ada Lovelace"' in text_of(form)
    assert "Cache-Control" in form.headers and form.headers["Cache-Control"] == "private, no-store"

    data = {
        "name": "Ada King",
        "phone": "+39 333 1234567",
        "location": "Turin",
        "linkedin_url": "javascript:alert(1)",
        "portfolio_url": "",
    }
    refused = submit(client, "/portal/details", data)
    page = text_of(refused)
    assert refused.status_code == 400
    assert "Write a full address starting with https://" in page
    assert 'value="Ada King"' in page and 'value="Turin"' in page and 'value="+39 333 1234567"' in page
    with app.app_context():
        assert db.session.scalar(db.select(Candidate.name)) == "Ada Lovelace"

    saved = submit(
        client, "/portal/details", {**data, "linkedin_url": "https://www.linkedin.com/in/ada-king"}
    )
    assert saved.status_code == 302 and saved.headers["Location"] == "/portal/"
    assert "Your details were saved." in text_of(client.get("/portal/"))
    with app.app_context():
        candidate = db.session.scalar(db.select(Candidate))
        assert (candidate.name, candidate.location, candidate.phone) == (
            "Ada King",
            "Turin",
            "+39 333 1234567",
        )
        assert candidate.linkedin_url == "https://www.linkedin.com/in/ada-king"
        assert candidate.portfolio_url is None and candidate.email == EMAIL

    empty_name = submit(client, "/portal/details", {**data, "name": "", "linkedin_url": ""})
    assert empty_name.status_code == 400 and "Tell us your name." in text_of(empty_name)


def test_withdrawing_closes_the_application_once_and_shows_on_the_timeline(app, client):
    apply_and_enter(app, client)
    with app.app_context():
        public_id = db.session.scalar(db.select(Application.public_id))
    withdraw = f"/portal/applications/{public_id}/withdraw"
    confirm = client.get(withdraw)
    assert confirm.status_code == 200 and "Withdraw your application for Robot Whisperer?" in text_of(confirm)

    assert client.post(withdraw).status_code == 400  # no CSRF token
    assert client.post("/portal/export").status_code == 400
    assert client.post("/portal/logout").status_code == 400
    done = submit(client, withdraw, {})
    assert done.status_code == 302 and done.headers["Location"] == "/portal/"
    page = text_of(client.get("/portal/"))
    assert "You withdrew your application on" in page
    assert "Status: <strong>Withdrawn</strong>" in page and "Withdraw this application" not in page

    with app.app_context():
        application = db.session.scalar(db.select(Application))
        assert application.stage == ApplicationStage.WITHDRAWN and application.closed_at is not None
        last = application.stage_changes[-1]
        assert (last.from_stage, last.to_stage, last.actor_user_id) == ("new", "withdrawn", None)
        events = db.session.scalars(
            db.select(JourneyEvent).where(JourneyEvent.type == "application_withdrawn")
        ).all()
        assert len(events) == 1 and events[0].job_id == application.job_id and events[0].data == {}

    # The confirmation page is gone now, so the token comes from another page of the portal.
    again = client.post(withdraw, data={"csrf_token": csrf_token(client, "/portal/details")})
    assert again.status_code == 409
    assert "You already withdrew your application for Robot Whisperer." in text_of(again)
    assert client.get(withdraw).status_code == 409


def test_a_candidate_cannot_reach_another_candidates_application(app, client):
    _, org_slug = apply_and_enter(app, client)
    other_path, _ = open_job(app, "Painter", organization_slug=org_slug)
    assert post_application(app.test_client(), other_path, email="grace@example.com").status_code == 302
    with app.app_context():
        other = db.session.scalar(
            db.select(Application.public_id).join(Candidate).where(Candidate.email == "grace@example.com")
        )
    assert client.get(f"/portal/applications/{other}/withdraw").status_code == 404
    assert "Painter" not in text_of(client.get("/portal/"))


def test_signing_out_revokes_the_session_on_the_server(app, client):
    apply_and_enter(app, client)
    stolen = client.get_cookie("session").value
    out = submit(client, "/portal/", {}, action="/portal/logout")
    assert out.status_code == 302 and out.headers["Location"].startswith("/portal/link?org=")
    assert client.get("/portal/").status_code == 302

    replay = app.test_client()
    replay.set_cookie("session", stolen)
    assert replay.get("/portal/").headers["Location"] == "/portal/link"
    with app.app_context():
        assert db.session.scalar(db.select(CandidateSession.revoked_at)) is not None


def test_an_expired_session_no_longer_opens_the_page(app, client):
    apply_and_enter(app, client)
    assert client.get("/portal/").status_code == 200
    with app.app_context():
        db.session.execute(db.update(CandidateSession).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert client.get("/portal/").headers["Location"] == "/portal/link"


def test_opening_a_magic_link_by_get_spends_nothing_and_the_button_opens_the_page(app, client):
    path, _ = open_job(app)
    assert post_application(client, path).status_code == 302
    link = link_in_mail(app, EMAIL, "portal/enter/")

    scanner = app.test_client()  # a mail scanner, or a link preview, follows the link first
    for _ in range(3):
        shown = scanner.get(link)
        assert shown.status_code == 200 and shown.headers["Cache-Control"] == "private, no-store"
        page = text_of(shown)
        assert page.count("<form") == 1 and "Open my page" in page and "Aurora Robotics" in page
        assert 'name="referrer" content="no-referrer"' in page
    assert scanner.get("/portal/").status_code == 302  # seeing the page signs nobody in
    assert client.post(link).status_code == 400  # the button needs its form's CSRF token
    with app.app_context():
        assert db.session.scalar(db.select(CandidateAccessToken.used_at)) is None
        assert db.session.scalar(db.select(db.func.count(CandidateSession.id))) == 0

    person = app.test_client()
    entered = follow_magic_link(person, link)
    assert entered.status_code == 302 and entered.headers["Location"] == "/portal/"
    assert person.get("/portal/").status_code == 200
    with app.app_context():
        assert db.session.scalar(db.select(CandidateAccessToken.used_at)) is not None

    # Spent: a second browser pressing the button on a page it opened earlier gets the 410 page.
    late = app.test_client()
    token = csrf_token(late, "/portal/link")
    refused = late.post(link, data={"csrf_token": token})
    assert refused.status_code == 410 and "already used" in text_of(refused)
    assert late.get("/portal/").status_code == 302
