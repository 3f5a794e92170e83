# SPDX-License-Identifier: AGPL-3.0-or-later
"""Candidate experience surveys (cNPS): touchpoints, one answer per application, anonymity, results."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from app.core.extensions import db
from app.models import (
    Application,
    Role,
    SurveyInvitation,
    SurveyResponse,
    Touchpoint,
)
from app.voice import services
from tests.factories import (
    make_application,
    make_candidate,
    make_invitation,
    make_job,
    make_organization,
    make_template,
    make_user,
)
from tests.helpers import link_in_mail, login, logout, sent_mail, submit, text_of


def sign_in(client, email: str) -> None:
    """Sign out whoever is signed in, then sign in as ``email``."""
    if client.get("/app/").status_code == 200:
        logout(client)
    assert login(client, email).status_code == 302


def enable(organization_id: int, **touchpoints: bool) -> None:
    """Turn touchpoints on, as an administrator would."""
    settings = services.survey_settings(organization_id)
    for name, value in touchpoints.items():
        setattr(settings, name, value)
    db.session.add(settings)
    db.session.flush()


def setup_interview(app, *, enabled: bool = True, language: str | None = None) -> dict:
    """An organization with a recruiter, a job, an application and a completed interview."""
    with app.app_context():
        organization = make_organization(name="Aurora Robotics")
        admin = make_user(organization, Role.ADMIN, email="ada-admin@example.com")
        recruiter = make_user(organization, Role.RECRUITER, email="rita@example.com")
        employee = make_user(organization, Role.EMPLOYEE, email="emil@example.com")
        job = make_job(organization, title="Robot Whisperer")
        candidate = make_candidate(organization, name="Cleo", email="cleo@example.com", language=language)
        application = make_application(job, candidate)
        template = make_template(organization)
        _invitation, token = make_invitation(application, template, answered=True)
        if enabled:
            enable(organization.id, after_applying=True, after_interview=True, after_decision=True)
        db.session.commit()
        return {
            "organization": organization.id,
            "slug": organization.slug,
            "job": job.id,
            "job_slug": job.slug,
            "application": application.id,
            "public_id": application.public_id,
            "interview_link": f"/interview/{token}",
            "admin": admin.email,
            "recruiter": recruiter.email,
            "employee": employee.email,
        }


def add_answers(app, ids: dict, scores: list[int], touchpoint: Touchpoint = Touchpoint.INTERVIEW) -> None:
    """Other candidates' answers for the same job, through the same service."""
    with app.app_context():
        job = db.session.get(Application, ids["application"]).job
        for score in scores:
            application = make_application(job)
            target = services.SurveyTarget(application, touchpoint, None)
            services.record_survey_answer(target, score=score, comment=f"Scored {score}", linked=False)
        db.session.commit()


def results_row(html: str, touchpoint: str) -> str:
    """The results table row of one touchpoint."""
    match = re.search(rf'<tr data-touchpoint="{touchpoint}">(.*?)</tr>', html, re.S)
    assert match, f"no row for {touchpoint}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def test_a_cnps_answer_after_an_interview_shows_in_the_results(app, client):
    ids = setup_interview(app)
    add_answers(app, ids, [9, 10, 3, 8])  # four answers: not enough to show a score
    sign_in(client, ids["recruiter"])
    before = text_of(client.get("/app/voice/candidates"))
    assert results_row(before, "interview") == "After the interview 4 Not enough answers yet"
    logout(client)

    finished = text_of(client.get(ids["interview_link"]))
    assert "How likely are you to recommend applying to Aurora Robotics to a friend?" in finished
    action = re.search(r'<form method="post" action="([^"]+)" class="survey-form"', finished).group(1)
    assert action == f"/survey{ids['interview_link']}"
    answered = client.post(
        action, data={"score": "10", "comment": "Clear questions, kind outro.", "sharing": "anonymous"}
    )
    assert answered.status_code == 200 and "Thank you for your answer" in text_of(answered)

    sign_in(client, ids["recruiter"])
    after = text_of(client.get("/app/voice/candidates"))
    # Promoters 9, 10, 10 (3 of 5), detractor 3 (1 of 5): NPS = 60 - 20 = +40.
    assert results_row(after, "interview") == "After the interview 5 +40"
    assert "Clear questions, kind outro." in after
    with app.app_context():
        response = db.session.scalar(
            db.select(SurveyResponse).where(SurveyResponse.score == 10, SurveyResponse.comment != "Scored 10")
        )
        assert response.application_id is None and response.touchpoint == Touchpoint.INTERVIEW
        assert response.answered_on == datetime.now(UTC).date()  # the day only


def test_one_answer_per_application_and_touchpoint_a_second_is_a_409_page(app, client):
    ids = setup_interview(app)
    action = f"/survey{ids['interview_link']}"
    assert client.post(action, data={"score": "7", "sharing": "linked"}).status_code == 200
    again = client.post(action, data={"score": "0", "sharing": "anonymous"})
    assert again.status_code == 409
    assert "You already answered this survey" in text_of(again)
    # The finished page no longer asks, and the survey page says it was answered.
    assert "survey-form" not in text_of(client.get(ids["interview_link"]))
    assert "You already answered this survey" in text_of(client.get(action))
    with app.app_context():
        responses = db.session.scalars(db.select(SurveyResponse)).all()
        assert [(r.score, r.application_id) for r in responses] == [(7, ids["application"])]


def test_bad_input_keeps_the_form_and_says_what_is_wrong(app, client):
    ids = setup_interview(app)
    action = f"/survey{ids['interview_link']}"
    for data in (
        {"comment": "No score given"},
        {"score": "11", "comment": "No score given"},
        {"score": "abc"},
    ):
        response = client.post(action, data=data)
        assert response.status_code == 400
        html = text_of(response)
        assert "Choose a score from 0 to 10." in html
    long = client.post(action, data={"score": "5", "comment": "x" * 2001, "sharing": "anonymous"})
    assert long.status_code == 400 and "x" * 2001 in text_of(long)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(SurveyResponse)) == 0


def test_nothing_is_asked_when_the_organization_did_not_choose_the_touchpoint(app, client):
    ids = setup_interview(app, enabled=False)
    assert "survey-form" not in text_of(client.get(ids["interview_link"]))
    closed = client.post(f"/survey{ids['interview_link']}", data={"score": "9", "sharing": "anonymous"})
    assert closed.status_code == 410


def test_unknown_links_and_unfinished_interviews_are_refused(app, client):
    ids = setup_interview(app)
    assert client.get("/survey/not-a-real-token").status_code == 404
    assert client.post("/survey/interview/not-a-real-token", data={"score": "9"}).status_code == 404
    with app.app_context():
        job = db.session.get(Application, ids["application"]).job
        application = make_application(job)
        _invitation, token = make_invitation(application, make_template(job.organization))
        db.session.commit()
    assert client.post(f"/survey/interview/{token}", data={"score": "9"}).status_code == 409


def test_survey_pages_speak_the_candidates_language(app, client):
    ids = setup_interview(app, language="it")
    html = text_of(client.get(f"/survey{ids['interview_link']}"))
    assert 'lang="it"' in html


def test_the_apply_thank_you_page_asks_with_a_token_bound_link(app, client):
    ids = setup_interview(app)
    with app.app_context():
        application = db.session.get(Application, ids["application"])
        raw = services.offer_after_applying(application)
        db.session.commit()
        invitation = db.session.scalar(
            db.select(SurveyInvitation).where(SurveyInvitation.touchpoint == Touchpoint.APPLIED)
        )
        assert invitation.token_hash != raw and len(raw) >= 43  # only the hash is stored
    thanks = client.get(f"/careers/{ids['slug']}/jobs/{ids['job_slug']}/apply/thanks?survey={raw}")
    html = text_of(thanks)
    assert f'action="/survey/{raw}"' in html
    assert "Set-Cookie" not in thanks.headers  # public pages set no cookies
    assert "survey-form" not in text_of(
        client.get(f"/careers/{ids['slug']}/jobs/{ids['job_slug']}/apply/thanks?survey=forged")
    )
    assert client.post(f"/survey/{raw}", data={"score": "8", "sharing": "anonymous"}).status_code == 200
    assert "survey-form" not in text_of(
        client.get(f"/careers/{ids['slug']}/jobs/{ids['job_slug']}/apply/thanks?survey={raw}")
    )


def test_a_decision_mails_the_survey_and_promoters_are_invited_to_share(app, client):
    ids = setup_interview(app)
    with app.app_context():
        application = db.session.get(Application, ids["application"])
        application.stage = "hired"
        services.offer_decision_survey(application, from_key="offer", to_key="hired", actor=None)
        db.session.commit()
        # Reopened and decided again: still one decision survey.
        services.offer_decision_survey(application, from_key="offer", to_key="rejected", actor=None)
        db.session.commit()
    mails = [m for m in sent_mail(app) if "cleo@example.com" in m.to]
    assert len(mails) == 1 and "How was applying to Aurora Robotics?" in mails[0].subject
    link = link_in_mail(app, "cleo@example.com", "survey/")
    page = text_of(client.get(link))
    assert "How likely are you to recommend applying to Aurora Robotics to a friend?" in page
    answered = text_of(client.post(link, data={"score": "9", "sharing": "anonymous"}))
    assert "Follow the career site" in answered
    assert f"http://localhost/careers/{ids['slug']}" in answered
    assert "linkedin.com/sharing/share-offsite" in answered and "twitter.com/intent/tweet" in answered
    assert "mailto:?subject=" in answered and "facebook" not in answered


def test_detractors_after_a_decision_and_promoters_elsewhere_are_not_asked_to_share(app, client):
    ids = setup_interview(app)
    with app.app_context():
        application = db.session.get(Application, ids["application"])
        services.offer_decision_survey(application, from_key="offer", to_key="rejected", actor=None)
        db.session.commit()
    link = link_in_mail(app, "cleo@example.com", "survey/")
    assert "Follow the career site" not in text_of(
        client.post(link, data={"score": "6", "sharing": "anonymous"})
    )
    assert "Follow the career site" not in text_of(
        client.post(f"/survey{ids['interview_link']}", data={"score": "10", "sharing": "anonymous"})
    )


@pytest.mark.parametrize(
    ("to_key", "decision_on", "mailed"),
    [
        ("withdrawn", True, False),
        ("shortlisted", True, False),
        ("hired", False, False),
        ("rejected", True, True),
    ],
)
def test_only_hired_or_rejected_with_the_touchpoint_on_mail_a_survey(app, to_key, decision_on, mailed):
    ids = setup_interview(app, enabled=False)
    with app.app_context():
        enable(ids["organization"], after_decision=decision_on)
        application = db.session.get(Application, ids["application"])
        services.offer_decision_survey(application, from_key="new", to_key=to_key, actor=None)
        db.session.commit()
    assert any("cleo@example.com" in m.to for m in sent_mail(app)) is mailed


def test_the_decision_mail_is_dropped_when_the_move_rolls_back(app):
    ids = setup_interview(app)
    with app.app_context():
        application = db.session.get(Application, ids["application"])
        services.offer_decision_survey(application, from_key="offer", to_key="hired", actor=None)
        db.session.rollback()
    assert sent_mail(app) == []


def test_the_portal_lists_due_surveys_and_answers_them_linked(app, client):
    from app.portal.services import start_portal_session

    ids = setup_interview(app)
    with app.app_context():
        application = db.session.get(Application, ids["application"])
        _session, raw = start_portal_session(application.candidate)
        db.session.commit()
    with client.session_transaction() as cookie:
        cookie["portal"] = raw
    home = text_of(client.get("/portal/"))
    applied = f"/survey/portal/{ids['public_id']}/applied"
    interview = f"/survey/portal/{ids['public_id']}/interview"
    assert applied in home and interview in home
    assert f"/survey/portal/{ids['public_id']}/decision" not in home  # no decision yet
    assert submit(client, interview, {"score": "9", "sharing": "linked"}).status_code == 200
    assert client.post(applied, data={"score": "9", "sharing": "linked"}).status_code == 400  # no CSRF token
    home = text_of(client.get("/portal/"))
    assert interview not in home and applied in home
    assert client.get(f"/survey/portal/{ids['public_id']}/decision").status_code == 404
    assert client.get(f"/survey/portal/{ids['public_id']}/nonsense").status_code == 404
    with app.app_context():
        response = db.session.scalar(db.select(SurveyResponse))
        assert response.application_id == ids["application"] and response.touchpoint == Touchpoint.INTERVIEW


def test_a_portal_survey_needs_the_portal_session(app, client):
    ids = setup_interview(app)
    response = client.get(f"/survey/portal/{ids['public_id']}/applied")
    assert response.status_code == 302 and "/portal/link" in response.headers["Location"]


def test_results_by_job_and_month_hide_small_segments_and_their_comments(app, client):
    ids = setup_interview(app)
    add_answers(app, ids, [10, 10, 9, 2, 7, 8])  # six interview answers for the first job
    with app.app_context():
        other = make_job(
            db.session.get(Application, ids["application"]).job.organization, title="Night Shift Lead"
        )
        target = services.SurveyTarget(make_application(other), Touchpoint.APPLIED, None)
        services.record_survey_answer(target, score=0, comment="Too few to be shown", linked=False)
        db.session.commit()
    sign_in(client, ids["recruiter"])
    html = text_of(client.get("/app/voice/candidates"))
    assert results_row(html, "interview") == "After the interview 6 +33"
    assert results_row(html, "applied") == "After applying 1 Not enough answers yet"
    assert "Night Shift Lead" in html and "Too few to be shown" not in html
    assert "Scored 2" in html
    month = date.today().strftime("%B %Y")
    assert month in html
    filtered = text_of(client.get(f"/app/voice/candidates?job={ids['job']}&touchpoint=interview"))
    assert results_row(filtered, "applied") == "After applying 0 Not enough answers yet"
    assert (
        text_of(client.get("/app/voice/candidates?job=abc&touchpoint=nope")).count("Not enough answers yet")
        >= 1
    )


def test_results_and_settings_are_for_the_right_roles(app, client):
    ids = setup_interview(app, enabled=False)
    sign_in(client, ids["employee"])
    assert client.get("/app/voice/candidates").status_code == 403
    assert client.get("/app/voice/settings").status_code == 403
    sign_in(client, ids["recruiter"])
    assert client.get("/app/voice/candidates").status_code == 200
    assert client.get("/app/voice/settings").status_code == 403
    sign_in(client, ids["admin"])
    saved = submit(client, "/app/voice/settings", {"after_interview": "y"})
    assert saved.status_code == 302
    with app.app_context():
        settings = services.survey_settings(ids["organization"])
        assert (settings.after_applying, settings.after_interview, settings.after_decision) == (
            False,
            True,
            False,
        )


def test_results_are_scoped_to_the_organization(app, client):
    ids = setup_interview(app)
    add_answers(app, ids, [10, 10, 10, 10, 10])
    with app.app_context():
        other = make_organization(name="Elsewhere")
        make_user(other, Role.RECRUITER, email="olga@example.com")
        db.session.commit()
    sign_in(client, "olga@example.com")
    html = text_of(client.get("/app/voice/candidates"))
    assert results_row(html, "interview") == "After the interview 0 Not enough answers yet"
    assert "Scored 10" not in html
