"""`flask seed-demo` adds interview templates, prompt videos and candidates in every interview state, once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.core.extensions import db
from app.core.storage import get_storage
from app.interviews.demo import FIRST_CONVERSATION, media_tools_available
from app.models import Application, Candidate, Job, JobStatus
from app.models.interview import (
    AnswerType,
    InterviewAnswer,
    InterviewInvitation,
    InterviewQuestion,
    InterviewTemplate,
    InvitationState,
    ProcessingState,
)

COUNTED = (InterviewTemplate, InterviewQuestion, InterviewInvitation, InterviewAnswer, Candidate, Application)


@pytest.fixture
def app_environ(app_environ: dict[str, str]) -> dict[str, str]:
    """Whisper is slow and beside the point here: the answers' other processing still runs inline."""
    return {**app_environ, "TRANSCRIPTION_ENABLED": "0"}


def _counts() -> dict[str, int]:
    return {model.__name__: db.session.scalar(db.select(db.func.count(model.id))) for model in COUNTED}


def test_seed_demo_adds_interviews_once(app, runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    with app.app_context():
        template = db.session.scalar(
            db.select(InterviewTemplate).where(InterviewTemplate.name == FIRST_CONVERSATION)
        )
        assert template is not None and template.intro_md and template.outro_md
        questions = template.questions
        assert [q.is_practice for q in questions] == [True, False, False, False]
        assert [q.answer_type for q in questions[1:]] == [AnswerType.VIDEO, AnswerType.VIDEO, AnswerType.TEXT]
        published = db.session.scalars(db.select(Job).where(Job.status == JobStatus.PUBLISHED)).all()
        assert published and all(job.interview_template_id == template.id for job in published)

        states = {
            invitation.application.candidate.email: invitation
            for invitation in db.session.scalars(db.select(InterviewInvitation))
        }
        assert {invitation.state for invitation in states.values()} == set(InvitationState)
        assert all(email.endswith("@demo.example.com") for email in states)
        applied_only = db.session.scalars(
            db.select(Candidate.email).where(
                Candidate.email.not_in(list(states)), Candidate.email.like("%@demo.example.com")
            )
        ).all()
        assert applied_only == ["giulia.bianchi@demo.example.com"]
        started = states["matteo.romano@demo.example.com"]
        assert started.state == InvitationState.STARTED and len(started.answers) == 1
        assert started.answers[0].text
        completed = states["chiara.colombo@demo.example.com"]
        assert completed.completed_at is not None
        assert len([a for a in completed.answers if a.submitted_at]) == 3
        expired = states["lukas.becker@demo.example.com"]
        assert expired.expired_at is not None and expired.deadline < datetime.now(UTC)
        video_questions = [q for q in questions if q.answer_type == AnswerType.VIDEO and not q.is_practice]
        if media_tools_available():
            storage = get_storage()
            for question in video_questions:
                stored = storage.stat(question.prompt_video_key)
                assert stored is not None and stored.size > 0 and stored.content_type == "video/webm"
            video_answers = [a for a in completed.answers if a.kind == AnswerType.VIDEO]
            assert len(video_answers) == 2
            assert all(storage.stat(a.video_key) is not None for a in video_answers)
            # Queued after the commit and, with JOBS_IMMEDIATE, processed there: MP4 and poster exist.
            assert all(a.processing_state == ProcessingState.READY and a.mp4_key for a in video_answers)
        else:
            assert all(q.prompt_video_key is None for q in video_questions)
        before = _counts()
        keys = {q.prompt_video_key for q in video_questions}

    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    with app.app_context():
        assert _counts() == before
        template = db.session.scalar(
            db.select(InterviewTemplate).where(InterviewTemplate.name == FIRST_CONVERSATION)
        )
        assert {q.prompt_video_key for q in template.questions if q.answer_type == AnswerType.VIDEO} >= keys
