"""What other areas ask of media processing: queue an answer or a prompt, and link to its files.

Processing runs in a background job (``app.media.tasks``) queued only once the row that
names the stored video has been committed, so the worker always finds it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app import after_commit
from app.extensions import db
from app.media.tasks import process_answer, process_prompt, process_welcome, transcribe_answer
from app.models.interview import (
    InterviewAnswer,
    InterviewQuestion,
    InterviewTemplate,
    ProcessingState,
    TranscriptState,
)
from app.storage import file_url

ANSWER_PROCESSING = "media.process_answer"
TRANSCRIPTION = "media.transcribe_answer"
PROMPT_PROCESSING = "media.process_prompt"
WELCOME_PROCESSING = "media.process_welcome"


@dataclass(frozen=True)
class AnswerMedia:
    """Short-lived links to an answer's recording and what was made from it (None when absent)."""

    video_url: str | None
    mp4_url: str | None
    poster_url: str | None
    captions_url: str | None


@dataclass(frozen=True)
class PromptMedia:
    """Short-lived links to a question's prompt video and its captions (None when absent)."""

    video_url: str | None
    captions_url: str | None


def queue_answer_processing(answer: InterviewAnswer) -> None:
    """Process the answer's video (MP4, poster, duration, transcript) once the transaction commits."""
    db.session.flush()
    after_commit.defer_until_commit(ANSWER_PROCESSING, answer.id)


def queue_prompt_processing(question: InterviewQuestion) -> None:
    """Transcribe the question's prompt video (captions) once the transaction commits."""
    db.session.flush()
    after_commit.defer_until_commit(PROMPT_PROCESSING, question.id)


def queue_welcome_processing(template: InterviewTemplate) -> None:
    """Caption the interview's welcome video once the transaction commits."""
    db.session.flush()
    after_commit.defer_until_commit(WELCOME_PROCESSING, template.id)


def requeue_answer_processing(answer: InterviewAnswer) -> None:
    """Process an answer again (staff asked): the whole video when that failed, else its transcript."""
    if answer.processing_state == ProcessingState.READY:
        answer.transcript_state = TranscriptState.PENDING
        answer.transcript_error = None
        db.session.flush()
        after_commit.defer_until_commit(TRANSCRIPTION, answer.id)
        return
    answer.processing_state = ProcessingState.PENDING
    answer.processing_error = None
    queue_answer_processing(answer)


@after_commit.on_commit(TRANSCRIPTION)
def _enqueue_transcriptions(answer_ids: Sequence[int]) -> None:
    for answer_id in dict.fromkeys(answer_ids):
        transcribe_answer(answer_id)


@after_commit.on_commit(WELCOME_PROCESSING)
def _enqueue_welcomes(template_ids: Sequence[int]) -> None:
    for template_id in dict.fromkeys(template_ids):
        process_welcome(template_id)


@after_commit.on_commit(ANSWER_PROCESSING)
def _enqueue_answers(answer_ids: Sequence[int]) -> None:
    for answer_id in dict.fromkeys(answer_ids):
        process_answer(answer_id)


@after_commit.on_commit(PROMPT_PROCESSING)
def _enqueue_prompts(question_ids: Sequence[int]) -> None:
    for question_id in dict.fromkeys(question_ids):
        process_prompt(question_id)


def answer_media_urls(answer: InterviewAnswer) -> AnswerMedia:
    """Inline, short-lived links for playing an answer: original, MP4, poster and captions."""
    return AnswerMedia(
        video_url=_link(answer.video_key, "answer", answer.video_content_type or "video/webm"),
        mp4_url=_link(answer.mp4_key, "answer.mp4", "video/mp4"),
        poster_url=_link(answer.poster_key, "poster.jpg", "image/jpeg"),
        captions_url=_link(answer.captions_key, "captions.vtt", "text/vtt"),
    )


def prompt_media_urls(question: InterviewQuestion) -> PromptMedia:
    """Inline, short-lived links for a question's prompt video and its captions."""
    return PromptMedia(
        video_url=_link(
            question.prompt_video_key, "question", question.prompt_video_content_type or "video/webm"
        ),
        captions_url=_link(question.prompt_captions_key, "captions.vtt", "text/vtt"),
    )


def welcome_media_urls(template: InterviewTemplate) -> PromptMedia:
    """Inline, short-lived links for an interview's welcome video and its captions."""
    return PromptMedia(
        video_url=_link(
            template.welcome_video_key, "welcome", template.welcome_video_content_type or "video/webm"
        ),
        captions_url=_link(template.welcome_captions_key, "captions.vtt", "text/vtt"),
    )


def _link(key: str | None, filename: str, content_type: str) -> str | None:
    if not key:
        return None
    return file_url(key, filename=filename, content_type=content_type, inline=True)
