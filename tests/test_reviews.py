# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reviewing an interview: independent ratings, the others' scores only after submitting, blind mode, aggregates."""

from __future__ import annotations

import re

import pytest

from app.core.extensions import db
from app.models import AuditEvent, Role
from app.models.interview import InterviewAnswer
from app.models.review import Recommendation, Review, ScorecardCriterion
from app.reviews import services
from app.reviews.services import Reviewer, ReviewInput, spread_of
from tests.factories import (
    make_application,
    make_candidate,
    make_invitation,
    make_job,
    make_organization,
    make_template,
    make_user,
)
from tests.helpers import login, submit, text_of

QUESTIONS = [
    {"prompt_text": "Warm up: say hello", "is_practice": True},
    {"prompt_text": "Tell us about a robot you built"},
    {"prompt_text": "Why this team?"},
]


def build_interview(
    app, *, blind: bool = False, criteria: tuple[str, ...] = ("Communication", "Role fit")
) -> dict:
    """An organization with two recruiters, a completed interview (practice + two answers) and a scorecard."""
    with app.app_context():
        organization = make_organization()
        ada = make_user(organization, Role.RECRUITER, email="ada@example.com", name="Ada Lovelace")
        bob = make_user(organization, Role.RECRUITER, email="bob@example.com", name="Bob Builder")
        admin = make_user(organization, Role.ADMIN, email="root@example.com", name="Root Admin")
        stranger = make_user(make_organization(), Role.ADMIN, email="stranger@example.com")
        job = make_job(organization, blind_review=blind)
        candidate = make_candidate(
            organization,
            name="Zelda Quintessa",
            email="zelda@example.com",
            phone="+39 333 1234567",
            linkedin_url="https://www.linkedin.com/in/zelda-q",
        )
        application = make_application(job, candidate)
        template = make_template(organization, questions=QUESTIONS)
        for position, name in enumerate(criteria):
            db.session.add(
                ScorecardCriterion(
                    template_id=template.id, name=name, guidance=f"Guide for {name}", position=position
                )
            )
        invitation, _raw = make_invitation(application, template, answered=True)
        answers = {
            answer.question.prompt_text: answer.id
            for answer in db.session.scalars(
                db.select(InterviewAnswer).where(InterviewAnswer.invitation_id == invitation.id)
            )
        }
        criteria_ids = [
            c.id
            for c in db.session.scalars(db.select(ScorecardCriterion).order_by(ScorecardCriterion.position))
        ]
        db.session.commit()
        return {
            "organization_id": organization.id,
            "public_id": application.public_id,
            "application_id": application.id,
            "invitation_id": invitation.id,
            "job_id": job.id,
            "template_id": template.id,
            "answers": [answers[q["prompt_text"]] for q in QUESTIONS[1:]],
            "practice_answer": answers[QUESTIONS[0]["prompt_text"]],
            "criteria": criteria_ids,
            "users": {"ada": ada.email, "bob": bob.email, "admin": admin.email, "stranger": stranger.email},
        }


def review_form(data: dict, ratings: list[int], scores: list[int], recommendation: str, notes=None) -> dict:
    """The fields of the review form."""
    form = {"recommendation": recommendation}
    for answer_id, rating in zip(data["answers"], ratings, strict=True):
        form[f"rating_{answer_id}"] = str(rating)
    for index, answer_id in enumerate(data["answers"]):
        if notes and index < len(notes):
            form[f"note_{answer_id}"] = notes[index]
    for criterion_id, score in zip(data["criteria"], scores, strict=True):
        form[f"score_{criterion_id}"] = str(score)
    return form


def signed_in(app, email: str):
    """A fresh browser signed in as ``email``."""
    client = app.test_client()
    login(client, email)
    return client


def review_path(data: dict) -> str:
    return f"/app/reviews/applications/{data['public_id']}"


@pytest.fixture
def interview(app) -> dict:
    return build_interview(app)


# -- the page ------------------------------------------------------------------------------------------


def test_the_review_page_shows_real_answers_with_rating_fields_and_the_scorecard(app, interview):
    client = signed_in(app, interview["users"]["ada"])
    page = client.get(review_path(interview))
    body = text_of(page)
    assert page.status_code == 200
    assert "Tell us about a robot you built" in body and "Why this team?" in body
    assert "My answer to: Why this team?" in body
    assert "Warm up" not in body  # practice questions are never reviewed
    for answer_id in interview["answers"]:
        assert f'name="rating_{answer_id}"' in body and f'name="note_{answer_id}"' in body
    assert f'name="rating_{interview["practice_answer"]}"' not in body
    for criterion_id in interview["criteria"]:
        assert f'name="score_{criterion_id}"' in body
    assert "Guide for Communication" in body and "Guide for Role fit" in body
    assert 'value="strong_no"' in body and 'value="strong_yes"' in body
    assert "Zelda Quintessa" in body  # not blind


def test_a_reviewer_sees_the_others_scores_only_after_submitting(app, interview):
    ada = signed_in(app, interview["users"]["ada"])
    bob = signed_in(app, interview["users"]["bob"])
    response = submit(
        ada,
        review_path(interview),
        review_form(interview, [5, 4], [5, 4], "strong_yes", notes=["ADA-SECRET-NOTE"]),
    )
    assert response.status_code == 302

    before = text_of(bob.get(review_path(interview)))
    assert "ADA-SECRET-NOTE" not in before and "Ada Lovelace" not in before
    assert "1 colleague has submitted a review." in before
    assert "What the reviewers said" not in before and "Mean " not in before

    response = submit(bob, review_path(interview), review_form(interview, [2, 3], [2, 3], "no"))
    assert response.status_code == 302
    after = text_of(bob.get(review_path(interview)))
    assert "ADA-SECRET-NOTE" in after and "Ada Lovelace" in after
    assert "What the reviewers said" in after and "2 reviews submitted." in after
    assert "Reviewers disagree" in after  # 5 vs 2 on the first answer; strong yes vs no

    with app.app_context():
        reviews = db.session.scalars(db.select(Review).order_by(Review.id)).all()
        assert [review.overall_rating for review in reviews] == [4.5, 2.5]
        assert [review.recommendation for review in reviews] == [Recommendation.STRONG_YES, Recommendation.NO]
        actions = db.session.scalars(
            db.select(AuditEvent.action).where(AuditEvent.action == "review.submitted")
        ).all()
        assert len(actions) == 2


def test_a_review_missing_a_rating_is_sent_back_with_the_input_kept(app, interview):
    ada = signed_in(app, interview["users"]["ada"])
    form = review_form(interview, [5, 4], [5, 4], "yes", notes=["Kept note"])
    del form[f"rating_{interview['answers'][1]}"]
    response = submit(ada, review_path(interview), form)
    body = text_of(response)
    assert response.status_code == 400
    assert "Rate this answer from 1 to 5." in body and "Kept note" in body
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Review)) == 0


def test_a_review_is_submitted_once(app, interview):
    ada = signed_in(app, interview["users"]["ada"])
    form = review_form(interview, [3, 3], [3, 3], "yes")
    assert submit(ada, review_path(interview), form).status_code == 302
    token = re.search(
        r'name="csrf_token" value="([^"]+)"', text_of(ada.get(f"{review_path(interview)}/comments"))
    )
    again = ada.post(review_path(interview), data={**form, "csrf_token": token.group(1)})
    assert again.status_code == 409
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Review)) == 1


def test_other_organizations_and_employees_cannot_review(app, interview):
    stranger = signed_in(app, interview["users"]["stranger"])
    assert stranger.get(review_path(interview)).status_code == 404
    with app.app_context():
        from app.models import Organization

        employee = make_user(db.session.get(Organization, interview["organization_id"]), Role.EMPLOYEE)
        db.session.commit()
        email = employee.email
    assert signed_in(app, email).get(review_path(interview)).status_code == 403


def test_an_application_without_a_started_interview_has_nothing_to_review(app, interview):
    with app.app_context():
        from app.models import Job

        application = make_application(db.session.get(Job, interview["job_id"]))
        db.session.commit()
        public_id = application.public_id
    page = signed_in(app, interview["users"]["ada"]).get(f"/app/reviews/applications/{public_id}")
    assert page.status_code == 404
    assert "has not answered an interview yet" in text_of(page)


# -- blind mode ----------------------------------------------------------------------------------------


def test_blind_mode_hides_the_name_contact_cv_and_links_until_the_reviewer_scored(app):
    data = build_interview(app, blind=True)
    ada = signed_in(app, data["users"]["ada"])
    before = text_of(ada.get(review_path(data)))
    assert "Zelda" not in before and "zelda@example.com" not in before
    assert "+39 333" not in before and "linkedin.com/in/zelda" not in before
    assert re.search(r"Candidate [A-Z]-\d\d", before)
    assert "Blind review" in before
    comments = text_of(ada.get(f"{review_path(data)}/comments"))
    assert "Zelda" not in comments and re.search(r"Candidate [A-Z]-\d\d", comments)

    submit(ada, review_path(data), review_form(data, [4, 4], [4, 4], "yes"))
    after = text_of(ada.get(review_path(data)))
    assert "Zelda Quintessa" in after and "zelda@example.com" in after
    assert "Blind review:" not in after


def test_the_pseudonym_is_stable_and_does_not_contain_the_name(app, interview):
    with app.app_context():
        from app.models import Application

        application = db.session.get(Application, interview["application_id"])
        assert services.pseudonym(application) == services.pseudonym(application)
        assert "Zelda" not in services.pseudonym(application)


def test_recruiters_turn_blind_mode_on_and_off_for_a_job_and_it_is_audited(app, interview):
    ada = signed_in(app, interview["users"]["ada"])
    response = submit(
        ada,
        "/app/reviews/shortlists",
        {"enabled": "y"},
        action=f"/app/reviews/jobs/{interview['job_id']}/blind",
    )
    assert response.status_code == 302
    with app.app_context():
        from app.models import Job

        assert db.session.get(Job, interview["job_id"]).blind_review is True
        assert db.session.scalar(
            db.select(AuditEvent).where(AuditEvent.action == "job.blind_review_changed")
        ).details == {"enabled": True}
    submit(ada, "/app/reviews/shortlists", {}, action=f"/app/reviews/jobs/{interview['job_id']}/blind")
    with app.app_context():
        from app.models import Job

        assert db.session.get(Job, interview["job_id"]).blind_review is False


# -- aggregates ----------------------------------------------------------------------------------------


def test_spread_gives_mean_range_and_standard_deviation():
    spread = spread_of([2, 4, 4, 4, 5, 5, 7, 9])
    assert spread.mean == 5 and spread.minimum == 2 and spread.maximum == 9 and spread.stdev == 2
    assert spread.disagree
    assert not spread_of([3, 4]).disagree
    assert spread_of([3, 5]).disagree
    assert not spread_of([1]).disagree
    assert spread_of([]).mean is None


def test_aggregates_flag_a_split_recommendation_even_when_ratings_agree(app, interview):
    with app.app_context():
        from app.models import Application, User

        application = db.session.get(Application, interview["application_id"])
        users = {user.email: user for user in db.session.scalars(db.select(User))}
        answers = interview["answers"]
        for email, recommendation in (
            ("ada@example.com", Recommendation.YES),
            ("bob@example.com", Recommendation.NO),
        ):
            services.submit_review(
                application,
                Reviewer(name=users[email].name, user=users[email]),
                ReviewInput(
                    ratings={answers[0]: 3, answers[1]: 4},
                    notes={},
                    scores={criterion: 3 for criterion in interview["criteria"]},
                    recommendation=recommendation,
                ),
            )
        sheet = services.build_sheet(application, Reviewer(name="Ada", user=users["ada@example.com"]))
        assert not any(item.spread.disagree for item in sheet.items)
        assert sheet.aggregates.recommendations.split
        assert sheet.disagreements
        assert sheet.aggregates.recommendations.counts[Recommendation.YES] == 1
        assert sheet.items[0].spread.mean == 3 and sheet.items[1].spread.stdev == 0
        assert services.ratings_for([application.id])[application.id].mean == 3.5


def test_the_service_refuses_ratings_out_of_range_and_foreign_answers(app, interview):
    with app.app_context():
        from app.core.errors import Invalid
        from app.models import Application, User

        application = db.session.get(Application, interview["application_id"])
        user = db.session.scalar(db.select(User).where(User.email == "ada@example.com"))
        reviewer = Reviewer(name=user.name, user=user)
        scores = {criterion: 3 for criterion in interview["criteria"]}
        answers = interview["answers"]
        with pytest.raises(Invalid):
            services.submit_review(
                application,
                reviewer,
                ReviewInput({answers[0]: 6, answers[1]: 3}, {}, scores, Recommendation.YES),
            )
        with pytest.raises(Invalid):
            services.submit_review(
                application,
                reviewer,
                ReviewInput(
                    {answers[0]: 3, answers[1]: 3, interview["practice_answer"]: 3},
                    {},
                    scores,
                    Recommendation.YES,
                ),
            )
        with pytest.raises(Invalid):
            services.submit_review(
                application, reviewer, ReviewInput({answers[0]: 3, answers[1]: 3}, {}, scores, None)
            )
