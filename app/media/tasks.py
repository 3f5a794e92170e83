# SPDX-License-Identifier: AGPL-3.0-or-later
"""Background jobs that process recorded interview media; each commits at its own boundary.

The original recording is never changed: everything made from it is stored under new keys,
so it stays playable whatever happens here. A failure is recorded on the answer, where staff
see it, and the job is retried; the transcript is its own job, so a failing transcription never
holds back the MP4 and the poster. Each run holds a lease on its outbox row, kept alive by a
heartbeat; when a worker dies mid-run the lease expires and the relay runs the job again, and
after the last attempt the answer is marked failed with the reason (never left "processing").
"""

from __future__ import annotations

import io
import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path

from app.candidates.privacy import delete_files_after_commit
from app.core.extensions import db
from app.core.jobs import job
from app.core.storage import get_storage, organization_prefix
from app.media import pyav
from app.media.transcribe import Transcript, supports_language, transcribe, transcription_available
from app.models.interview import (
    InterviewAnswer,
    InterviewQuestion,
    InterviewTemplate,
    ProcessingState,
    TranscriptState,
)

logger = logging.getLogger(__name__)

ANSWER_PREFIX = "answers-derived"
PROMPT_PREFIX = "prompts-derived"
UNEXPECTED_ERROR = "Processing failed unexpectedly"
TRANSCRIPT_ERROR = "Transcription failed unexpectedly"
GAVE_UP_ERROR = "Processing did not finish after several attempts"


def _answer_given_up(reason: str, answer_id: int) -> None:
    """The last attempt ended (or its worker died): say so on the answer instead of "processing"."""
    answer = db.session.get(InterviewAnswer, answer_id)
    if answer is not None and answer.processing_state in (
        ProcessingState.PENDING,
        ProcessingState.PROCESSING,
    ):
        logger.error("Giving up processing answer %s: %s", answer_id, reason)
        answer.processing_state = ProcessingState.FAILED
        answer.processing_error = GAVE_UP_ERROR
        answer.processing_attempts += 1


def _transcript_given_up(reason: str, answer_id: int) -> None:
    """The transcript's last attempt ended: a failure staff can retry, never "being made" forever."""
    answer = db.session.get(InterviewAnswer, answer_id)
    if answer is not None and answer.transcript_state == TranscriptState.PENDING:
        answer.transcript_state = TranscriptState.FAILED
        answer.transcript_error = TRANSCRIPT_ERROR


@dataclass
class _Derived:
    duration: float | None = None
    mp4_key: str | None = None
    poster_key: str | None = None
    has_audio: bool = False


@job(retries=3, retry_delay=60, on_give_up=_answer_given_up)
def process_answer(answer_id: int) -> None:
    """Make the MP4, poster and duration of a video answer, then queue its transcript (retried on failure)."""
    if process_answer_media(answer_id):
        transcribe_answer(answer_id)


@job(retries=2, retry_delay=120, on_give_up=_transcript_given_up)
def transcribe_answer(answer_id: int) -> None:
    """Make the transcript and captions of a processed video answer (retried on failure)."""
    transcribe_answer_media(answer_id)


@job(retries=3, retry_delay=60)
def process_prompt(question_id: int) -> None:
    """Transcribe a question's prompt video into a transcript and captions."""
    process_prompt_media(question_id)


@job(retries=3, retry_delay=60)
def process_welcome(template_id: int) -> None:
    """Transcribe an interview's welcome video into captions."""
    process_welcome_media(template_id)


# -- answers: MP4, poster, duration -----------------------------------------------------------------


def process_answer_media(answer_id: int) -> bool:
    """Process one answer now, committing its state; True when a transcript should follow.

    Re-raises a failure (after recording it on the answer) so the job is retried.
    """
    answer = db.session.get(InterviewAnswer, answer_id)
    if answer is None or not answer.video_key:
        return False
    source_key, content_type = answer.video_key, answer.video_content_type or "video/webm"
    prefix = organization_prefix(answer.invitation.organization_id, f"{ANSWER_PREFIX}/{answer.invitation_id}")
    answer.processing_state = ProcessingState.PROCESSING
    db.session.commit()

    saved: list[str] = []
    try:
        derived = _derive_answer_media(source_key, content_type, prefix, saved)
    except Exception as error:
        _delete_now(saved)
        db.session.rollback()
        _record_failure(answer_id, error)
        raise

    answer = db.session.get(InterviewAnswer, answer_id)
    if answer is None or answer.video_key != source_key:
        # Deleted or replaced by a new recording meanwhile: its own job makes its own files.
        _delete_now(saved)
        return False
    delete_files_after_commit(key for key in (answer.mp4_key, answer.poster_key) if key and key not in saved)
    answer.mp4_key = derived.mp4_key
    answer.poster_key = derived.poster_key
    if derived.duration is not None:
        answer.duration_seconds = derived.duration
    answer.processing_state = ProcessingState.READY
    answer.processing_error = None
    wants_transcript = _prepare_transcript(answer, derived.has_audio)
    db.session.commit()
    return wants_transcript


def _prepare_transcript(answer: InterviewAnswer, has_audio: bool) -> bool:
    """Say on the answer why no transcript will come, or mark it pending; True when one should be made."""
    if not has_audio:
        answer.transcript_state = TranscriptState.NO_AUDIO
    elif not transcription_available():
        answer.transcript_state = TranscriptState.DISABLED
    elif not supports_language(answer.invitation.template.language):
        answer.transcript_state = TranscriptState.UNSUPPORTED_LANGUAGE
    else:
        answer.transcript_state = TranscriptState.PENDING
        answer.transcript_error = None
        return True
    answer.transcript_error = None
    return False


def _record_failure(answer_id: int, error: Exception) -> None:
    if isinstance(error, pyav.MediaError):
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
        original = pyav.download_to(source_key, folder / "original")
        found = pyav.probe(original)
        if not found.has_video:
            raise pyav.MediaError("The recording has no picture")
        source = _remuxed(original, folder / ("remuxed.mp4" if "mp4" in content_type else "remuxed.webm"))
        mp4 = pyav.make_mp4(source, folder / "answer.mp4", has_audio=found.has_audio)
        derived.duration = pyav.probe(source).duration or pyav.probe(mp4).duration
        derived.mp4_key = _store(mp4, prefix, "video/mp4", saved)
        poster = pyav.make_poster(mp4, folder / "poster.jpg", duration=derived.duration)
        derived.poster_key = _store(poster, prefix, "image/jpeg", saved)
        derived.has_audio = found.has_audio
    return derived


def _remuxed(original: Path, destination: Path) -> Path:
    try:
        return pyav.remux(original, destination)
    except pyav.MediaError:
        # The re-encode may still read what a plain copy could not.
        logger.warning("Remuxing failed; encoding from the original instead")
        return original


# -- answers: transcript and captions ---------------------------------------------------------------


def transcribe_answer_media(answer_id: int) -> None:
    """Transcribe one processed answer now and commit the result; re-raises a failure after recording it."""
    answer = db.session.get(InterviewAnswer, answer_id)
    if answer is None or not answer.video_key or answer.processing_state != ProcessingState.READY:
        return
    if not _prepare_transcript(answer, has_audio=answer.transcript_state != TranscriptState.NO_AUDIO):
        db.session.commit()
        return
    source_key = answer.video_key
    media_key = answer.mp4_key or answer.video_key
    language = answer.invitation.template.language
    prefix = organization_prefix(answer.invitation.organization_id, f"{ANSWER_PREFIX}/{answer.invitation_id}")
    db.session.commit()

    saved: list[str] = []
    try:
        has_audio, transcript = _transcribe_stored(media_key, language)
        captions_key = _store_text(transcript.vtt, prefix, saved) if transcript and transcript.text else None
    except Exception as error:
        _delete_now(saved)
        db.session.rollback()
        _record_transcript_failure(answer_id, source_key, error)
        raise

    answer = db.session.get(InterviewAnswer, answer_id)
    if answer is None or answer.video_key != source_key:
        _delete_now(saved)
        return
    if answer.captions_key and answer.captions_key not in saved:
        delete_files_after_commit([answer.captions_key])
    answer.captions_key = captions_key
    answer.transcript = transcript.text if transcript else ""
    answer.transcript_state = TranscriptState.READY if has_audio else TranscriptState.NO_AUDIO
    answer.transcript_error = None
    db.session.commit()


def _record_transcript_failure(answer_id: int, source_key: str, error: Exception) -> None:
    if isinstance(error, pyav.MediaError):
        message = str(error)
    else:
        logger.exception("Transcribing answer %s failed", answer_id)
        message = TRANSCRIPT_ERROR
    answer = db.session.get(InterviewAnswer, answer_id)
    if answer is None or answer.video_key != source_key:
        return
    answer.transcript_state = TranscriptState.FAILED
    answer.transcript_error = message[:500]
    db.session.commit()


def _transcribe_stored(key: str, language: str) -> tuple[bool, Transcript | None]:
    """Whether the stored recording has sound, and what was said in it."""
    with tempfile.TemporaryDirectory(prefix="openround-media-") as workdir:
        folder = Path(workdir)
        media = pyav.download_to(key, folder / "media")
        if not pyav.probe(media).has_audio:
            return False, None
        return True, transcribe(pyav.extract_audio(media, folder / "audio.wav"), language)


# -- prompts and welcome videos: captions -----------------------------------------------------------


def process_prompt_media(question_id: int) -> None:
    """Transcribe one prompt video now and commit its transcript and captions."""
    question = db.session.get(InterviewQuestion, question_id)
    if question is None or not question.prompt_video_key:
        return
    language = question.template.language
    if not transcription_available() or not supports_language(language):
        return
    source_key, prefix = (
        question.prompt_video_key,
        organization_prefix(question.template.organization_id, f"{PROMPT_PREFIX}/{question.template_id}"),
    )
    db.session.rollback()
    saved: list[str] = []
    transcript = _captions_of(source_key, language, prefix, saved)
    question = db.session.get(InterviewQuestion, question_id)
    if question is None or question.prompt_video_key != source_key:
        _delete_now(saved)
        return
    if question.prompt_captions_key:
        delete_files_after_commit([question.prompt_captions_key])
    question.prompt_captions_key = saved[0] if saved else None
    question.prompt_transcript = transcript.text if transcript else ""
    db.session.commit()


def process_welcome_media(template_id: int) -> None:
    """Transcribe an interview's welcome video now and commit its captions."""
    template = db.session.get(InterviewTemplate, template_id)
    if template is None or not template.welcome_video_key:
        return
    language = template.language
    if not transcription_available() or not supports_language(language):
        return
    source_key, prefix = (
        template.welcome_video_key,
        organization_prefix(template.organization_id, f"{PROMPT_PREFIX}/{template_id}"),
    )
    db.session.rollback()
    saved: list[str] = []
    _captions_of(source_key, language, prefix, saved)
    template = db.session.get(InterviewTemplate, template_id)
    if template is None or template.welcome_video_key != source_key:
        _delete_now(saved)
        return
    if template.welcome_captions_key:
        delete_files_after_commit([template.welcome_captions_key])
    template.welcome_captions_key = saved[0] if saved else None
    db.session.commit()


def _captions_of(source_key: str, language: str, prefix: str, saved: list[str]) -> Transcript | None:
    """Transcribe a stored video and store its captions (appended to ``saved``)."""
    try:
        with tempfile.TemporaryDirectory(prefix="openround-media-") as workdir:
            folder = Path(workdir)
            original = pyav.download_to(source_key, folder / "original")
            transcript = None
            if pyav.probe(original).has_audio:
                transcript = transcribe(pyav.extract_audio(original, folder / "audio.wav"), language)
            if transcript and transcript.text:
                _store_text(transcript.vtt, prefix, saved)
            return transcript
    except Exception:
        _delete_now(saved)
        raise


# -- storage helpers --------------------------------------------------------------------------------


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
