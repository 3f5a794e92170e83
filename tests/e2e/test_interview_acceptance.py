# SPDX-License-Identifier: AGPL-3.0-or-later
"""Acceptance: a manager records a prompt, a candidate answers with a fake camera, a recruiter reviews it.

It runs with local storage and with S3 (SeaweedFS on loopback): in S3 mode the browser uploads
straight to the bucket with presigned POSTs and plays the media from presigned links.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import pytest
from playwright.sync_api import expect

from app.answering.services import answer_prefix
from app.core.extensions import db
from app.interviews import services
from app.models import Role
from app.models.interview import (
    AnswerType,
    InterviewAnswer,
    InterviewInvitation,
    InterviewQuestion,
    InterviewUpload,
    InvitationState,
)
from tests.e2e.test_answering import new_page
from tests.factories import PASSWORD, make_organization, make_user
from tests.fixtures.browser import CHROMIUM, CHROMIUM_ARGS
from tests.fixtures.media import write_speech_wav, write_y4m
from tests.helpers import link_in_mail
from tests.test_applications import make_job
from tests.test_interviews_invitations import make_application

pytestmark = pytest.mark.e2e

WRITTEN = "I would start by listening to the team."


@pytest.fixture(params=["local", "s3"])
def app_environ(
    request: pytest.FixtureRequest, app_environ: dict[str, str], database_url: str
) -> dict[str, str]:
    """The app on local storage, or on S3 (a bucket of its own on the SeaweedFS test server)."""
    if request.param == "s3":
        if not database_url.startswith("sqlite"):
            pytest.skip("storage does not depend on the database: the S3 run happens once, on SQLite")
        app_environ.update(request.getfixturevalue("s3_environ"))
    return app_environ


@dataclass(frozen=True)
class StorageSite:
    """Which storage the live app uses, and how to list what it holds under a prefix."""

    kind: str
    keys: Callable[[str], list[str]]


@pytest.fixture
def storage_site(app_environ: dict[str, str], live_server, request: pytest.FixtureRequest) -> StorageSite:
    """The live app's storage; in S3 mode the bucket lets the app's pages upload to it."""
    if app_environ.get("STORAGE_BACKEND") == "s3":
        server = request.getfixturevalue("s3_server")
        bucket = app_environ["S3_BUCKET"]
        server.allow_browser_origin(bucket, live_server.url)
        return StorageSite("s3", lambda prefix: server.object_keys(bucket, prefix))
    root = Path(app_environ["STORAGE_LOCAL_PATH"])

    def local_keys(prefix: str) -> list[str]:
        folder = root / prefix
        files = folder.rglob("*") if folder.is_dir() else []
        return sorted(str(path.relative_to(root)) for path in files if path.is_file())

    return StorageSite("local", local_keys)


@pytest.fixture(scope="module")
def capture_browser(browser, tmp_path_factory: pytest.TempPathFactory):
    """A headless Chromium whose camera plays a test picture and whose microphone says SPOKEN, in a loop.

    Both files are made with PyAV from the committed spoken recording: no system tool is needed.
    """
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    folder = tmp_path_factory.mktemp("capture")
    # Half a second of silence after the sentence, so the looped sound has word boundaries.
    audio = write_speech_wav(folder / "voice.wav", pad_seconds=0.5)
    video = write_y4m(folder / "camera.y4m", seconds=4.0, size=(320, 240), fps=15)
    args = [
        *CHROMIUM_ARGS,
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
        f"--use-file-for-fake-audio-capture={audio}",
    ]
    # One Playwright per process: launch beside the session's browser, through its driver.
    chromium = browser.browser_type.launch(executable_path=CHROMIUM, headless=True, args=args)
    yield chromium
    chromium.close()


def make_world(app) -> dict:
    """An organization with a manager and a recruiter, a published job, an application and a template."""
    with app.app_context():
        organization = make_organization(name="Aurora Robotics")
        recruiter = make_user(organization, Role.RECRUITER, email="rita@example.com", name="Rita Recruiter")
        manager = make_user(organization, Role.MANAGER, email="marta@example.com", name="Marta Manager")
        # Marta is the job's hiring manager: she reaches its interview (and no other).
        job = make_job(organization, title="Robotics Engineer", hiring_manager_id=manager.id)
        application = make_application(job, "Giulia Rossi", "giulia@example.com")
        template = services.create_template(recruiter, services.TemplateData(name="First round"))
        job.interview_template_id = template.id
        # Unlimited thinking time: the test presses "Start recording now" itself.
        video = {"answer_type": AnswerType.VIDEO, "think_seconds": None, "max_seconds": 10, "retakes": 1}
        questions = [
            services.add_question(
                recruiter, template.id, services.QuestionData("Introduce yourself", **video)
            ),
            services.add_question(recruiter, template.id, services.QuestionData("Why robots?", **video)),
            services.add_question(
                recruiter,
                template.id,
                services.QuestionData("How would you start?", answer_type=AnswerType.TEXT, max_chars=500),
            ),
        ]
        db.session.commit()
        return {
            "recruiter": recruiter.id,
            "application": application.id,
            "public_id": application.public_id,
            "template": template.id,
            "questions": [question.id for question in questions],
        }


def sign_in(page, base: str, email: str) -> None:
    """Sign a staff member in through the login form."""
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/app/")


def record_answer(page) -> None:
    """Record about four seconds with the answer recorder and wait until the answer is saved."""
    page.get_by_role("button", name="Start recording now").click()
    expect(page.get_by_role("button", name="Stop recording")).to_be_visible()
    page.wait_for_timeout(4_000)  # the fake microphone says the sentence more than once
    page.get_by_role("button", name="Stop recording").click()
    expect(page.locator("[data-status]")).to_contain_text("Your answer is saved.", timeout=45_000)


def test_prompt_invitation_answers_resume_retake_and_review(app, live_server, storage_site, capture_browser):
    world = make_world(app)
    base = live_server.url
    first, second, third = world["questions"]

    # 3. The manager records the first question's prompt on its page.
    context, page, errors = new_page(capture_browser)
    sign_in(page, base, "marta@example.com")
    page.goto(f"{base}/app/interviews/{world['template']}/questions/{first}")
    page.get_by_role("button", name="Turn on the camera").click()
    expect(page.locator(".recorder-status")).to_contain_text("Camera on")
    page.get_by_role("button", name="Start recording").click()
    expect(page.locator(".recorder-timer")).to_have_text(re.compile(r"^0:0[2-9] "))
    page.get_by_role("button", name="Stop recording").click()
    expect(page.locator(".recorder-status")).to_contain_text("Recorded")
    # The ticket, the upload and the confirm: stop at the first failure, or at the confirm.
    with page.expect_response(
        lambda response: "/video/" in response.url and (not response.ok or response.url.endswith("/confirm")),
        timeout=45_000,
    ) as saved:
        page.get_by_role("button", name="Use this recording").click()
    assert saved.value.ok, f"{saved.value.url}: {saved.value.text()}"
    expect(page.locator("video.prompt-video")).to_be_visible(timeout=45_000)  # the page reloads when saved
    assert errors == []
    context.close()
    with app.app_context():
        prompt = db.session.get(InterviewQuestion, first)
        assert prompt.prompt_video_key and "/prompt-videos/" in prompt.prompt_video_key
        assert prompt.prompt_recorded_by.email == "marta@example.com"

    # 4. The recruiter invites the candidate from the application; the personal link arrives by e-mail.
    context, page, errors = new_page(capture_browser)
    sign_in(page, base, "rita@example.com")
    page.goto(f"{base}/app/interviews/applications/{world['public_id']}/invite")
    page.get_by_label("Interview").select_option(label="First round")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_text("The invitation was sent to Giulia Rossi.")).to_be_visible()
    assert errors == []
    context.close()
    with app.app_context():
        invitation_id = db.session.scalar(
            db.select(InterviewInvitation.id).where(
                InterviewInvitation.application_id == world["application"]
            )
        )
    link = base + link_in_mail(app, "giulia@example.com", "interview/")

    # 5. The candidate checks the devices, answers the first question with the prompt shown, and leaves.
    context, page, errors = new_page(capture_browser)
    page.goto(link)
    page.get_by_role("link", name="Start").click()
    expect(page.locator("[data-status]")).to_contain_text("Camera and microphone work")
    page.get_by_role("link", name="Continue").click()
    expect(page.get_by_text("Question 1 of 3")).to_be_visible()
    expect(page.locator("video.prompt-video")).to_be_visible()
    record_answer(page)
    assert errors == []
    context.close()

    # On another device the same link resumes at question 2, which is recorded twice.
    context, page, errors = new_page(capture_browser)
    page.goto(link)
    page.get_by_role("link", name="Continue").click()
    expect(page.get_by_text("Question 2 of 3")).to_be_visible()
    record_answer(page)
    page.get_by_role("button", name="Record again").click()
    record_answer(page)
    expect(page.get_by_role("button", name="Record again")).to_be_hidden()  # no takes left
    page.get_by_role("link", name="Next").click()
    expect(page.get_by_text("Question 3 of 3")).to_be_visible()
    page.get_by_label("Your answer").fill(WRITTEN)
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("button", name="Send my interview").click()
    expect(page.get_by_role("heading", name="Thank you, your interview was sent")).to_be_visible()
    assert errors == []
    context.close()

    # 6. A recruiter reviews every answer.
    context, page, errors = new_page(capture_browser)
    sign_in(page, base, "rita@example.com")
    page.goto(f"{base}/app/interviews/invitations/{invitation_id}")
    sections = page.locator("section.playback-question")
    expect(sections).to_have_count(3)
    transcripts = []
    for index in (0, 1):
        section = sections.nth(index)
        video = section.locator("video.answer-video")
        poster = video.get_attribute("poster")
        mp4 = section.locator('source[type="video/mp4"]').get_attribute("src")
        assert poster and mp4
        assert page.request.get(urljoin(page.url, poster)).body()[:3] == b"\xff\xd8\xff"  # a JPEG
        assert page.request.get(urljoin(page.url, mp4)).body()[4:8] == b"ftyp"  # an MP4
        if storage_site.kind == "s3":
            # The page holds an opaque app link (no storage key); it redirects to the bucket.
            hop = page.request.get(urljoin(page.url, mp4), max_redirects=0)
            assert mp4.startswith("/files/d/") and hop.status == 303
            assert hop.headers["location"].startswith(app.config["S3_ENDPOINT_URL"])
        if section.locator("p.transcript").count():
            transcripts.append(section.locator("p.transcript").inner_text().lower())
    assert any("hello" in text or "name" in text for text in transcripts), transcripts
    expect(sections.nth(2).locator("p.text-answer")).to_have_text(WRITTEN)
    assert errors == []
    context.close()

    # 7. One answer per question; the retaken one counts two attempts.
    with app.app_context():
        assert db.session.get(InterviewInvitation, invitation_id).state == InvitationState.COMPLETED
        answers = {
            answer.question_id: answer
            for answer in db.session.scalars(
                db.select(InterviewAnswer).where(InterviewAnswer.invitation_id == invitation_id)
            )
        }
        assert len(answers) == 3 and set(answers) == {first, second, third}
        assert answers[first].attempts == 1 and answers[second].attempts == 2
        assert answers[third].text == WRITTEN
        assert db.session.scalars(db.select(InterviewUpload)).all() == []  # every upload was adopted
        # Exactly the two recordings are stored: the retaken one's first take is gone.
        originals = sorted(answer.video_key for answer in answers.values() if answer.video_key)
        prefix = answer_prefix(db.session.get(InterviewInvitation, invitation_id))
    assert len(originals) == 2 and storage_site.keys(f"{prefix}/") == originals
