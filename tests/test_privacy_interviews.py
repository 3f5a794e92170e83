# SPDX-License-Identifier: AGPL-3.0-or-later
"""A candidate's interview answers are part of their data: exported with it and erased with it."""

from __future__ import annotations

import io
import json
import zipfile

from app.candidates.privacy import delete_candidate_data, write_candidate_archive
from app.core.extensions import db
from app.core.storage import get_storage
from app.media.tasks import process_answer_media
from app.models import Candidate
from app.models.interview import InterviewAnswer, InterviewInvitation
from tests.factories import make_organization
from tests.test_applications import make_job
from tests.test_media import add_answer, make_interview, store


def interviewed(app, tiny_webm) -> dict:
    """Ada (a processed video answer with captions, a text answer) and Bob in the same job."""
    with app.app_context():
        organization = make_organization()
        job = make_job(organization)
        ada = make_interview(organization, job, "ada@example.com")
        video = add_answer(ada, 1, video=tiny_webm)
        add_answer(ada, 2, text="Because of the robots.")
        bob = make_interview(organization, job, "bob@example.com")
        bob_video = add_answer(bob, 1, video=tiny_webm)
        db.session.commit()
        process_answer_media(video.id)
        process_answer_media(bob_video.id)
        video = db.session.get(InterviewAnswer, video.id)
        video.captions_key = store(b"WEBVTT\n", "text/vtt", "answers-derived")
        db.session.commit()
        bob_video = db.session.get(InterviewAnswer, bob_video.id)
        return {
            "ada_id": ada.application.candidate_id,
            "ada_invitation": ada.id,
            "bob_invitation": bob.id,
            "ada_keys": [video.video_key, video.mp4_key, video.poster_key, video.captions_key],
            "bob_keys": [bob_video.video_key, bob_video.mp4_key, bob_video.poster_key],
        }


def test_erasing_a_candidate_deletes_their_interview_answers_and_every_file(app, tiny_webm):
    data = interviewed(app, tiny_webm)
    assert all(data["ada_keys"]) and all(data["bob_keys"])
    with app.app_context():
        delete_candidate_data(db.session.get(Candidate, data["ada_id"]), reason="candidate request")
        # The files wait for the commit: a rollback would keep them.
        assert all(get_storage().stat(key) for key in data["ada_keys"])
        db.session.commit()

    with app.app_context():
        storage = get_storage()
        assert db.session.get(InterviewInvitation, data["ada_invitation"]) is None
        remaining = db.session.scalars(db.select(InterviewAnswer.invitation_id)).all()
        assert remaining == [data["bob_invitation"]]
        assert [storage.stat(key) for key in data["ada_keys"]] == [None] * 4
        assert all(storage.stat(key) for key in data["bob_keys"])


def test_the_export_holds_interview_answers_and_the_original_recording(app, tiny_webm):
    data = interviewed(app, tiny_webm)
    with app.app_context():
        buffer = io.BytesIO()
        write_candidate_archive(db.session.get(Candidate, data["ada_id"]), buffer)

    archive = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    exported = json.loads(archive.read("data.json"))
    [application] = exported["applications"]
    [interview] = application["interviews"]
    answers = {answer["question"]: answer for answer in interview["answers"]}
    assert answers["Why this team?"]["text"] == "Because of the robots."
    video = answers["Tell us about a robot you built"]
    assert video["kind"] == "video" and video["duration_seconds"] > 0
    assert archive.read(video["video_in_this_archive"]) == tiny_webm
    # Nothing of the other candidate: neither their address nor their recordings.
    document = json.dumps(exported)
    assert "bob@example.com" not in document
    assert not any(key in document for key in data["bob_keys"])
