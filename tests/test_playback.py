"""Reviewers play a candidate's interview: the right people, the real questions, the best rendition."""

from __future__ import annotations

import html
import re

import pytest

from app.extensions import db
from app.media.tasks import process_answer_media
from app.models import Role
from app.models.interview import InterviewAnswer, ProcessingState
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
def test_only_reviewers_of_the_organization_and_the_jobs_own_manager_may_look(app, tiny_webm, who, status):
    data = reviewed_interview(app, tiny_webm, failed=True)
    email = data["emails"].get(who) or data[who]
    assert page_as(app, email, data["path"])[1].status_code == status


def test_signed_out_visitors_are_sent_to_sign_in(app, client, tiny_webm):
    data = reviewed_interview(app, tiny_webm, failed=True)
    assert client.get(data["path"]).status_code == 302
    assert page_as(app, data["emails"]["admin"], "/app/interviews/invitations/999999")[1].status_code == 404
