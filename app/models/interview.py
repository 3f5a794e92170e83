# SPDX-License-Identifier: AGPL-3.0-or-later
"""Asynchronous interviews: reusable templates, invitations with personal links, and answers."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.extensions import Model
from app.models.base import UTCDateTime, enum_column, utcnow

if TYPE_CHECKING:
    from app.models.candidate import Application
    from app.models.user import User


class AnswerType(enum.StrEnum):
    """How a question is answered."""

    VIDEO = "video"
    TEXT = "text"


class InvitationState(enum.StrEnum):
    """Where an interview invitation stands."""

    SENT = "sent"
    OPENED = "opened"
    STARTED = "started"
    COMPLETED = "completed"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class ProcessingState(enum.StrEnum):
    """Background processing of a video answer (remux, MP4, poster, transcript)."""

    PENDING = "pending"
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"


class TranscriptState(enum.StrEnum):
    """Whether a video answer got a transcript, and if not, why."""

    PENDING = "pending"
    READY = "ready"
    FAILED = "failed"
    # Transcription is turned off, or faster-whisper or a model is not installed.
    DISABLED = "disabled"
    # The installed model does not understand the interview's language.
    UNSUPPORTED_LANGUAGE = "unsupported_language"
    NO_AUDIO = "no_audio"


class LinkPurpose(enum.StrEnum):
    """Why an extra personal link to an invitation was made."""

    REMINDER = "reminder"
    PORTAL = "portal"


# An invitation is running in these states; an application has at most one such invitation.
OPEN_STATE_VALUES = ("sent", "opened", "started")
_OPEN_INVITATION = text("state IN ('sent', 'opened', 'started')")


class InterviewTemplate(Model):
    """A reusable interview: intro, ordered questions, outro."""

    __tablename__ = "interview_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    intro_md: Mapped[str] = mapped_column(Text, default="")
    outro_md: Mapped[str] = mapped_column(Text, default="")
    welcome_video_key: Mapped[str | None] = mapped_column(String(255))
    welcome_video_content_type: Mapped[str | None] = mapped_column(String(100))
    welcome_captions_key: Mapped[str | None] = mapped_column(String(255))
    # The language questions are asked and answered in: captions and transcripts follow it.
    language: Mapped[str] = mapped_column(String(5), default="en", server_default="en")
    # Candidates may ask to answer video questions in writing (an accommodation).
    allow_text_accommodation: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    questions: Mapped[list[InterviewQuestion]] = relationship(
        back_populates="template", cascade="all, delete-orphan", order_by="InterviewQuestion.position"
    )


class InterviewQuestion(Model):
    """One question: a prompt in text and/or a manager's video, and how it is answered."""

    __tablename__ = "interview_questions"
    __table_args__ = (Index("ix_interview_questions_template_position", "template_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("interview_templates.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    prompt_text: Mapped[str] = mapped_column(Text, default="")
    prompt_video_key: Mapped[str | None] = mapped_column(String(255))
    prompt_video_content_type: Mapped[str | None] = mapped_column(String(100))
    prompt_captions_key: Mapped[str | None] = mapped_column(String(255))
    prompt_transcript: Mapped[str] = mapped_column(Text, default="")
    prompt_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answer_type: Mapped[AnswerType] = mapped_column(
        enum_column(AnswerType, "interview_answer_type"), default=AnswerType.VIDEO
    )
    # None: the candidate may think as long as they like before answering.
    think_seconds: Mapped[int | None] = mapped_column(default=30)
    max_seconds: Mapped[int] = mapped_column(default=120)
    max_chars: Mapped[int] = mapped_column(default=2000)
    retakes: Mapped[int] = mapped_column(default=1)
    required: Mapped[bool] = mapped_column(default=True)
    # A warm-up question that reviewers never see.
    is_practice: Mapped[bool] = mapped_column(default=False)

    template: Mapped[InterviewTemplate] = relationship(back_populates="questions")
    prompt_recorded_by: Mapped[User | None] = relationship()


class InterviewInvitation(Model):
    """An invitation to one application's candidate, reached through a personal link."""

    __tablename__ = "interview_invitations"
    __table_args__ = (
        Index("ix_interview_invitations_org_state", "organization_id", "state"),
        Index("ix_interview_invitations_application", "application_id"),
        # At most one running invitation per application, whatever races the service check loses.
        Index(
            "uq_interview_invitations_open_application",
            "application_id",
            unique=True,
            sqlite_where=_OPEN_INVITATION,
            postgresql_where=_OPEN_INVITATION,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    template_id: Mapped[int] = mapped_column(ForeignKey("interview_templates.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    state: Mapped[InvitationState] = mapped_column(
        enum_column(InvitationState, "interview_invitation_state"), default=InvitationState.SENT
    )
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    text_accommodation: Mapped[bool] = mapped_column(default=False)
    # Hours before the deadline at which a reminder already went out, e.g. [48, 24].
    reminders_sent: Mapped[list[int]] = mapped_column(JSON, default=list)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    application: Mapped[Application] = relationship()
    template: Mapped[InterviewTemplate] = relationship()
    answers: Mapped[list[InterviewAnswer]] = relationship(
        back_populates="invitation", cascade="all, delete-orphan", passive_deletes=True
    )


class InterviewLink(Model):
    """Another personal link to an invitation (a reminder's, the portal's); only its hash is kept.

    It works while the invitation is running, until the invitation's deadline, like the first link.
    """

    __tablename__ = "interview_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("interview_invitations.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[LinkPurpose] = mapped_column(enum_column(LinkPurpose, "interview_link_purpose"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    invitation: Mapped[InterviewInvitation] = relationship()


class InterviewUpload(Model):
    """A recording a browser was allowed to upload and that no answer has adopted yet.

    Retrying the same recording reuses its key, so an interrupted upload never leaves a second
    object; adopting one deletes the question's other pending uploads. The references are kept
    (SET NULL) when an invitation is deleted, so the sweep can still remove the files.
    """

    __tablename__ = "interview_uploads"
    __table_args__ = (Index("ix_interview_uploads_invitation_question", "invitation_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("interview_invitations.id", ondelete="SET NULL")
    )
    question_id: Mapped[int | None] = mapped_column(ForeignKey("interview_questions.id", ondelete="SET NULL"))
    key: Mapped[str] = mapped_column(String(255), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    # Set for an S3 multipart upload (large answers): the browser sends parts, the server completes it.
    multipart_id: Mapped[str | None] = mapped_column(String(255))
    size: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class InterviewAnswer(Model):
    """The one answer of an invitation to a question: text, or a video and what was made from it."""

    __tablename__ = "interview_answers"
    # One answer per question: a retried or repeated upload replaces it, never adds a second.
    __table_args__ = (
        UniqueConstraint("invitation_id", "question_id", name="uq_interview_answers_invitation_question"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("interview_invitations.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("interview_questions.id", ondelete="CASCADE"))
    kind: Mapped[AnswerType] = mapped_column(enum_column(AnswerType, "interview_answer_kind"))
    text: Mapped[str | None] = mapped_column(Text)
    video_key: Mapped[str | None] = mapped_column(String(255))
    video_content_type: Mapped[str | None] = mapped_column(String(100))
    video_size: Mapped[int | None] = mapped_column()
    duration_seconds: Mapped[float | None] = mapped_column()
    attempts: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    processing_state: Mapped[ProcessingState] = mapped_column(
        enum_column(ProcessingState, "interview_processing_state"), default=ProcessingState.PENDING
    )
    processing_error: Mapped[str | None] = mapped_column(Text)
    processing_attempts: Mapped[int] = mapped_column(default=0)
    mp4_key: Mapped[str | None] = mapped_column(String(255))
    poster_key: Mapped[str | None] = mapped_column(String(255))
    captions_key: Mapped[str | None] = mapped_column(String(255))
    transcript: Mapped[str] = mapped_column(Text, default="")
    transcript_state: Mapped[TranscriptState] = mapped_column(
        enum_column(TranscriptState, "interview_transcript_state"),
        default=TranscriptState.PENDING,
        server_default=TranscriptState.PENDING.value,
    )
    transcript_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    invitation: Mapped[InterviewInvitation] = relationship(back_populates="answers")
    question: Mapped[InterviewQuestion] = relationship()
