# SPDX-License-Identifier: AGPL-3.0-or-later
"""What other areas ask of media processing: queue an answer or a prompt, and link to its files.

Processing runs in a background job (``app.media.tasks``) recorded in the outbox in the same
transaction as the row that names the stored video, so it runs once that row is committed and
is never lost between the commit and the queue.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.extensions import db
from app.core.storage import file_url
from app.media.tasks import process_answer, process_prompt, process_welcome, transcribe_answer
from app.models.interview import (
    InterviewAnswer,
    InterviewQuestion,
    InterviewTemplate,
    ProcessingState,
    TranscriptState,
)


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
    process_answer(answer.id)


def queue_prompt_processing(question: InterviewQuestion) -> None:
    """Transcribe the question's prompt video (captions) once the transaction commits."""
    db.session.flush()
    process_prompt(question.id)


def queue_welcome_processing(template: InterviewTemplate) -> None:
    """Caption the interview's welcome video once the transaction commits."""
    db.session.flush()
    process_welcome(template.id)


def requeue_answer_processing(answer: InterviewAnswer) -> None:
    """Process an answer again (staff asked): the whole video when that failed, else its transcript."""
    if answer.processing_state == ProcessingState.READY:
        answer.transcript_state = TranscriptState.PENDING
        answer.transcript_error = None
        db.session.flush()
        transcribe_answer(answer.id)
        return
    answer.processing_state = ProcessingState.PENDING
    answer.processing_error = None
    queue_answer_processing(answer)


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
