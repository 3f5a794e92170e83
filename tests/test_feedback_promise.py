# SPDX-License-Identifier: AGPL-3.0-or-later
"""No candidate without an answer: the response promise, the dashboard card and the daily digest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from app.core.extensions import db
from app.feedback.promise import send_response_digests
from app.feedback.services import Wording, send_message
from app.models import (
    Application,
    ApplicationStageChange,
    Candidate,
    Organization,
    ResponseDigest,
    Role,
    utcnow,
)
from app.pipeline.stages import move_application
from tests.factories import make_application, make_candidate, make_job, make_organization, make_user
from tests.helpers import login, sent_mail, submit, text_of

ADMIN, RECRUITER, MANAGER, OTHER_MANAGER = (
    "ada.admin@example.com",
    "rita@example.com",
    "manny@example.com",
    "mo@example.com",
)


@dataclass(frozen=True)
class Waiting:
    """Names of the applications set up, by what happened to them."""

    organization_id: int


def applied(job, name: str, days_ago: int, **values) -> Application:
    """An application by ``name`` submitted ``days_ago`` days ago, arriving as the apply form records it."""
    organization = db.session.get(Organization, job.organization_id)
    email = name.lower().replace(" ", ".") + "@example.com"
    submitted_at = utcnow() - timedelta(days=days_ago, hours=1)
    application = make_application(
        job, make_candidate(organization, name=name, email=email), submitted_at=submitted_at, **values
    )
    db.session.add(
        ApplicationStageChange(
            organization_id=organization.id,
            application_id=application.id,
            from_stage=None,
            to_stage="new",
            actor_user_id=None,
            changed_at=submitted_at,
        )
    )
    db.session.flush()
    return application


@pytest.fixture
def waiting(app) -> Waiting:
    """One application waiting past the promise, and others that got an answer or are not late."""
    with app.app_context():
        organization = make_organization(name="Aurora Robotics")
        make_user(organization, Role.ADMIN, email=ADMIN, name="Ada Admin")
        recruiter = make_user(organization, Role.RECRUITER, email=RECRUITER, name="Rita Recruiter")
        manager = make_user(organization, Role.MANAGER, email=MANAGER, name="Manny")
        make_user(organization, Role.MANAGER, email=OTHER_MANAGER, name="Mo")
        make_user(organization, Role.EMPLOYEE, email="emma@example.com")
        job = make_job(organization, title="Robot Whisperer", hiring_manager_id=manager.id)
        applied(job, "Willa Waiting", days_ago=12)
        messaged = applied(job, "Mona Messaged", days_ago=12)
        send_message(recruiter, messaged, Wording("Update", "We need a few more days."), language="en")
        moved = applied(job, "Sam Shortlisted", days_ago=12)
        move_application(moved, "shortlisted", recruiter)
        # Moved by the system (no one answered yet): still waiting.
        automatic = applied(job, "Otto Automatic", days_ago=11)
        move_application(automatic, "interview_invited", None)
        applied(job, "Fiona Fresh", days_ago=3)
        applied(job, "Hugo Hired", days_ago=30, stage="hired", closed_at=utcnow())
        applied(job, "Wanda Withdrawn", days_ago=30, stage="withdrawn", closed_at=utcnow())
        # Another organization's late application is none of this one's business.
        rival = make_organization(name="Rival")
        make_user(rival, Role.ADMIN, email="rival@example.com")
        applied(make_job(rival), "Ralph Rival", days_ago=20)
        db.session.commit()
        return Waiting(organization.id)


def test_the_dashboard_flags_applications_waiting_past_the_promise(app, waiting):
    client = app.test_client()
    login(client, RECRUITER)
    page = text_of(client.get("/app/"))
    assert "Waiting for an answer" in page
    assert "2 candidates have waited more than 10 days" in page
    card = page.split("Waiting for an answer", 1)[1]
    assert "Willa Waiting" in card and "12 days" in card
    assert "Otto Automatic" in card and "11 days" in card
    assert card.index("Willa Waiting") < card.index("Otto Automatic")  # the longest wait first
    for answered_or_not_late in (
        "Mona Messaged",
        "Sam Shortlisted",
        "Fiona Fresh",
        "Hugo Hired",
        "Wanda",
        "Ralph",
    ):
        assert answered_or_not_late not in page
    assert "/app/feedback/compose?application=" in card  # write to them straight away

    # Answering is the recruiters' promise: managers, even the job's own, see no card
    # (they see only shortlists shared with them).
    manager = app.test_client()
    login(manager, MANAGER)
    assert "Willa Waiting" not in text_of(manager.get("/app/"))
    other = app.test_client()
    login(other, OTHER_MANAGER)
    assert "Waiting for an answer" not in text_of(other.get("/app/"))


def test_answering_removes_the_flag(app, waiting):
    client = app.test_client()
    login(client, RECRUITER)
    with app.app_context():
        public_id = db.session.scalar(
            db.select(Application.public_id)
            .join(Application.candidate)
            .where(Candidate.name == "Willa Waiting")
        )
    response = submit(
        client,
        f"/app/feedback/compose?application={public_id}",
        {
            "subject_en": "Thank you",
            "body_en": "Dear {first_name}, we are still reviewing.",
            "action": "send",
        },
    )
    assert response.status_code == 302
    page = text_of(client.get("/app/"))
    assert "Willa Waiting" not in page and "1 candidate has waited more than 10 days" in page


def test_admins_set_the_response_promise(app, waiting):
    admin = app.test_client()
    login(admin, ADMIN)
    refused = submit(
        admin, "/app/feedback/templates", {"response_promise_days": "0"}, action="/app/feedback/settings"
    )
    assert refused.status_code == 400 and 'value="0"' in text_of(refused)
    saved = submit(
        admin, "/app/feedback/templates", {"response_promise_days": "12"}, action="/app/feedback/settings"
    )
    assert saved.status_code == 302
    with app.app_context():
        assert db.session.get(Organization, waiting.organization_id).response_promise_days == 12
    page = text_of(admin.get("/app/"))
    assert "Willa Waiting" in page and "Otto Automatic" not in page  # 11 days is now within the promise

    recruiter = app.test_client()
    login(recruiter, RECRUITER)
    assert "Response promise" not in text_of(recruiter.get("/app/feedback/templates"))
    assert (
        submit(
            recruiter,
            "/app/feedback/templates",
            {"response_promise_days": "5"},
            action="/app/feedback/settings",
        ).status_code
        == 403
    )


def test_the_daily_digest_lists_the_waiting_to_recruiters_and_admins_once_a_day(app, waiting):
    before = len(sent_mail(app))
    with app.app_context():
        report = send_response_digests()
    assert report.sent == 3  # this organization's admin and recruiter, and the rival's admin
    digests = {mail.to: mail for mail in sent_mail(app)[: len(sent_mail(app)) - before]}  # newest first
    assert sorted(digests) == sorted([ADMIN, RECRUITER, "rival@example.com"])
    for address in (ADMIN, RECRUITER):
        mail = digests[address]
        assert mail.subject == "2 candidates are waiting for an answer"
        assert "Willa Waiting" in mail.text and "12 days" in mail.text and "Otto Automatic" in mail.text
        assert "http://localhost/app/applications/" in mail.text
        for not_waiting in ("Mona", "Sam", "Fiona", "Hugo", "Wanda", "Ralph"):
            assert not_waiting not in mail.text
    rival = digests["rival@example.com"]
    assert rival.subject == "1 candidate is waiting for an answer"
    assert "Ralph Rival" in rival.text and "Willa" not in rival.text

    # A second run the same day sends nothing more; the next day it goes out again.
    with app.app_context():
        again = send_response_digests()
        assert (again.sent, again.skipped) == (0, 3)
        assert db.session.scalar(db.select(db.func.count(ResponseDigest.id))) == 3
        tomorrow = send_response_digests(utcnow() + timedelta(days=1))
        assert tomorrow.sent == 3


def test_no_digest_when_nobody_waits_and_deactivated_colleagues_get_none(app):
    with app.app_context():
        organization = make_organization()
        make_user(organization, Role.RECRUITER, email=RECRUITER)
        gone = make_user(organization, Role.RECRUITER, email="gone@example.com")
        gone.active = False
        job = make_job(organization)
        applied(job, "Fiona Fresh", days_ago=2)
        db.session.commit()
        assert send_response_digests().sent == 0
        applied(job, "Willa Waiting", days_ago=15)
        db.session.commit()
        assert send_response_digests().sent == 1
    assert [mail.to for mail in sent_mail(app) if "waiting" in mail.subject] == [RECRUITER]


def test_the_periodic_task_is_registered_with_the_consumer():
    from app.core.jobs import TASK_MODULES

    assert "app.feedback.tasks" in TASK_MODULES
