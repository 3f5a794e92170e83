# SPDX-License-Identifier: AGPL-3.0-or-later
"""Shortlists: built by recruiters, shared with managers (who see nothing else) or through outside links."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.core.extensions import db
from app.core.security import hash_token
from app.models import Application, ApplicationStage, AuditEvent, Job, Role, utcnow
from app.models.review import Review, Shortlist, ShortlistEntry, ShortlistShare
from app.reviews import shortlists
from tests.factories import (
    make_application,
    make_candidate,
    make_invitation,
    make_job,
    make_organization,
    make_template,
    make_user,
)
from tests.helpers import csrf_token, link_in_mail, login, sent_mail, submit, text_of


@pytest.fixture
def hiring(app) -> dict:
    """A recruiter, two managers, an employee; a job with three interviewed applications, another job."""
    with app.app_context():
        organization = make_organization()
        make_user(organization, Role.RECRUITER, email="rita@example.com", name="Rita Recruiter")
        manager = make_user(organization, Role.MANAGER, email="marta@example.com", name="Marta Manager")
        make_user(organization, Role.MANAGER, email="other@example.com", name="Otto Other")
        make_user(organization, Role.EMPLOYEE, email="emma@example.com")
        job = make_job(organization, title="Robot Whisperer", hiring_manager_id=manager.id)
        other_job = make_job(organization, title="Gear Greaser", hiring_manager_id=manager.id)
        template = make_template(organization, questions=[{"prompt_text": "Why robots?"}])
        applications = []
        for name in ("Alice Anders", "Bruno Bianchi", "Chiara Conti"):
            application = make_application(job, make_candidate(organization, name=name))
            make_invitation(application, template, answered=True)
            applications.append(application)
        elsewhere = make_application(other_job, make_candidate(organization, name="Dario Dalla"))
        db.session.commit()
        return {
            "organization_id": organization.id,
            "job_id": job.id,
            "other_job_id": other_job.id,
            "applications": [application.public_id for application in applications],
            "application_ids": [application.id for application in applications],
            "elsewhere": elsewhere.public_id,
        }


def browser(app, email: str):
    client = app.test_client()
    login(client, email)
    return client


def create_shortlist(client, job_id: int, name: str = "Final round") -> int:
    response = submit(client, "/app/reviews/shortlists", {"job_id": str(job_id), "name": name})
    assert response.status_code == 302, text_of(response)
    return int(re.search(r"/shortlists/(\d+)", response.headers["Location"]).group(1))


def add(client, shortlist_id: int, application_ids: list[int]):
    path = f"/app/reviews/shortlists/{shortlist_id}"
    return submit(
        client, path, {"application_ids": [str(i) for i in application_ids]}, action=f"{path}/entries"
    )


def share_with(app, client, shortlist_id: int, email: str):
    with app.app_context():
        from app.models import User

        user_id = db.session.scalar(db.select(User.id).where(User.email == email))
    path = f"/app/reviews/shortlists/{shortlist_id}"
    return submit(client, path, {"user_id": str(user_id)}, action=f"{path}/shares")


def make_link(client, shortlist_id: int, label: str = "Dana at the agency", days: int = 7) -> str:
    path = f"/app/reviews/shortlists/{shortlist_id}"
    response = submit(client, path, {"label": label, "days": str(days)}, action=f"{path}/links")
    assert response.status_code == 201, text_of(response)
    url = re.search(r'value="(http://localhost/app/reviews/shared/[^"]+)"', text_of(response)).group(1)
    return url.removeprefix("http://localhost")


def audit(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(
            db.session.scalars(
                db.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
            )
        )


# -- building ------------------------------------------------------------------------------------------


def test_a_recruiter_builds_a_shortlist_and_the_applications_move_to_shortlisted(app, hiring):
    rita = browser(app, "rita@example.com")
    shortlist_id = create_shortlist(rita, hiring["job_id"])
    assert add(rita, shortlist_id, hiring["application_ids"][:2]).status_code == 302
    page = text_of(rita.get(f"/app/reviews/shortlists/{shortlist_id}"))
    assert "Alice Anders" in page and "Bruno Bianchi" in page
    with app.app_context():
        stages = [db.session.get(Application, i).stage for i in hiring["application_ids"]]
        assert stages == [ApplicationStage.SHORTLISTED, ApplicationStage.SHORTLISTED, ApplicationStage.NEW]
    assert audit(app, "shortlist.created") and audit(app, "shortlist.entries_added")

    # The third one is still offered; an application of another job is refused.
    assert "Chiara Conti" in page.split('id="add"')[1]
    with app.app_context():
        elsewhere_id = db.session.scalar(
            db.select(Application.id).where(Application.public_id == hiring["elsewhere"])
        )
    assert add(rita, shortlist_id, [elsewhere_id]).status_code == 400

    entry_id = int(re.search(r"/entries/(\d+)/delete", page).group(1))
    path = f"/app/reviews/shortlists/{shortlist_id}"
    submit(rita, path, {}, action=f"{path}/entries/{entry_id}/delete")
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ShortlistEntry)) == 1


def test_managers_and_employees_cannot_build_shortlists(app, hiring):
    marta = browser(app, "marta@example.com")
    token = csrf_token(marta, "/app/reviews/shortlists")
    response = marta.post(
        "/app/reviews/shortlists", data={"csrf_token": token, "job_id": hiring["job_id"], "name": "X"}
    )
    assert response.status_code == 403
    assert browser(app, "emma@example.com").get("/app/reviews/shortlists").status_code == 403


# -- managers ------------------------------------------------------------------------------------------


def test_a_manager_is_mailed_a_link_and_sees_the_shared_shortlist_and_nothing_else(app, hiring):
    rita = browser(app, "rita@example.com")
    shortlist_id = create_shortlist(rita, hiring["job_id"])
    add(rita, shortlist_id, hiring["application_ids"][:2])
    secret_list = create_shortlist(rita, hiring["job_id"], name="Not for Marta")
    add(rita, secret_list, hiring["application_ids"][2:])
    marta = browser(app, "marta@example.com")

    # Before sharing, the hiring manager of the job sees none of it.
    assert marta.get(f"/app/applications/{hiring['applications'][0]}").status_code == 403
    assert marta.get(f"/app/jobs/{hiring['job_id']}/applications").status_code == 403
    assert marta.get(f"/app/reviews/shortlists/{shortlist_id}").status_code == 403

    assert share_with(app, rita, shortlist_id, "marta@example.com").status_code == 302
    message = next(m for m in sent_mail(app) if "marta@example.com" in m.to)
    assert "Rita Recruiter shared a shortlist for Robot Whisperer with you" in message.subject
    link = link_in_mail(app, "marta@example.com", "app/reviews/shortlists/")
    assert link == f"/app/reviews/shortlists/{shortlist_id}"

    index = text_of(marta.get("/app/reviews/shortlists"))
    assert "Final round" in index and "Not for Marta" not in index
    page = marta.get(link)
    assert page.status_code == 200 and "Alice Anders" in text_of(page) and "Chiara Conti" not in text_of(page)
    assert "Take off the list" not in text_of(page) and "Create a link" not in text_of(page)

    assert marta.get(f"/app/applications/{hiring['applications'][0]}").status_code == 200
    assert marta.get(f"/app/reviews/applications/{hiring['applications'][0]}").status_code == 200
    listing = text_of(marta.get(f"/app/jobs/{hiring['job_id']}/applications"))
    assert "Alice Anders" in listing and "Bruno Bianchi" in listing and "Chiara Conti" not in listing
    assert marta.get(f"/app/applications/{hiring['applications'][2]}").status_code == 403
    assert marta.get(f"/app/reviews/applications/{hiring['applications'][2]}").status_code == 403
    assert marta.get(f"/app/reviews/shortlists/{secret_list}").status_code == 403
    assert marta.get(f"/app/applications/{hiring['elsewhere']}").status_code == 403
    assert marta.get(f"/app/jobs/{hiring['other_job_id']}/applications").status_code == 403
    assert browser(app, "other@example.com").get(link).status_code == 403

    with app.app_context():
        stages = [db.session.get(Application, i).stage for i in hiring["application_ids"]]
        assert stages[:2] == [ApplicationStage.MANAGER_REVIEW, ApplicationStage.MANAGER_REVIEW]
    viewed = audit(app, "shortlist.share_viewed")
    assert viewed and viewed[-1].details["share_kind"] == "manager" and viewed[-1].actor_user_id is not None
    assert audit(app, "shortlist.share_application_viewed")


def test_sharing_twice_with_the_same_manager_is_refused_and_revoking_ends_access(app, hiring):
    rita = browser(app, "rita@example.com")
    shortlist_id = create_shortlist(rita, hiring["job_id"])
    add(rita, shortlist_id, hiring["application_ids"][:1])
    share_with(app, rita, shortlist_id, "marta@example.com")
    assert share_with(app, rita, shortlist_id, "marta@example.com").status_code == 409
    marta = browser(app, "marta@example.com")
    assert marta.get(f"/app/applications/{hiring['applications'][0]}").status_code == 200

    with app.app_context():
        share_id = db.session.scalar(db.select(ShortlistShare.id))
    path = f"/app/reviews/shortlists/{shortlist_id}"
    assert submit(rita, path, {}, action=f"{path}/shares/{share_id}/revoke").status_code == 302
    assert marta.get(f"/app/applications/{hiring['applications'][0]}").status_code == 403
    assert marta.get(path).status_code == 403
    assert "Nothing has been shared with you yet." in text_of(marta.get("/app/reviews/shortlists"))
    assert audit(app, "shortlist.share_revoked")


def test_only_active_managers_of_the_organization_can_be_shared_with(app, hiring):
    rita = browser(app, "rita@example.com")
    shortlist_id = create_shortlist(rita, hiring["job_id"])
    with app.app_context():
        stranger = make_user(make_organization(), Role.MANAGER, email="far@example.com")
        db.session.commit()
        stranger_id = stranger.id
    path = f"/app/reviews/shortlists/{shortlist_id}"
    assert submit(rita, path, {"user_id": str(stranger_id)}, action=f"{path}/shares").status_code == 400
    assert not any("far@example.com" in m.to for m in sent_mail(app))


# -- outside links -------------------------------------------------------------------------------------


def outside_shortlist(app, hiring, *, blind: bool = False) -> tuple[int, str]:
    rita = browser(app, "rita@example.com")
    if blind:
        with app.app_context():
            db.session.get(Job, hiring["job_id"]).blind_review = True
            db.session.commit()
    shortlist_id = create_shortlist(rita, hiring["job_id"])
    add(rita, shortlist_id, hiring["application_ids"][:2])
    return shortlist_id, make_link(rita, shortlist_id)


def test_an_outside_link_is_shown_once_and_only_its_hash_is_stored(app, hiring):
    shortlist_id, link = outside_shortlist(app, hiring)
    raw = link.rsplit("/", 1)[1]
    with app.app_context():
        share = db.session.scalar(db.select(ShortlistShare))
        assert share.token_hash == hash_token(raw) and share.user_id is None
        assert share.expires_at - utcnow() > timedelta(days=6)
    page = text_of(browser(app, "rita@example.com").get(f"/app/reviews/shortlists/{shortlist_id}"))
    assert raw not in page and "Dana at the agency" in page


def test_an_outside_reviewer_gives_a_name_once_then_watches_rates_and_everything_is_audited(app, hiring):
    _shortlist_id, link = outside_shortlist(app, hiring)
    guest = app.test_client()
    first = guest.get(link)
    assert first.status_code == 200 and 'name="name"' in text_of(first)
    assert first.headers["Cache-Control"] == "private, no-store"
    assert '<meta name="referrer" content="no-referrer">' in text_of(first)
    assert submit(guest, link, {"name": "Dana Guest"}).status_code == 302
    listing = text_of(guest.get(link))
    assert (
        "Alice Anders" in listing and "Chiara Conti" not in listing and "Reviewing as Dana Guest" in listing
    )

    review_link = f"{link}/{hiring['applications'][0]}"
    page = text_of(guest.get(review_link))
    assert "Why robots?" in page and "Dana Guest" in page
    assert "@example.com" not in page  # no contact details for outside reviewers
    assert '<meta name="referrer" content="no-referrer">' in page
    rating_field = re.search(r'name="(rating_\d+)"', page).group(1)
    response = submit(guest, review_link, {rating_field: "4", "recommendation": "yes"})
    assert response.status_code == 302
    assert "What the reviewers said" in text_of(guest.get(review_link))

    with app.app_context():
        review = db.session.scalar(db.select(Review))
        assert (
            review.reviewer_id is None
            and review.reviewer_name == "Dana Guest"
            and review.share_id is not None
        )
    for action in (
        "shortlist.share_viewed",
        "shortlist.share_reviewer_joined",
        "shortlist.share_application_viewed",
        "shortlist.share_review_submitted",
    ):
        events = audit(app, action)
        assert events, action
        assert all(event.actor_user_id is None for event in events)
        assert all(event.details["share_label"] == "Dana at the agency" for event in events)
        assert all(event.details["share_kind"] == "link" for event in events)

    # A candidate who is not on the shortlist cannot be reached through the link.
    assert guest.get(f"{link}/{hiring['applications'][2]}").status_code == 404


def test_an_outside_reviewer_sees_others_scores_only_after_submitting(app, hiring):
    _shortlist_id, link = outside_shortlist(app, hiring)
    rita = browser(app, "rita@example.com")
    review_path = f"/app/reviews/applications/{hiring['applications'][0]}"
    page = text_of(rita.get(review_path))
    rating_field = re.search(r'name="(rating_\d+)"', page).group(1)
    submit(
        rita,
        review_path,
        {rating_field: "1", f"note_{rating_field[7:]}": "RITA-NOTE", "recommendation": "strong_no"},
    )

    guest = app.test_client()
    submit(guest, link, {"name": "Dana Guest"})
    review_link = f"{link}/{hiring['applications'][0]}"
    before = text_of(guest.get(review_link))
    assert "RITA-NOTE" not in before and "Rita Recruiter" not in before
    submit(guest, review_link, {rating_field: "5", "recommendation": "strong_yes"})
    after = text_of(guest.get(review_link))
    assert "RITA-NOTE" in after and "Reviewers disagree" in after


def test_blind_mode_shows_pseudonyms_on_the_shared_list(app, hiring):
    _shortlist_id, link = outside_shortlist(app, hiring, blind=True)
    guest = app.test_client()
    submit(guest, link, {"name": "Dana Guest"})
    listing = text_of(guest.get(link))
    assert "Alice Anders" not in listing and "Bruno Bianchi" not in listing
    assert len(re.findall(r"Candidate [A-Z]-\d\d", listing)) == 2


def test_a_revoked_link_answers_410_and_the_attempt_is_audited(app, hiring):
    shortlist_id, link = outside_shortlist(app, hiring)
    guest = app.test_client()
    submit(guest, link, {"name": "Dana Guest"})
    rita = browser(app, "rita@example.com")
    with app.app_context():
        share_id = db.session.scalar(db.select(ShortlistShare.id))
    path = f"/app/reviews/shortlists/{shortlist_id}"
    submit(rita, path, {}, action=f"{path}/shares/{share_id}/revoke")

    for address in (link, f"{link}/{hiring['applications'][0]}"):
        response = guest.get(address)
        assert response.status_code == 410
        assert "This review link no longer works" in text_of(response)
        assert "withdrawn" in text_of(response)
        assert "Alice" not in text_of(response)
    refused = audit(app, "shortlist.share_refused")
    assert (
        len(refused) == 2 and refused[0].details["reason"] == "revoked" and refused[0].actor_user_id is None
    )


def test_an_expired_link_answers_410(app, hiring):
    _shortlist_id, link = outside_shortlist(app, hiring)
    with app.app_context():
        share = db.session.scalar(db.select(ShortlistShare))
        share.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    response = app.test_client().get(link)
    assert response.status_code == 410 and "expired" in text_of(response)
    assert audit(app, "shortlist.share_refused")[0].details["reason"] == "expired"


def test_an_unknown_link_is_404(app, hiring):
    assert app.test_client().get("/app/reviews/shared/not-a-real-token").status_code == 404


def test_a_link_needs_a_label_and_a_sensible_lifetime(app, hiring):
    rita = browser(app, "rita@example.com")
    shortlist_id = create_shortlist(rita, hiring["job_id"])
    path = f"/app/reviews/shortlists/{shortlist_id}"
    assert submit(rita, path, {"label": "", "days": "7"}, action=f"{path}/links").status_code == 400
    assert submit(rita, path, {"label": "X", "days": "400"}, action=f"{path}/links").status_code == 400
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ShortlistShare)) == 0


def test_deleting_a_shortlist_stops_its_links(app, hiring):
    shortlist_id, link = outside_shortlist(app, hiring)
    rita = browser(app, "rita@example.com")
    path = f"/app/reviews/shortlists/{shortlist_id}"
    assert submit(rita, path, {}, action=f"{path}/delete").status_code == 302
    assert app.test_client().get(link).status_code == 404
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Shortlist)) == 0


def test_the_open_share_link_service_refuses_a_share_made_for_a_manager(app, hiring):
    with app.app_context():
        assert shortlists.share_link_url("abc").endswith("/app/reviews/shared/abc")
        from app.core.errors import NotFound

        with pytest.raises(NotFound):
            shortlists.open_share_link("")


# -- one reviewer per outside link -------------------------------------------------------------------


def test_opening_an_outside_link_by_get_joins_nobody(app, hiring):
    _shortlist_id, link = outside_shortlist(app, hiring)
    scanner = app.test_client()  # a mail scanner or link preview opens the link before the reviewer
    for _ in range(3):
        shown = scanner.get(link)
        assert shown.status_code == 200 and 'name="name"' in text_of(shown)
    with app.app_context():
        share = db.session.scalar(db.select(ShortlistShare))
        assert (share.reviewer_name, share.reviewer_key_hash) == (None, None)
    reviewer = app.test_client()
    assert submit(reviewer, link, {"name": "Dana Guest"}).status_code == 302
    assert "Reviewing as Dana Guest" in text_of(reviewer.get(link))


def test_an_outside_link_gives_one_reviewer_and_a_second_browser_cannot_add_reviews(app, hiring):
    shortlist_id, link = outside_shortlist(app, hiring)
    dana = app.test_client()
    assert submit(dana, link, {"name": "Dana Guest"}).status_code == 302
    review_link = f"{link}/{hiring['applications'][0]}"
    page = text_of(dana.get(review_link))
    rating_field = re.search(r'name="(rating_\d+)"', page).group(1)
    assert submit(dana, review_link, {rating_field: "4", "recommendation": "yes"}).status_code == 302

    other = app.test_client()  # the same link forwarded, or opened in a second browser
    refused = other.get(link)
    assert refused.status_code == 403 and "belongs to another reviewer" in text_of(refused)
    assert "Dana" not in text_of(refused) and "Alice Anders" not in text_of(refused)
    token = csrf_token(other, "/login")
    joined = other.post(link, data={"csrf_token": token, "name": "Mallory"})
    assert joined.status_code == 403
    assert other.get(review_link).headers["Location"].endswith(link)
    second = other.post(
        f"{link}/{hiring['applications'][1]}",
        data={"csrf_token": token, rating_field: "1", "recommendation": "strong_no"},
    )
    assert second.status_code == 302 and second.headers["Location"].endswith(link)

    with app.app_context():
        reviews = db.session.scalars(db.select(Review)).all()
        assert [(review.reviewer_name, review.share_id is not None) for review in reviews] == [
            ("Dana Guest", True)
        ]
        share = db.session.scalar(db.select(ShortlistShare))
        assert share.reviewer_name == "Dana Guest" and len(share.reviewer_key_hash) == 64
    assert audit(app, "shortlist.share_join_refused")
    assert [
        event.details.get("reviewer_name") for event in audit(app, "shortlist.share_reviewer_joined")
    ] == ["Dana Guest"]

    # Dana's browser keeps working, and the team sees who the link belongs to.
    assert "What the reviewers said" in text_of(dana.get(review_link))
    staff_page = text_of(browser(app, "rita@example.com").get(f"/app/reviews/shortlists/{shortlist_id}"))
    assert "Reviewer: Dana Guest" in staff_page


def test_a_browser_that_joined_before_links_had_one_reviewer_keeps_its_reviews(app, hiring):
    _shortlist_id, link = outside_shortlist(app, hiring)
    with app.app_context():
        share_id = db.session.scalar(db.select(ShortlistShare.id))
    earlier = app.test_client()
    with earlier.session_transaction() as cookie:
        cookie["shared_reviewers"] = {str(share_id): {"name": "Dana Guest", "key": "k" * 32}}
    assert "Reviewing as Dana Guest" in text_of(earlier.get(link))
    with app.app_context():
        share = db.session.get(ShortlistShare, share_id)
        assert share.reviewer_key_hash == hash_token("k" * 32)
    assert app.test_client().get(link).status_code == 403


def test_only_one_of_two_simultaneous_joins_wins(app, hiring):
    _shortlist_id, _link = outside_shortlist(app, hiring)
    with app.app_context():
        share = db.session.scalar(db.select(ShortlistShare))
        first = shortlists.join_share_link(share, "  Dana   Guest ")
        assert first.name == "Dana Guest" and shortlists.share_reviewer(share, first.key) == first
        with pytest.raises(shortlists.ShareTaken):
            shortlists.join_share_link(share, "Mallory")
        assert shortlists.share_reviewer(share, "someone-else") is None
        db.session.commit()
        assert db.session.get(ShortlistShare, share.id).reviewer_name == "Dana Guest"
