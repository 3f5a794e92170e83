# SPDX-License-Identifier: AGPL-3.0-or-later
"""A candidate answers a video and a written question in real Chromium with a fake camera, leaves, and resumes."""

from __future__ import annotations

import os
import shutil

import pytest
from playwright.sync_api import expect

from app.answering.services import answer_prefix
from app.core.extensions import db
from app.models.interview import AnswerType, InterviewAnswer, InterviewInvitation, InvitationState
from tests.fixtures.browser import CHROMIUM, CHROMIUM_ARGS
from tests.test_answering import make_interview

pytestmark = pytest.mark.e2e

FAKE_MEDIA_ARGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


@pytest.fixture(scope="module")
def media_browser(browser):
    """A headless Chromium whose camera and microphone are fakes that are always allowed."""
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    # One Playwright per process: launch beside the session's browser, through its driver.
    chromium = browser.browser_type.launch(
        executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_ARGS, *FAKE_MEDIA_ARGS]
    )
    yield chromium
    chromium.close()


def new_page(browser):
    """A fresh context (another device: no cookies, no IndexedDB) and page, collecting script errors."""
    context = browser.new_context(locale="en-US", permissions=["camera", "microphone"])
    context.set_default_timeout(15_000)
    page = context.new_page()
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
    return context, page, errors


def test_candidate_records_a_video_leaves_and_resumes_with_the_same_link(app, live_server, media_browser):
    ids = make_interview(
        app,
        questions=[
            {"answer_type": AnswerType.VIDEO, "think_seconds": 1, "max_seconds": 2, "retakes": 1},
            {"answer_type": AnswerType.TEXT, "max_chars": 200},
        ],
    )
    link = f"{live_server.url}{ids['link']}"

    context, page, errors = new_page(media_browser)
    page.goto(link)
    page.get_by_role("link", name="Start").click()
    expect(page.get_by_role("heading", name="Check your camera and microphone")).to_be_visible()
    expect(page.locator("[data-status]")).to_contain_text("Camera and microphone work")
    page.get_by_role("link", name="Continue").click()

    # One second to think, then two seconds of recording stop by themselves and the answer is sent.
    expect(page.get_by_text("Question 1 of 2")).to_be_visible()
    expect(page.locator("[data-status]")).to_contain_text("Your answer is saved.", timeout=45_000)
    expect(page.get_by_role("button", name="Record again")).to_be_visible()
    assert errors == []
    context.close()  # the candidate leaves after the first answer

    context, page, errors = new_page(media_browser)
    page.goto(link)
    page.get_by_role("link", name="Continue").click()
    expect(page.get_by_text("Question 2 of 2")).to_be_visible()
    page.get_by_label("Your answer").fill("I enjoy building robots.")
    expect(page.locator("[data-counter]")).to_have_text("(176)")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("button", name="Send my interview").click()
    expect(page.get_by_role("heading", name="Thank you, your interview was sent")).to_be_visible()
    assert errors == []
    context.close()

    with app.app_context():
        invitation = db.session.get(InterviewInvitation, ids["invitation"])
        assert invitation.state == InvitationState.COMPLETED
        answers = sorted(
            db.session.scalars(
                db.select(InterviewAnswer).where(InterviewAnswer.invitation_id == invitation.id)
            ),
            key=lambda answer: answer.question_id,
        )
        assert [answer.kind for answer in answers] == [AnswerType.VIDEO, AnswerType.TEXT]
        assert answers[0].video_key.startswith(f"{answer_prefix(invitation)}/") and answers[0].attempts == 1
        assert 1 <= answers[0].duration_seconds <= 4
        assert answers[1].text == "I enjoy building robots."
