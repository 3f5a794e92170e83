# SPDX-License-Identifier: AGPL-3.0-or-later
"""Applying without an account: the form, refusals that store nothing, duplicates, questions, mail."""

from __future__ import annotations

import io
import secrets
from datetime import timedelta
from pathlib import Path

import pytest

from app.core.extensions import db
from app.models import (
    Application,
    ApplicationAnswer,
    ApplicationStage,
    Candidate,
    CandidateAccessToken,
    Job,
    JobQuestion,
    JobStatus,
    JourneyEvent,
    QuestionKind,
    Role,
    utcnow,
)
from tests.factories import make_organization, make_user
from tests.helpers import csrf_token, follow_magic_link, link_in_mail, login, sent_mail, text_of
from tests.test_uploads import (
    ELF,
    GIF_PHP,
    HTML_PAGE,
    SVG_SCRIPT,
    docx_with_external_entity,
    docx_zip_bomb,
    encrypted_pdf,
    make_docx,
    minimal_pdf,
    pdf_with_pages,
)


def make_job(
    organization, title: str = "Robot Whisperer", status: JobStatus = JobStatus.PUBLISHED, **values
) -> Job:
    """A job of ``organization`` with an unguessable slug."""
    job = Job(
        organization_id=organization.id,
        slug=f"{title.lower().replace(' ', '-')}-{secrets.token_hex(4)}",
        title=title,
        status=status,
        published_at=utcnow() if status != JobStatus.DRAFT else None,
        **values,
    )
    db.session.add(job)
    db.session.flush()
    return job


def make_question(
    job: Job, label: str, kind: QuestionKind = QuestionKind.SHORT_TEXT, **values
) -> JobQuestion:
    """A custom question on ``job``."""
    question = JobQuestion(
        organization_id=job.organization_id, job_id=job.id, label=label, kind=kind, **values
    )
    db.session.add(question)
    db.session.flush()
    return question


def published_job(app, **values) -> tuple[str, int]:
    """A published job in a fresh organization: its apply path and id."""
    with app.app_context():
        organization = make_organization(name="Aurora Robotics")
        job = make_job(organization, **values)
        db.session.commit()
        return apply_path(organization.slug, job.slug), job.id


def apply_path(org_slug: str, job_slug: str) -> str:
    """Where the apply form of a job lives."""
    return f"/careers/{org_slug}/jobs/{job_slug}/apply"


def application_data(**overrides) -> dict:
    """A complete, valid submission (without the CSRF token)."""
    data = {
        "name": "Ada Lovelace",
        "email": "Ada@Example.com",
        "phone": "+39 02 1234 5678",
        "location": "Milan, Italy",
        "linkedin_url": "https://www.linkedin.com/in/ada",
        "portfolio_url": "",
        "cover_note": "I like robots.",
        "privacy": "y",
        "cv": (io.BytesIO(minimal_pdf()), "Ada CV.pdf", "application/pdf"),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def post_application(client, path: str, **overrides):
    """Open the form (for the CSRF token) and send it as multipart."""
    token = csrf_token(client, path)
    return client.post(
        path, data={"csrf_token": token, **application_data(**overrides)}, content_type="multipart/form-data"
    )


def stored_files(app) -> list[Path]:
    """Every file the storage holds (not its metadata or temporary files)."""
    root = Path(app.config["STORAGE_LOCAL_PATH"])
    if not root.exists():
        return []
    return [
        path
        for path in root.rglob("*")
        if path.is_file() and ".meta" not in path.parts and not path.name.startswith(".")
    ]


def counts(app) -> tuple[int, int, int]:
    """(applications, candidates, stored files)."""
    with app.app_context():
        applications = db.session.scalar(db.select(db.func.count(Application.id)))
        candidates = db.session.scalar(db.select(db.func.count(Candidate.id)))
    return applications, candidates, len(stored_files(app))


def test_apply_with_a_pdf_stores_everything_and_mails_a_confirmation(app, client):
    path, job_id = published_job(app)
    page = client.get(path)
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in text_of(page)
    assert "180 days" in text_of(page)

    response = post_application(client, path)
    assert response.status_code == 302
    assert response.headers["Location"] == f"{path}/thanks"
    thanks = text_of(client.get(response.headers["Location"]))
    assert "What happens next" in thanks
    assert "confirmation e-mail is on its way" in thanks

    with app.app_context():
        application = db.session.scalar(db.select(Application))
        candidate = application.candidate
        assert application.job_id == job_id
        assert application.stage == ApplicationStage.NEW and not application.knockout
        assert len(application.public_id) >= 40
        assert application.cv_filename == "Ada CV.pdf"
        assert application.cv_content_type == "application/pdf"
        assert application.cv_size == len(minimal_pdf())
        assert application.cover_note == "I like robots."
        assert application.channel == "direct"
        assert candidate.email == "ada@example.com"
        assert candidate.name == "Ada Lovelace" and candidate.location == "Milan, Italy"
        assert candidate.linkedin_url == "https://www.linkedin.com/in/ada"
        assert candidate.privacy_accepted_at is not None and candidate.talent_pool_consent_at is None
        [stored] = stored_files(app)
        assert stored.read_bytes() == minimal_pdf()
        assert application.cv_key.startswith(f"orgs/{application.organization_id}/cvs/")

    [message] = sent_mail(app)
    assert message.to == "ada@example.com"
    assert "Robot Whisperer" in message.subject
    assert "Robot Whisperer" in message.text and "Aurora Robotics" in message.text
    assert "by e-mail" in message.text
    assert "http://localhost/portal/enter/" in message.text and "/portal/enter/" in message.html


def test_the_application_starts_its_timeline_and_the_confirmation_opens_the_portal(app, client):
    path, _ = published_job(app)
    assert post_application(client, path).status_code == 302
    with app.app_context():
        application = db.session.scalar(db.select(Application))
        org_slug = application.job.organization.slug
        [change] = application.stage_changes
        assert (change.from_stage, change.to_stage, change.actor_user_id) == (None, "new", None)
        assert change.changed_at == application.submitted_at
        assert change.organization_id == application.organization_id
    thanks = text_of(client.get(f"{path}/thanks"))
    assert "link to your personal page" in thanks and f"/portal/link?org={org_slug}" in thanks

    portal = app.test_client()
    assert follow_magic_link(portal, link_in_mail(app, "ada@example.com", "portal/enter/")).status_code == 302
    assert "Robot Whisperer" in text_of(portal.get("/portal/"))


def test_a_docx_cv_is_searchable_text(app, client):
    path, _ = published_job(app)
    docx = make_docx()
    cv = (io.BytesIO(docx), "cv.docx", "application/octet-stream")
    assert post_application(client, path, cv=cv, talent_pool="y").status_code == 302
    with app.app_context():
        application = db.session.scalar(db.select(Application))
        assert application.cv_text == "Ada Lovelace\nEngineer"
        assert application.cv_content_type.endswith("wordprocessingml.document")
        assert application.candidate.talent_pool_consent_at is not None


def test_a_pdf_cv_is_found_by_the_pipeline_search_and_shown_to_reviewers(app, client):
    path, job_id = published_job(app)
    pdf = pdf_with_pages("Ada Lovelace", "Skills: Kubernetes and zebrafish genetics")
    cv = (io.BytesIO(pdf), "cv.pdf", "application/pdf")
    assert post_application(client, path, cv=cv).status_code == 302
    with app.app_context():
        application = db.session.scalar(db.select(Application))
        assert "Kubernetes and zebrafish genetics" in application.cv_text
        make_user(application.job.organization, Role.RECRUITER, email="rita@example.com")
        db.session.commit()
        public_id = application.public_id
    login(client, "rita@example.com")
    found = text_of(client.get(f"/app/pipeline/jobs/{job_id}/list?q=zebrafish+kubernetes"))
    assert "Ada Lovelace" in found
    assert "Ada Lovelace" not in text_of(client.get(f"/app/pipeline/jobs/{job_id}/list?q=zebrafish+cobol"))
    detail = text_of(client.get(f"/app/applications/{public_id}"))
    assert "Text found in the CV" in detail and "Kubernetes and zebrafish genetics" in detail


def test_pdf_cvs_stored_before_text_extraction_get_their_text_from_the_command(app, client, runner):
    path, _ = published_job(app)
    cv = (io.BytesIO(pdf_with_pages("Skills: zebrafish genetics")), "cv.pdf", "application/pdf")
    assert post_application(client, path, cv=cv).status_code == 302
    locked = (io.BytesIO(encrypted_pdf("Hidden", "secret")), "cv.pdf", "application/pdf")
    assert post_application(client, path, cv=locked, email="grace@example.com").status_code == 302
    with app.app_context():
        for application in db.session.scalars(db.select(Application)):
            application.cv_text = ""  # as uploaded before PDF text was read
        db.session.commit()

    result = runner.invoke(args=["fill-cv-text", "--batch", "1"])
    assert result.exit_code == 0, result.output
    assert "given their text: 1; without readable text: 1" in result.output
    with app.app_context():
        texts = sorted(db.session.scalars(db.select(Application.cv_text)))
    assert texts == ["", "Skills: zebrafish genetics"]


def test_a_cv_without_readable_text_says_so_to_reviewers(app, client):
    path, _ = published_job(app)
    cv = (io.BytesIO(encrypted_pdf("Hidden", "secret")), "cv.pdf", "application/pdf")
    assert post_application(client, path, cv=cv).status_code == 302
    with app.app_context():
        application = db.session.scalar(db.select(Application))
        assert application.cv_text == "" and application.cv_key
        make_user(application.job.organization, Role.RECRUITER, email="rita@example.com")
        db.session.commit()
        public_id = application.public_id
    login(client, "rita@example.com")
    assert "No text could be read from this CV" in text_of(client.get(f"/app/applications/{public_id}"))


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("cv.pdf", ELF, "This file is a program, not a document."),
        ("cv.pdf", GIF_PHP, "This file is not a real PDF, DOCX or ODT document."),
        ("cv.svg", SVG_SCRIPT, "Upload your CV as a PDF, DOCX or ODT file."),
        ("cv.pdf", SVG_SCRIPT, "This file is not a real PDF, DOCX or ODT document."),
        ("cv.pdf", b"", "The file is empty."),
        ("cv.pdf", HTML_PAGE, "This file is not a real PDF, DOCX or ODT document."),
        ("cv.docx", docx_with_external_entity(), "This document could not be read safely."),
        ("cv.docx", docx_zip_bomb(), "This document could not be read safely."),
        ("cv.pdf", minimal_pdf() + bytes(10 * 1024 * 1024), "The file is larger than 10 MB."),
    ],
    ids=["elf", "gif-php", "svg", "svg-as-pdf", "empty", "html-as-pdf", "xxe-docx", "zip-bomb", "over-10mb"],
)
def test_refused_uploads_store_nothing_and_say_why(app, client, filename, content, message):
    path, _ = published_job(app)
    response = post_application(client, path, cv=(io.BytesIO(content), filename, "application/pdf"))
    page = text_of(response)
    assert response.status_code == 400
    assert message in page
    assert 'id="cv-error"' in page and 'role="alert"' in page
    assert "choose the file again" in page
    assert 'value="Ada Lovelace"' in page  # everything typed is kept
    assert counts(app) == (0, 0, 0)
    assert sent_mail(app) == []


def test_a_body_far_over_the_limit_gets_a_clear_413_page(app, client):
    path, _ = published_job(app)
    huge = (io.BytesIO(b"%PDF-1.4\n" + bytes(11 * 1024 * 1024)), "cv.pdf", "application/pdf")
    response = post_application(client, path, cv=huge)
    assert response.status_code == 413
    page = text_of(response)
    assert "A CV can be at most 10 MB" in page
    assert f'href="{path}"' in page
    assert counts(app) == (0, 0, 0)


def test_form_errors_keep_what_was_typed_and_are_summarised(app, client):
    path, _ = published_job(app)
    response = post_application(
        client,
        path,
        name="",
        email="not-an-address",
        linkedin_url="javascript:alert(1)",
        cover_note="My <b>note</b>",
        privacy=None,
        cv=None,
        utm_source="newsletter",
    )
    page = text_of(response)
    assert response.status_code == 400
    assert 'class="error-summary" id="error-summary" role="alert"' in page
    for anchor, text in [
        ("name", "Tell us your name."),
        ("email", "Write an e-mail address like name@example.com."),
        ("cv", "Attach your CV."),
        ("linkedin_url", "Write a full address starting with https://"),
        ("privacy", "Agree to the privacy notice"),
    ]:
        assert f'href="#{anchor}"' in page
        assert text in page
        assert f'id="{anchor}-error"' in page
    assert 'value="not-an-address"' in page
    assert "My &lt;b&gt;note&lt;/b&gt;" in page
    assert 'name="utm_source" type="hidden" value="newsletter"' in page
    assert 'aria-invalid="true"' in page
    assert counts(app) == (0, 0, 0)


def test_a_missing_csrf_token_is_refused(app, client):
    path, _ = published_job(app)
    response = client.post(path, data=application_data(), content_type="multipart/form-data")
    assert response.status_code == 400
    assert counts(app) == (0, 0, 0)


def test_the_honeypot_pretends_success_and_stores_nothing(app, client):
    path, _ = published_job(app)
    page = text_of(client.get(path))
    assert 'class="apply-hp" aria-hidden="true"' in page
    assert 'tabindex="-1"' in page
    response = post_application(client, path, leave_empty="https://spam.example")
    assert response.status_code == 302 and response.headers["Location"].endswith("/apply/thanks")
    assert counts(app) == (0, 0, 0)
    assert sent_mail(app) == []


def test_applying_twice_keeps_one_application_and_tells_only_the_owner_by_mail(app, client):
    path, _ = published_job(app)
    first = post_application(client, path)
    assert first.status_code == 302
    again = post_application(app.test_client(), path, email="  ADA@example.COM ", name="Ada L.")
    assert again.status_code == 302 and again.headers["Location"] == first.headers["Location"]
    assert counts(app) == (1, 1, 1)
    with app.app_context():
        assert db.session.scalar(db.select(Candidate.name)) == "Ada Lovelace"  # the first application stays

    # A fresh link just went out with the confirmation, so the repeat sends nothing more yet ...
    assert len(sent_mail(app)) == 1
    # ... later on, the owner of the address hears about the repeat, with a fresh portal link.
    with app.app_context():
        db.session.execute(
            db.update(CandidateAccessToken).values(created_at=utcnow() - timedelta(minutes=11))
        )
        db.session.commit()
    assert post_application(app.test_client(), path).status_code == 302
    mails = sent_mail(app)
    assert len(mails) == 2 and mails[0].to == "ada@example.com"
    assert "You have already applied for Robot Whisperer" in mails[0].subject
    assert "we kept your first application as it was" in mails[0].text
    portal = app.test_client()
    assert follow_magic_link(portal, link_in_mail(app, "ada@example.com", "portal/enter/")).status_code == 302
    assert portal.get("/portal/").status_code == 200
    assert counts(app) == (1, 1, 1)


def test_the_candidate_is_reused_across_jobs_of_one_organization(app, client):
    with app.app_context():
        organization = make_organization()
        first, second = make_job(organization, "Welder"), make_job(organization, "Painter")
        other_org_job = make_job(make_organization(), "Welder")
        paths = [apply_path(job.organization.slug, job.slug) for job in (first, second, other_org_job)]
        db.session.commit()
    assert post_application(client, paths[0]).status_code == 302
    assert post_application(client, paths[1], email="ada@EXAMPLE.com", location="Turin").status_code == 302
    assert post_application(client, paths[2]).status_code == 302
    with app.app_context():
        candidates = db.session.scalars(db.select(Candidate).order_by(Candidate.id)).all()
        assert len(candidates) == 2  # one per organization
        assert candidates[0].location == "Turin"
        assert len(candidates[0].applications) == 2
    assert counts(app)[0] == 3


def test_custom_questions_required_answers_and_knockout(app, client):
    with app.app_context():
        organization = make_organization()
        job = make_job(organization)
        permit = make_question(
            job,
            "Do you have a work permit for Italy?",
            QuestionKind.YES_NO,
            required=True,
            knockout_answers=["no"],
        )
        years = make_question(job, "Years of experience", QuestionKind.NUMBER, required=True, position=1)
        tools = make_question(
            job, "Tools you use", QuestionKind.MULTIPLE_CHOICE, choices=["ROS", "Python", "C++"], position=2
        )
        shift = make_question(
            job, "Preferred shift", QuestionKind.SINGLE_CHOICE, choices=["Early", "Late"], position=3
        )
        why = make_question(job, "Why us?", QuestionKind.LONG_TEXT, help_text="A few lines.", position=4)
        path = apply_path(organization.slug, job.slug)
        ids = {"permit": permit.id, "years": years.id, "tools": tools.id, "shift": shift.id, "why": why.id}
        db.session.commit()

    page = text_of(client.get(path))
    assert "Do you have a work permit for Italy?" in page and "A few lines." in page
    assert f'name="q_{ids["tools"]}" type="checkbox" value="Python"' in page

    missing = post_application(client, path, **{f"q_{ids['years']}": "NaN"})
    text = text_of(missing)
    assert missing.status_code == 400
    assert f'href="#q_{ids["permit"]}-0"' in text and "Answer this question." in text
    assert "Do you have a work permit for Italy?: Answer this question." in text
    assert f'href="#q_{ids["years"]}"' in text
    assert counts(app) == (0, 0, 0)

    bad_choice = post_application(
        client, path, **{f"q_{ids['permit']}": "yes", f"q_{ids['years']}": "3", f"q_{ids['shift']}": "Night"}
    )
    assert bad_choice.status_code == 400

    answers = {
        f"q_{ids['permit']}": "no",
        f"q_{ids['years']}": "4.5",
        f"q_{ids['tools']}": ["ROS", "C++"],
        f"q_{ids['why']}": "Robots.",
    }
    assert post_application(client, path, **answers).status_code == 302
    with app.app_context():
        application = db.session.scalar(db.select(Application))
        assert application.stage == ApplicationStage.NEW and application.knockout
        stored = {answer.question_label: answer.value for answer in application.answers}
        assert stored == {
            "Do you have a work permit for Italy?": "no",
            "Years of experience": 4.5,
            "Tools you use": ["ROS", "C++"],
            "Why us?": "Robots.",
        }
        # Questions may be deleted later; the answers keep the wording they were given under.
        db.session.delete(db.session.get(JobQuestion, ids["why"]))
        db.session.commit()
        answer = db.session.scalar(
            db.select(ApplicationAnswer).where(ApplicationAnswer.question_label == "Why us?")
        )
        assert answer.question_id is None and answer.value == "Robots."


def test_an_acceptable_answer_is_not_a_knockout(app, client):
    with app.app_context():
        organization = make_organization()
        job = make_job(organization)
        question = make_question(job, "Permit?", QuestionKind.YES_NO, required=True, knockout_answers=["no"])
        path, field = apply_path(organization.slug, job.slug), f"q_{question.id}"
        db.session.commit()
    assert post_application(client, path, **{field: "yes"}).status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(Application.stage)) == ApplicationStage.NEW


def test_attribution_comes_from_the_link_and_the_first_touch(app, client):
    path, _ = published_job(app)
    page = text_of(client.get(f"{path}?utm_source=newsletter&utm_campaign=spring&ref=amb-42&s=linkedin"))
    assert 'name="utm_source" type="hidden" value="newsletter"' in page
    assert 'name="ambassador_code" type="hidden" value="amb-42"' in page
    assert 'name="share_channel" type="hidden" value="linkedin"' in page

    first_touch = {
        "channel": "embed",
        "embed_host": "Blog.Example.org",
        "referrer_host": "<script>",
        "utm_source": "x" * 500,
        "utm_medium": "widget",
    }
    assert post_application(client, path, **first_touch).status_code == 302
    with app.app_context():
        application = db.session.scalar(db.select(Application))
        assert application.channel == "embed"
        assert application.embed_host == "blog.example.org"
        assert application.referrer_host is None  # not a host name: dropped
        assert application.utm_source == "x" * 120
        assert application.utm_medium == "widget"
        assert application.source == "blog.example.org"
        events = db.session.scalars(db.select(JourneyEvent).order_by(JourneyEvent.id)).all()
        assert [event.type for event in events] == ["apply_submitted", "confirmation_sent"]
        assert {(event.channel, event.embed_host) for event in events} == {("embed", "blog.example.org")}
        assert all(event.job_id == application.job_id for event in events)


def test_channel_is_derived_when_the_first_touch_has_none(app, client):
    path, _ = published_job(app)
    assert post_application(client, path, ambassador_code="amb-7", channel="bogus").status_code == 302
    with app.app_context():
        application = db.session.scalar(db.select(Application))
        assert (application.channel, application.source) == ("ambassador", "amb-7")


def test_closed_expired_draft_and_unknown_jobs(app, client):
    with app.app_context():
        organization = make_organization()
        closed = make_job(organization, "Closed", JobStatus.CLOSED)
        expired = make_job(organization, "Expired", valid_through=utcnow() - timedelta(minutes=1))
        draft = make_job(organization, "Draft", JobStatus.DRAFT)
        slugs = organization.slug, closed.slug, expired.slug, draft.slug
        db.session.commit()
    org_slug, closed_slug, expired_slug, draft_slug = slugs
    for job_slug in (closed_slug, expired_slug):
        response = client.get(apply_path(org_slug, job_slug))
        assert response.status_code == 410
        assert f'href="/careers/{org_slug}"' in text_of(response)
        assert "no longer open" in text_of(response)
    assert client.post(apply_path(org_slug, closed_slug), data={}).status_code == 410
    assert client.get(apply_path(org_slug, draft_slug)).status_code == 404
    assert client.get(apply_path(org_slug, "no-such-job")).status_code == 404
    assert client.get(apply_path("no-such-org", closed_slug)).status_code == 404
    assert client.get(f"{apply_path(org_slug, draft_slug)}/thanks").status_code == 404


def test_applying_is_rate_limited_per_address_with_a_page_that_explains(app, client):
    path, _ = published_job(app)
    token = csrf_token(client, path)
    for _ in range(10):
        assert client.post(path, data={"csrf_token": token}).status_code == 400
    blocked = client.post(path, data={"csrf_token": token})
    assert blocked.status_code == 429
    assert "Please try again in an hour" in text_of(blocked)
    assert client.get(path).status_code == 200  # reading the form stays allowed
