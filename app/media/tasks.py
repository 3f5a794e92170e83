"""Background jobs that process recorded interview media; each commits at its own boundary.

The original recording is never changed: everything made from it is stored under new keys,
so it stays playable whatever happens here. Between retries a failure is visible to staff.
"""

from __future__ import annotations

import io
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.candidates.privacy import delete_files_after_commit
from app.extensions import db
from app.jobs import job
from app.media import ffmpeg
from app.media.transcribe import Transcript, transcribe, transcription_available
from app.models.interview import InterviewAnswer, InterviewQuestion, ProcessingState
from app.storage import get_storage

logger = logging.getLogger(__name__)

ANSWER_PREFIX = "answers-derived"
PROMPT_PREFIX = "prompts-derived"
UNEXPECTED_ERROR = "Processing failed unexpectedly"


@dataclass
class _Derived:
    duration: float | None = None
    mp4_key: str | None = None
    poster_key: str | None = None
    captions_key: str | None = None
    transcript: str = ""


@job(retries=3, retry_delay=60)
def process_answer(answer_id: int) -> None:
    """Make the MP4, poster, duration and transcript of a video answer (huey retries on failure)."""
    process_answer_media(answer_id)


@job(retries=3, retry_delay=60)
def process_prompt(question_id: int) -> None:
    """Transcribe a question's prompt video into a transcript and captions."""
    process_prompt_media(question_id)


def process_answer_media(answer_id: int) -> None:
    """Process one answer now, committing its state; re-raises a failure so the job is retried."""
    answer = db.session.get(InterviewAnswer, answer_id)
    if answer is None or not answer.video_key:
        return
    source_key, content_type = answer.video_key, answer.video_content_type or "video/webm"
    prefix = f"{ANSWER_PREFIX}/{answer.invitation_id}"
    answer.processing_state = ProcessingState.PROCESSING
    db.session.commit()

    saved: list[str] = []
    try:
        derived = _derive_answer_media(source_key, content_type, prefix, saved)
    except Exception as error:
        _delete_now(saved)
        db.session.rollback()
        _record_failure(answer_id, error)
        if isinstance(error, ffmpeg.ToolMissing):
            return  # retrying will not install ffmpeg
        raise

    answer = db.session.get(InterviewAnswer, answer_id)
    if answer is None or answer.video_key != source_key:
        # Deleted or replaced by a new recording meanwhile: its own job makes its own files.
        _delete_now(saved)
        return
    delete_files_after_commit(
        key for key in (answer.mp4_key, answer.poster_key, answer.captions_key) if key and key not in saved
    )
    answer.mp4_key = derived.mp4_key
    answer.poster_key = derived.poster_key
    answer.captions_key = derived.captions_key
    answer.transcript = derived.transcript
    if derived.duration is not None:
        answer.duration_seconds = derived.duration
    answer.processing_state = ProcessingState.READY
    answer.processing_error = None
    db.session.commit()


def _record_failure(answer_id: int, error: Exception) -> None:
    if isinstance(error, ffmpeg.MediaError):
        message = str(error)
    else:
        logger.exception("Processing answer %s failed", answer_id)
        message = UNEXPECTED_ERROR
    answer = db.session.get(InterviewAnswer, answer_id)
    if answer is None:
        return
    answer.processing_state = ProcessingState.FAILED
    answer.processing_error = message[:500]
    answer.processing_attempts += 1
    db.session.commit()


def _derive_answer_media(source_key: str, content_type: str, prefix: str, saved: list[str]) -> _Derived:
    derived = _Derived()
    with tempfile.TemporaryDirectory(prefix="openround-media-") as workdir:
        folder = Path(workdir)
        ffmpeg.find_tool("ffmpeg")
        ffmpeg.find_tool("ffprobe")
        original = ffmpeg.download_to(source_key, folder / "original")
        found = ffmpeg.probe(original)
        if not found.has_video:
            raise ffmpeg.MediaError("The recording has no picture")
        source = _remuxed(original, folder / ("remuxed.mp4" if "mp4" in content_type else "remuxed.webm"))
        mp4 = ffmpeg.make_mp4(source, folder / "answer.mp4", has_audio=found.has_audio)
        derived.duration = ffmpeg.probe(source).duration or ffmpeg.probe(mp4).duration
        derived.mp4_key = _store(mp4, prefix, "video/mp4", saved)
        poster = ffmpeg.make_poster(mp4, folder / "poster.jpg", duration=derived.duration)
        derived.poster_key = _store(poster, prefix, "image/jpeg", saved)
        if found.has_audio:
            transcript = _transcript_or_none(lambda: _transcribe_file(source, folder))
            if transcript is not None and transcript.text:
                derived.transcript = transcript.text
                derived.captions_key = _store_text(transcript.vtt, prefix, saved)
    return derived


def _remuxed(original: Path, destination: Path) -> Path:
    try:
        return ffmpeg.remux(original, destination)
    except ffmpeg.MediaError:
        # The re-encode may still read what a plain copy could not.
        logger.warning("Remuxing failed; encoding from the original instead")
        return original


def _transcribe_file(source: Path, folder: Path) -> Transcript | None:
    if not transcription_available():
        return None
    return transcribe(ffmpeg.extract_audio(source, folder / "audio.wav"))


def _transcript_or_none(make: Callable[[], Transcript | None]) -> Transcript | None:
    try:
        return make()
    except Exception:
        # A transcript is a bonus: without one the recording is still ready to watch.
        logger.exception("Transcription failed")
        return None


def _store(path: Path, prefix: str, content_type: str, saved: list[str]) -> str:
    with path.open("rb") as stream:
        key = get_storage().save(stream, prefix=prefix, content_type=content_type).key
    saved.append(key)
    return key


def _store_text(text: str, prefix: str, saved: list[str]) -> str:
    key = get_storage().save(io.BytesIO(text.encode()), prefix=prefix, content_type="text/vtt").key
    saved.append(key)
    return key


def _delete_now(keys: list[str]) -> None:
    storage = get_storage()
    for key in keys:
        try:
            storage.delete(key)
        except Exception:
            logger.exception("Could not delete unused derived file %s", key)


def process_prompt_media(question_id: int) -> None:
    """Transcribe one prompt video now and commit its transcript and captions."""
    question = db.session.get(InterviewQuestion, question_id)
    if question is None or not question.prompt_video_key or not transcription_available():
        return
    source_key, prefix = question.prompt_video_key, f"{PROMPT_PREFIX}/{question.template_id}"
    db.session.rollback()
    saved: list[str] = []
    try:
        with tempfile.TemporaryDirectory(prefix="openround-media-") as workdir:
            folder = Path(workdir)
            original = ffmpeg.download_to(source_key, folder / "original")
            transcript = _transcribe_file(original, folder) if ffmpeg.probe(original).has_audio else None
            captions_key = (
                _store_text(transcript.vtt, prefix, saved) if transcript and transcript.text else None
            )
    except ffmpeg.ToolMissing:
        logger.error("Prompt %s was not transcribed: ffmpeg is not installed", question_id)
        return
    except Exception:
        _delete_now(saved)
        raise
    question = db.session.get(InterviewQuestion, question_id)
    if question is None or question.prompt_video_key != source_key:
        _delete_now(saved)
        return
    if question.prompt_captions_key:
        delete_files_after_commit([question.prompt_captions_key])
    question.prompt_captions_key = captions_key
    question.prompt_transcript = transcript.text if transcript else ""
    db.session.commit()
