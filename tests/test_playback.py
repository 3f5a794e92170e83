# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reviewers play a candidate's interview: the right people, the real questions, the best rendition."""

from __future__ import annotations

import html
import re

import pytest

from app.core.extensions import db
from app.media.tasks import process_answer_media
from app.models import Role
from app.models.interview import InterviewAnswer, ProcessingState, TranscriptState
from app.reviews.shortlists import add_entries, create_shortlist, share_with_manager
from tests.factories import make_organization, make_user
from tests.helpers import login, text_of
from tests.test_applications import make_job
from tests.test_media import add_answer, make_interview, store

TRANSCRIPT = "I built a robot that waters plants."


def reviewed_interview(app, tiny_webm, *, failed: bool = False) -> dict:
    """An interview with a processed video answer (captions, transcript), a text and a practice answer."""
    with app.app_context():
        organization = make_organization()
        users = {role: make_user(organization, role) for role in Role}
        other_manager = make_user(organization, Role.MANAGER)
        stranger = make_user(make_organization(), Role.ADMIN)
        job = make_job(organization, hiring_manager_id=users[Role.MANAGER].id)
        invitation = make_interview(organization, job)
        add_answer(invitation, 0, text="PRACTICE-ONLY words")
        video = add_answer(invitation, 1, video=tiny_webm)
        add_answer(invitation, 2, text="Because the team builds robots.")
        # Managers review what a recruiter shared with them on a shortlist.
        shortlist = create_shortlist(users[Role.RECRUITER], job.id, "Finalists")
        add_entries(users[Role.RECRUITER], shortlist.id, [invitation.application_id])
        share_with_manager(users[Role.RECRUITER], shortlist.id, users[Role.MANAGER].id)
        db.session.commit()
        if failed:
            video.processing_state = ProcessingState.FAILED
            video.processing_error = "Making the MP4 failed: the recording could not be read"
        else:
            process_answer_media(video.id)
            video = db.session.get(InterviewAnswer, video.id)
            video.captions_key = store(
                b"WEBVTT\n\n1\n00:00:00.000 --> 00:00:01.000\nHi\n", "text/vtt", "answers-derived"
            )
            video.transcript = TRANSCRIPT
            video.transcript_state = TranscriptState.READY
        db.session.commit()
        return {
            "path": f"/app/interviews/invitations/{invitation.id}",
            "emails": {role.value: user.email for role, user in users.items()},
            "other_manager": other_manager.email,
            "stranger": stranger.email,
        }


def page_as(app, email: str, path: str):
    """The page as seen by a fresh browser signed in as ``email``."""
    client = app.test_client()
    login(client, email)
    return client, client.get(path)


def test_a_recruiter_sees_the_answers_with_the_mp4_poster_captions_and_transcript(app, tiny_webm):
    data = reviewed_interview(app, tiny_webm)
    client, page = page_as(app, data["emails"]["recruiter"], data["path"])
    body = text_of(page)
    assert page.status_code == 200
    assert "Tell us about a robot you built" in body and "Why this team?" in body
    assert "Because the team builds robots." in body and TRANSCRIPT in body
    assert "Warm-up" not in body and "PRACTICE-ONLY" not in body
    assert "Question 1" in body and "Question 2" in body and "Question 3" not in body
    assert 'preload="metadata"' in body and 'kind="captions"' in body
    assert 'data-speed="1.5"' in body and "js/playback.js" in body
    assert "Processing" not in body

    sources = re.findall(r'<source src="([^"]+)" type="([^"]+)"', body)
    assert [kind for _, kind in sources] == ["video/mp4", "video/webm"]  # the MP4 is preferred
    assert client.get(html.unescape(sources[0][0])).data[4:8] == b"ftyp"
    assert client.get(html.unescape(sources[1][0])).data == tiny_webm
    poster = re.search(r'poster="([^"]+)"', body).group(1)
    assert client.get(html.unescape(poster)).data[:3] == b"\xff\xd8\xff"
    track = re.search(r'<track kind="captions" src="([^"]+)"', body).group(1)
    assert client.get(html.unescape(track)).data.startswith(b"WEBVTT")


def test_a_failed_answer_says_so_and_still_offers_the_original(app, tiny_webm):
    data = reviewed_interview(app, tiny_webm, failed=True)
    client, page = page_as(app, data["emails"]["admin"], data["path"])
    body = html.unescape(text_of(page))
    assert "Processing failed: Making the MP4 failed: the recording could not be read" in body
    sources = re.findall(r'<source src="([^"]+)" type="([^"]+)"', body)
    assert [kind for _, kind in sources] == ["video/webm"]
    assert client.get(sources[0][0]).data == tiny_webm


@pytest.mark.parametrize(
    ("who", "status"),
    [("admin", 200), ("manager", 200), ("other_manager", 404), ("employee", 403), ("stranger", 404)],
)
def test_only_reviewers_of_the_organization_and_managers_it_was_shared_with_may_look(
    app, tiny_webm, who, status
):
    data = reviewed_interview(app, tiny_webm, failed=True)
    email = data["emails"].get(who) or data[who]
    assert page_as(app, email, data["path"])[1].status_code == status


def test_signed_out_visitors_are_sent_to_sign_in(app, client, tiny_webm):
    data = reviewed_interview(app, tiny_webm, failed=True)
    assert client.get(data["path"]).status_code == 302
    assert page_as(app, data["emails"]["admin"], "/app/interviews/invitations/999999")[1].status_code == 404


def set_answer(app, path: str, **values) -> int:
    """Change the video answer of the reviewed interview; returns its id."""
    invitation_id = int(path.rsplit("/", 1)[1])
    with app.app_context():
        answer = db.session.scalar(
            db.select(InterviewAnswer).where(
                InterviewAnswer.invitation_id == invitation_id, InterviewAnswer.video_key.is_not(None)
            )
        )
        for name, value in values.items():
            setattr(answer, name, value)
        db.session.commit()
        return answer.id


def test_a_failed_processing_can_be_tried_again_by_staff(app, tiny_webm):
    data = reviewed_interview(app, tiny_webm, failed=True)
    answer_id = set_answer(app, data["path"], processing_attempts=4)
    client, page = page_as(app, data["emails"]["manager"], data["path"])
    body = html.unescape(text_of(page))
    assert "Tried 4 times." in body and "Try again" in body
    retry = f"{data['path']}/answers/{answer_id}/process"
    assert f'action="{retry}"' in body
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', body).group(1)
    response = client.post(retry, data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#answer-{answer_id}")
    with app.app_context():
        answer = db.session.get(InterviewAnswer, answer_id)
        assert answer.processing_state == ProcessingState.READY and answer.mp4_key  # ran again, inline
    after = html.unescape(text_of(client.get(data["path"])))
    assert "Processing failed" not in after and "Try again" not in after
    # Nothing to retry now: refused, and never for another organization's interview.
    assert client.post(retry, data={"csrf_token": token}).status_code == 409
    stranger, _ = page_as(app, data["stranger"], "/app/")
    assert stranger.post(retry, data={"csrf_token": csrf_of(stranger)}).status_code == 404


def csrf_of(client) -> str:
    """The CSRF token of the signed-in staff page."""
    body = text_of(client.get("/app/"))
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', body).group(1)


def test_a_failed_transcript_is_shown_with_its_reason_and_only_it_is_tried_again(app, tiny_webm, monkeypatch):
    data = reviewed_interview(app, tiny_webm)
    answer_id = set_answer(
        app,
        data["path"],
        transcript="",
        transcript_state=TranscriptState.FAILED,
        transcript_error="Transcription failed unexpectedly",
    )
    client, page = page_as(app, data["emails"]["recruiter"], data["path"])
    body = html.unescape(text_of(page))
    assert "The transcript could not be made: Transcription failed unexpectedly." in body
    assert 'type="video/mp4"' in body and "Try again" in body  # the video itself plays
    processed: list[int] = []
    monkeypatch.setattr("app.media.services.process_answer", lambda answer_id: processed.append(answer_id))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', body).group(1)
    client.post(f"{data['path']}/answers/{answer_id}/process", data={"csrf_token": token})
    with app.app_context():
        answer = db.session.get(InterviewAnswer, answer_id)
        # Run again, the transcript job finds what to say (transcribed, or why not) instead of failing.
        assert answer.transcript_state != TranscriptState.FAILED and answer.transcript_error is None
        assert answer.processing_state == ProcessingState.READY
    assert processed == []  # the MP4 and poster were not made again


@pytest.mark.parametrize(
    ("state", "message"),
    [
        (TranscriptState.UNSUPPORTED_LANGUAGE, "No transcript for this language (Italiano)"),
        (TranscriptState.DISABLED, "Transcripts are turned off on this server."),
        (TranscriptState.NO_AUDIO, "This recording has no sound"),
        (TranscriptState.PENDING, "The transcript is being made"),
    ],
)
def test_why_there_is_no_transcript_is_said_and_captions_follow_the_language(app, tiny_webm, state, message):
    data = reviewed_interview(app, tiny_webm)
    set_answer(app, data["path"], transcript="", transcript_state=state)
    with app.app_context():
        answer = db.session.scalar(db.select(InterviewAnswer).where(InterviewAnswer.video_key.is_not(None)))
        answer.invitation.template.language = "it"
        db.session.commit()
    body = html.unescape(text_of(page_as(app, data["emails"]["recruiter"], data["path"])[1]))
    assert message in body and "Try again" not in body
    assert 'srclang="it"' in body and 'srclang="en"' not in body
