# SPDX-License-Identifier: AGPL-3.0-or-later
"""The shared front-end module (static/js/core.js): every staff page asks before a data-confirm form submits."""

from __future__ import annotations

import pytest
from playwright.sync_api import Dialog, Page, expect

from app.core.extensions import db
from app.interviews import services as interviews
from app.models import InterviewQuestion, Job, JobQuestion, JobStatus, Role
from app.postings import questions as job_questions
from tests.factories import PASSWORD, make_job, make_organization, make_user

pytestmark = pytest.mark.e2e


class Dialogs:
    """Answers every confirm() of a page as told, and keeps the messages shown."""

    def __init__(self, page: Page) -> None:
        self.accept = False
        self.shown: list[str] = []
        page.on("dialog", self.answer)

    def answer(self, dialog: Dialog) -> None:
        self.shown.append(dialog.message)
        if self.accept:
            dialog.accept()
        else:
            dialog.dismiss()


def watch_errors(page: Page) -> list[str]:
    """Script errors and CSP violations of the page (the missing favicon is not ours)."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and "Failed to load resource" not in message.text
            else None
        ),
    )
    return errors


def sign_in(page: Page, base_url: str, email: str) -> None:
    """Sign in through the login form."""
    page.goto(f"{base_url}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}/app/")


def test_removing_an_interview_question_asks_first(app, live_server, page):
    with app.app_context():
        organization = make_organization()
        recruiter = make_user(organization, Role.RECRUITER, email="rita@example.com")
        template = interviews.create_template(recruiter, interviews.TemplateData(name="First round"))
        for prompt in ("Why us?", "Tell us about a hard problem."):
            interviews.add_question(recruiter, template.id, interviews.QuestionData(prompt_text=prompt))
        db.session.commit()
        template_id = template.id
    errors = watch_errors(page)
    dialogs = Dialogs(page)
    sign_in(page, live_server.url, "rita@example.com")
    page.goto(f"{live_server.url}/app/interviews/{template_id}")
    remove = page.locator("li", has_text="Why us?").get_by_role("button", name="Remove")

    # Dismissed: nothing is sent, the question stays.
    remove.click()
    assert dialogs.shown == ["Remove this question?"]
    expect(page.locator("li", has_text="Why us?")).to_be_visible()
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(InterviewQuestion.id))) == 2

    # Accepted: the question is removed.
    dialogs.accept = True
    with page.expect_navigation():
        remove.click()
    assert dialogs.shown == ["Remove this question?"] * 2
    expect(page.locator("li", has_text="Why us?")).to_have_count(0)
    expect(page.locator("li", has_text="Tell us about a hard problem.")).to_be_visible()
    with app.app_context():
        prompts = db.session.scalars(db.select(InterviewQuestion.prompt_text)).all()
        assert prompts == ["Tell us about a hard problem."]
    assert errors == []


def test_apply_form_questions_and_the_jobs_list_ask_first(app, live_server, page):
    """Pages without a script of their own: the apply form questions and the staff jobs list."""
    with app.app_context():
        organization = make_organization()
        recruiter = make_user(organization, Role.RECRUITER, email="rita@example.com")
        job = make_job(organization, "Robotics Engineer")
        job_questions.add_question(recruiter, job.id, job_questions.QuestionData(label="Notice period?"))
        db.session.commit()
        job_id = job.id
    errors = watch_errors(page)
    dialogs = Dialogs(page)
    sign_in(page, live_server.url, "rita@example.com")

    page.goto(f"{live_server.url}/app/jobs/{job_id}/questions")
    remove = page.locator("li", has_text="Notice period?").get_by_role("button", name="Remove")
    remove.click()
    assert dialogs.shown == ["Remove this question? Answers already given are kept."]
    expect(remove).to_be_visible()
    dialogs.accept = True
    with page.expect_navigation():
        remove.click()
    expect(page.locator("li", has_text="Notice period?")).to_have_count(0)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(JobQuestion.id))) == 0

    dialogs.accept = False
    page.goto(f"{live_server.url}/app/jobs")
    close = page.locator("form[data-confirm]", has_text="Close").get_by_role("button")
    close.click()
    assert dialogs.shown[-1] == "Close this job? It stops taking applications."
    with app.app_context():
        assert db.session.get(Job, job_id).status == JobStatus.PUBLISHED
    dialogs.accept = True
    with page.expect_navigation():
        close.click()
    assert len(dialogs.shown) == 4
    with app.app_context():
        assert db.session.get(Job, job_id).status == JobStatus.CLOSED
    assert errors == []


def test_post_json_retries_what_is_worth_retrying_and_sends_the_csrf_token(app, live_server, page):
    """Openround.postJson on a staff page: 503s are retried with backoff, a 400 is not, the token goes along."""
    with app.app_context():
        make_user(make_organization(), Role.RECRUITER, email="rita@example.com")
        db.session.commit()
    errors = watch_errors(page)
    sign_in(page, live_server.url, "rita@example.com")
    calls: list[dict] = []

    def flaky(route, request) -> None:
        calls.append(
            {"path": request.url.rsplit("/", 1)[1], "headers": request.headers, "body": request.post_data}
        )
        if request.url.endswith("/refused"):
            route.fulfill(status=400, json={"error": {"message": "Choose a stage."}})
        elif len(calls) < 3:
            route.fulfill(status=503, body="busy")
        else:
            route.fulfill(status=200, json={"saved": True})

    page.route("**/app/probe/*", flaky)
    answer = page.evaluate(
        "Openround.postJson('/app/probe/flaky', {stage: 'screen'}, {retries: 3, backoff: 10})"
    )
    assert answer == {"saved": True}
    assert [call["path"] for call in calls] == ["flaky"] * 3
    token = page.evaluate("Openround.csrfToken()")
    assert token and all(call["headers"]["x-csrftoken"] == token for call in calls)
    assert calls[0]["body"] == '{"stage":"screen"}'

    refused = page.evaluate(
        """Openround.postJson('/app/probe/refused', {}, {retries: 3, backoff: 10}).then(
            () => null,
            (error) => ({status: error.status, message: error.message, retryable: Openround.isRetryable(error)})
        )"""
    )
    assert refused == {"status": 400, "message": "Choose a stage.", "retryable": False}
    assert [call["path"] for call in calls].count("refused") == 1
    assert errors == []
