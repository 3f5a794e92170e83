# SPDX-License-Identifier: AGPL-3.0-or-later
"""Deciding with a message: templates and placeholders, languages, feedback from the scorecard,
real SMTP delivery, the candidate's page and its read receipts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from flask import Flask

from app.core.errors import Invalid
from app.core.extensions import db
from app.feedback.message_templates import ensure_default_templates, pick_template
from app.feedback.placeholders import check_placeholders, fill_placeholders
from app.models import (
    Application,
    ApplicationStageChange,
    Candidate,
    CandidateMessage,
    Job,
    MessageTemplate,
    Organization,
    Role,
    utcnow,
)
from app.models.review import CriterionScore, Review, ReviewComment, ScorecardCriterion
from app.portal.services import issue_portal_link
from tests.factories import (
    make_application,
    make_candidate,
    make_invitation,
    make_job,
    make_organization,
    make_user,
)
from tests.factories import make_template as make_interview_template
from tests.fixtures.smtp import SmtpServer
from tests.helpers import csrf_token, follow_magic_link, login, sent_mail, submit, text_of

RECRUITER = "rita@example.com"


@dataclass(frozen=True)
class Scene:
    """Ids of what a test set up."""

    organization_id: int
    job_id: int
    public_id: str
    criteria: dict[str, int]


def compose_path(*public_ids: str, stage: str | None = None, reason: str | None = None, **extra: str) -> str:
    """The compose page's address for these applications."""
    query: list[tuple[str, str]] = [("application", public_id) for public_id in public_ids]
    if stage:
        query.append(("stage", stage))
    if reason:
        query.append(("reason", reason))
    query += list(extra.items())
    return "/app/feedback/compose?" + urlencode(query)


def add_scored_review(application: Application, scores: dict[int, int], reviewer: str, **values) -> Review:
    """A submitted review of the application with these criterion scores."""
    review = Review(
        organization_id=application.organization_id,
        application_id=application.id,
        reviewer_name=reviewer,
        submitted_at=values.pop("submitted_at", utcnow()),
        overall_rating=4.0,
        **values,
    )
    review.criterion_scores = [CriterionScore(criterion_id=key, score=score) for key, score in scores.items()]
    db.session.add(review)
    db.session.flush()
    return review


def build_scene(
    name: str = "Ada Lovelace", email: str = "ada@example.com", language: str | None = "en"
) -> Scene:
    """An organization with a recruiter and an application whose interview two colleagues scored."""
    organization = make_organization(name="Aurora Robotics")
    make_user(organization, Role.RECRUITER, email=RECRUITER, name="Rita Recruiter")
    job = make_job(organization, title="Robot Whisperer")
    interview = make_interview_template(organization)
    criteria = {}
    for position, criterion in enumerate(("Communication", "Motivation", "Role fit")):
        row = ScorecardCriterion(template_id=interview.id, name=criterion, guidance="", position=position)
        db.session.add(row)
        db.session.flush()
        criteria[criterion] = row.id
    candidate = make_candidate(organization, name=name, email=email, language=language)
    application = make_application(job, candidate, submitted_at=utcnow() - timedelta(days=3))
    make_invitation(application, interview, answered=True)
    add_scored_review(
        application, {criteria["Communication"]: 5, criteria["Motivation"]: 4, criteria["Role fit"]: 2}, "Bo"
    )
    add_scored_review(
        application, {criteria["Communication"]: 4, criteria["Motivation"]: 4, criteria["Role fit"]: 1}, "Cy"
    )
    # A review still in progress counts for nothing.
    add_scored_review(application, {criteria["Communication"]: 1}, "Dee", submitted_at=None)
    db.session.add(
        ReviewComment(
            organization_id=organization.id,
            application_id=application.id,
            author_name="Bo",
            body="Great energy, but thin on production work.",
        )
    )
    db.session.commit()
    return Scene(organization.id, job.id, application.public_id, criteria)


@pytest.fixture
def smtp_app(app_environ: dict[str, str], smtp_server: SmtpServer, request: pytest.FixtureRequest) -> Flask:
    """The test app delivering to the loopback SMTP server."""
    app_environ["SMTP_URL"] = smtp_server.url
    return request.getfixturevalue("app")


def plain_text(message) -> str:
    """The decoded text part of a received e-mail."""
    return message.get_body(preferencelist=("plain",)).get_content()


def html_text(message) -> str:
    """The decoded HTML part of a received e-mail."""
    return message.get_body(preferencelist=("html",)).get_content()


# -- the acceptance path: rejected with feedback, by real SMTP, seen in the portal ---------


def test_a_rejected_candidate_gets_the_chosen_feedback_by_smtp_and_reads_it_on_their_page(
    smtp_app: Flask, smtp_server: SmtpServer
):
    with smtp_app.app_context():
        scene = build_scene()
    client = smtp_app.test_client()
    login(client, RECRUITER)
    path = compose_path(scene.public_id, stage="rejected", reason="after_interview")

    page = client.get(path)
    body = text_of(page)
    assert page.status_code == 200
    assert "Your interview for {job_title} at {organization}" in body  # the template for the reason
    assert (
        "Communication" in body and "4.5 / 5" in body and "1.5 / 5" in body
    )  # means of submitted reviews only
    assert "Great energy, but thin on production work." in body  # context for the recruiter

    communication, motivation, fit = (
        scene.criteria[key] for key in ("Communication", "Motivation", "Role fit")
    )
    response = submit(
        client,
        path,
        {
            "subject_en": "Your interview for {job_title}",
            "body_en": "Dear {first_name},\n\nthank you for your time.\n\nFollow along: {portal_link}\n\n{sender_name}",
            f"fb_0_{communication}_use": "strengths",
            f"fb_0_{communication}_text": "You explained complex ideas very clearly",
            f"fb_0_{motivation}_use": "",
            f"fb_0_{motivation}_text": "Motivation",
            f"fb_0_{fit}_use": "growth",
            f"fb_0_{fit}_text": "Deeper experience with production robots",
            "fb_0_extra_strengths": "Thoughtful questions at the end",
            "fb_0_extra_growth": "",
            "action": "send",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/app/applications/{scene.public_id}"

    with smtp_app.app_context():
        application = db.session.scalar(
            db.select(Application).where(Application.public_id == scene.public_id)
        )
        assert application.stage == "rejected" and application.closed_at is not None
        change = db.session.scalar(
            db.select(ApplicationStageChange).where(ApplicationStageChange.to_stage == "rejected")
        )
        assert change.actor_user_id is not None
        message = db.session.scalar(db.select(CandidateMessage))
        assert message.stage_key == "rejected" and message.reason == "after_interview"
        assert message.subject == "Your interview for Robot Whisperer"
        assert message.body.startswith("Dear Ada,")
        assert message.feedback == {
            "strengths": ["You explained complex ideas very clearly", "Thoughtful questions at the end"],
            "growth": ["Deeper experience with production robots"],
        }
        assert message.read_at is None

    received = [mail for mail in smtp_server.wait_for(1) if mail.rcpt_tos == ["ada@example.com"]]
    assert len(received) == 1
    mail = received[0].message
    assert mail["Subject"] == "Your interview for Robot Whisperer"
    text = plain_text(mail)
    assert "Dear Ada," in text and "Rita Recruiter" in text
    assert (
        "You explained complex ideas very clearly" in text
        and "Deeper experience with production robots" in text
    )
    assert "Motivation" not in text  # not chosen: not shared
    assert "4.5" not in text and "Great energy" not in text  # scores and comments stay inside
    assert "http://localhost/portal/link?org=" in text  # {portal_link}
    assert "You explained complex ideas very clearly" in html_text(mail)

    # The personal link in the e-mail opens the candidate's page, where the message waits unread.
    link = re.search(r"https?://[^/\s]+(/portal/enter/\S+)", text).group(1)
    candidate_client = smtp_app.test_client()
    assert follow_magic_link(candidate_client, link).status_code == 302
    home = text_of(candidate_client.get("/portal/"))
    assert "Your interview for Robot Whisperer" in home and "New" in home
    message_path = re.search(r'href="(/portal/applications/[^"]+/messages/\d+)"', home).group(1)

    opened = candidate_client.get(message_path)
    page = text_of(opened)
    assert opened.status_code == 200
    assert "thank you for your time." in page
    assert "What stood out" in page and "You explained complex ideas very clearly" in page
    assert "Where you could grow" in page and "Deeper experience with production robots" in page
    assert 'href="http://localhost/portal/link?org=' in page  # the link in the text is clickable
    assert "Motivation" not in page and "4.5" not in page
    with smtp_app.app_context():
        assert db.session.scalar(db.select(CandidateMessage.read_at)) is not None
    assert "New" not in text_of(candidate_client.get("/portal/"))


# -- read receipts ---------------------------------------------------------------------------


def test_opening_a_message_sets_read_at_once_and_only_for_its_own_candidate(app):
    with app.app_context():
        scene = build_scene()
        organization = db.session.get(Organization, scene.organization_id)
        other = make_candidate(organization, name="Bea", email="bea@example.com")
        make_application(db.session.get(Job, scene.job_id), other)
        db.session.commit()
    client = app.test_client()
    login(client, RECRUITER)
    path = compose_path(scene.public_id)
    body = "Hi {first_name} <script>alert(1)</script>"
    assert submit(client, path, {"subject_en": "Hello", "body_en": body, "action": "send"}).status_code == 302
    with app.app_context():
        message_id = db.session.scalar(db.select(CandidateMessage.id))

    with app.app_context():
        ada = db.session.scalar(db.select(Candidate).where(Candidate.email == "ada@example.com"))
        bea = db.session.scalar(db.select(Candidate).where(Candidate.email == "bea@example.com"))
        ada_link, bea_link = issue_portal_link(ada), issue_portal_link(bea)
        db.session.commit()

    stranger = app.test_client()
    follow_magic_link(stranger, f"/portal/enter/{bea_link}")
    address = f"/portal/applications/{scene.public_id}/messages/{message_id}"
    assert stranger.get(address).status_code == 404
    with app.app_context():
        assert db.session.scalar(db.select(CandidateMessage.read_at)) is None

    ada_client = app.test_client()
    follow_magic_link(ada_client, f"/portal/enter/{ada_link}")
    opened = ada_client.get(address)
    assert opened.status_code == 200
    assert "Hi Ada &lt;script&gt;alert(1)&lt;/script&gt;" in text_of(opened)  # shown as text, never run
    with app.app_context():
        first_read = db.session.scalar(db.select(CandidateMessage.read_at))
    assert first_read is not None
    assert ada_client.get(address).status_code == 200
    with app.app_context():
        assert db.session.scalar(db.select(CandidateMessage.read_at)) == first_read
    # Without a portal session the page leads to the link request, revealing nothing.
    assert app.test_client().get(address).status_code == 302


# -- templates and placeholders ------------------------------------------------------------


def test_placeholders_are_filled_by_name_only_and_braces_can_be_escaped():
    values = {"candidate_name": "Ada Lovelace", "job_title": "Robot {Whisperer}"}
    assert fill_placeholders("Hi {candidate_name}, about { job_title } {{x}}", values) == (
        "Hi Ada Lovelace, about Robot {Whisperer} {x}"
    )
    check_placeholders("Hi {candidate_name} {{literal}}", "body")
    for bad, named in (
        ("Hi {candidate_nme}", "{candidate_nme}"),
        ("{candidate_name.__class__}", "{candidate_name.__class__}"),
        ("{0}", "{0}"),
    ):
        with pytest.raises(Invalid) as error:
            check_placeholders(bad, "body")
        assert named in error.value.message and "{candidate_name}" in error.value.message
        assert error.value.field == "body"
    with pytest.raises(Invalid, match="brace"):
        check_placeholders("Hi {candidate_name", "subject")


def test_default_templates_come_lazily_in_english_and_italian(app):
    with app.app_context():
        organization = make_organization()
        assert db.session.scalar(db.select(db.func.count(MessageTemplate.id))) == 0
        added = ensure_default_templates(organization)
        assert added > 0 and ensure_default_templates(organization) == 0
        languages = set(db.session.scalars(db.select(MessageTemplate.language)))
        assert languages == {"en", "it"}
        for reason in ("after_cv_review", "after_interview", "position_filled"):
            english = pick_template(organization, "rejected", reason, "en")
            italian = pick_template(organization, "rejected", reason, "it")
            assert (english.reason, english.language) == (reason, "en")
            assert (italian.reason, italian.language) == (reason, "it")
            check_placeholders(english.body, "body")
            check_placeholders(italian.body, "body")
        assert "Ciao {first_name}," in pick_template(organization, "rejected", "after_cv_review", "it").body
        # A stage without its own wording falls back to a plain message, in the reader's language.
        plain = pick_template(organization, "manager_review", "", "it")
        assert (plain.stage_key, plain.language) == ("", "it")
        # A language nobody wrote falls back to the organization's, then English.
        assert pick_template(organization, "rejected", "after_cv_review", "de").language == "en"


def test_the_template_page_reports_unknown_placeholders_and_keeps_the_input(app):
    with app.app_context():
        build_scene()
    client = app.test_client()
    login(client, RECRUITER)
    listing = client.get("/app/feedback/templates")
    assert listing.status_code == 200
    assert "After CV review" in text_of(listing) and "Italiano" in text_of(listing)
    with app.app_context():
        template_id = db.session.scalar(
            db.select(MessageTemplate.id).where(
                MessageTemplate.reason == "after_cv_review", MessageTemplate.language == "en"
            )
        )
    path = f"/app/feedback/templates/{template_id}"
    data = {
        "stage_key": "rejected",
        "reason": "after_cv_review",
        "language": "en",
        "name": "Rejected after CV",
        "subject": "About {job_title}",
        "body": "Dear {candidate_nme}, thanks.",
    }
    refused = submit(client, path, data)
    page = text_of(refused)
    assert refused.status_code == 400
    assert "Unknown placeholder {candidate_nme}" in page
    assert "Dear {candidate_nme}, thanks." in page  # what was typed stays
    with app.app_context():
        assert db.session.get(MessageTemplate, template_id).name != "Rejected after CV"

    saved = submit(client, path, {**data, "body": "Dear {candidate_name}, thanks."})
    assert saved.status_code == 302
    with app.app_context():
        template = db.session.get(MessageTemplate, template_id)
        assert template.body == "Dear {candidate_name}, thanks." and template.name == "Rejected after CV"

    # A second template for the same stage, reason and language is refused on the reason field.
    duplicate = submit(client, "/app/feedback/templates/new", {**data, "body": "Hi {first_name}"})
    assert duplicate.status_code == 400 and "already a template" in text_of(duplicate)
    custom = submit(
        client,
        "/app/feedback/templates/new",
        {**data, "reason": "after_assignment", "name": "After the assignment", "body": "Hi {first_name}"},
    )
    assert custom.status_code == 302
    compose = text_of(client.get(compose_path(db_public_id(app), stage="rejected")))
    assert 'value="after_assignment"' in compose  # the organization's own reason is offered

    deleted = submit(client, path, {}, action=f"/app/feedback/templates/{template_id}/delete")
    assert deleted.status_code == 302
    with app.app_context():
        assert db.session.get(MessageTemplate, template_id) is None
    assert client.get(path).status_code == 404


def db_public_id(app) -> str:
    """The public id of the only application."""
    with app.app_context():
        return db.session.scalar(db.select(Application.public_id).order_by(Application.id))


def test_unknown_placeholders_in_a_message_are_a_form_error_and_nothing_is_sent(app):
    with app.app_context():
        scene = build_scene()
    client = app.test_client()
    login(client, RECRUITER)
    path = compose_path(scene.public_id, stage="rejected")
    response = submit(
        client, path, {"subject_en": "Hi {name}", "body_en": "Dear {first_name}", "action": "send"}
    )
    page = text_of(response)
    assert response.status_code == 400
    assert "Unknown placeholder {name}" in page and 'value="Hi {name}"' in page
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(CandidateMessage.id))) == 0
        assert db.session.scalar(db.select(Application.stage)) == "new"
    assert not any("ada@example.com" in mail.to for mail in sent_mail(app))


def test_preview_shows_the_filled_in_message_without_sending(app):
    with app.app_context():
        scene = build_scene()
    client = app.test_client()
    login(client, RECRUITER)
    path = compose_path(scene.public_id, stage="rejected", reason="after_cv_review")
    response = submit(
        client,
        path,
        {"subject_en": "About {job_title}", "body_en": "Dear {candidate_name}", "action": "preview"},
    )
    page = text_of(response)
    assert response.status_code == 200
    assert "About Robot Whisperer" in page and "Dear Ada Lovelace" in page
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(CandidateMessage.id))) == 0


# -- languages, bulk, plain messages ---------------------------------------------------------


def test_each_candidate_gets_the_template_in_their_language_in_bulk(app):
    with app.app_context():
        scene = build_scene()
        organization = db.session.get(Organization, scene.organization_id)
        job = db.session.get(Job, scene.job_id)
        giulia = make_application(
            job, make_candidate(organization, name="Giulia Rossi", email="giulia@example.com", language="it")
        )
        # Already rejected: gets the message, without a second move.
        done = make_application(
            job,
            make_candidate(organization, name="Ugo Neri", email="ugo@example.com", language="it"),
            stage="rejected",
        )
        ids = [scene.public_id, giulia.public_id, done.public_id]
        db.session.commit()
    client = app.test_client()
    login(client, RECRUITER)
    path = compose_path(
        *ids, stage="rejected", reason="position_filled", next=f"/app/jobs/{scene.job_id}/applications"
    )
    page = text_of(client.get(path))
    assert 'name="subject_en"' in page and 'name="subject_it"' in page
    assert "The {job_title} position has been filled" in page
    assert "La posizione {job_title} è stata coperta" in page
    assert "already in this stage" in page

    token = csrf_token(client, path)
    form = {"csrf_token": token, "action": "send"}
    for language in ("en", "it"):
        form[f"subject_{language}"] = re.search(
            rf'name="subject_{language}"[^>]*value="([^"]*)"', page
        ).group(1)
        form[f"body_{language}"] = re.search(
            rf'<textarea[^>]*name="body_{language}"[^>]*>\s*([^<]*)</textarea>', page
        ).group(1)
    form = {key: value.replace("&#39;", "'").replace("&amp;", "&") for key, value in form.items()}
    response = client.post(path, data=form)
    assert (
        response.status_code == 302
        and response.headers["Location"] == f"/app/jobs/{scene.job_id}/applications"
    )

    with app.app_context():
        messages = {
            message.application.candidate.email: message
            for message in db.session.scalars(db.select(CandidateMessage))
        }
        assert messages["ada@example.com"].language == "en"
        assert messages["ada@example.com"].subject == "The Robot Whisperer position has been filled"
        assert messages["giulia@example.com"].language == "it"
        assert messages["giulia@example.com"].subject == "La posizione Robot Whisperer è stata coperta"
        assert messages["giulia@example.com"].body.startswith("Ciao Giulia,")
        assert set(db.session.scalars(db.select(Application.stage))) == {"rejected"}
        assert (
            db.session.scalar(db.select(db.func.count(ApplicationStageChange.id))) == 2
        )  # Ugo was not moved again
    mails = {mail.to: mail for mail in sent_mail(app)}
    assert mails["giulia@example.com"].subject == "La posizione Robot Whisperer è stata coperta"
    assert ("Content-Language", "it") in mails["giulia@example.com"].headers
    assert ("Content-Language", "en") in mails["ada@example.com"].headers


def test_a_plain_message_changes_no_stage(app):
    with app.app_context():
        scene = build_scene()
    client = app.test_client()
    login(client, RECRUITER)
    page = text_of(client.get(compose_path(scene.public_id)))
    assert "About your application for {job_title}" in page
    response = submit(
        client,
        compose_path(scene.public_id),
        {
            "subject_en": "A quick update",
            "body_en": "Dear {first_name}, we need one more week.",
            "action": "send",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        message = db.session.scalar(db.select(CandidateMessage))
        assert message.stage_key is None and message.body == "Dear Ada, we need one more week."
        assert db.session.scalar(db.select(Application.stage)) == "new"
    assert any("ada@example.com" in mail.to and mail.subject == "A quick update" for mail in sent_mail(app))


def test_compose_refuses_other_organizations_unknown_stages_and_other_roles(app):
    with app.app_context():
        scene = build_scene()
        rival = make_organization(name="Rival")
        foreign = make_application(make_job(rival), make_candidate(rival))
        organization = db.session.get(Organization, scene.organization_id)
        make_user(organization, Role.MANAGER, email="manny@example.com")
        foreign_id = foreign.public_id
        db.session.commit()
    client = app.test_client()
    login(client, RECRUITER)
    assert client.get(compose_path(foreign_id)).status_code == 404
    assert client.get(compose_path(scene.public_id, foreign_id)).status_code == 404
    assert client.get(compose_path(scene.public_id, stage="nowhere")).status_code == 400
    assert client.get("/app/feedback/compose").status_code == 400
    manager = app.test_client()
    login(manager, "manny@example.com")
    assert manager.get(compose_path(scene.public_id)).status_code == 403
    assert manager.get("/app/feedback/templates").status_code == 403


def test_the_application_page_links_to_the_compose_page(app):
    with app.app_context():
        scene = build_scene()
    client = app.test_client()
    login(client, RECRUITER)
    page = text_of(client.get(f"/app/applications/{scene.public_id}"))
    assert "Decide / send a message" in page
    assert f'href="/app/feedback/compose?application={scene.public_id}"' in page
