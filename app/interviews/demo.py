# SPDX-License-Identifier: AGPL-3.0-or-later
"""Demo interviews: templates with spoken prompt videos (shipped in app/demo_media) and candidates in every state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from app.answering import services as answering
from app.candidates.demo import add_demo_application
from app.core.extensions import db
from app.demo_media import store_demo_file
from app.interviews.invitations import cancel_invitation, expire_invitation, invite_application
from app.interviews.services import PROMPT_VIDEO_PREFIX
from app.media.services import queue_prompt_processing
from app.models import (
    Application,
    Candidate,
    Job,
    JobStatus,
    Organization,
    User,
    utcnow,
)
from app.models.interview import (
    AnswerType,
    InterviewInvitation,
    InterviewQuestion,
    InterviewTemplate,
    InvitationState,
)


@dataclass(frozen=True)
class DemoQuestion:
    """One question of a demo interview template; ``prompt_video`` names its shipped prompt video."""

    prompt_text: str
    answer_type: AnswerType = AnswerType.VIDEO
    is_practice: bool = False
    max_seconds: int = 120
    think_seconds: int | None = 30
    prompt_video: str | None = None


@dataclass(frozen=True)
class DemoTemplate:
    """A demo interview template."""

    name: str
    intro_md: str
    outro_md: str
    questions: list[DemoQuestion]


FIRST_CONVERSATION = "First conversation"
DEMO_TEMPLATES = [
    DemoTemplate(
        name=FIRST_CONVERSATION,
        intro_md=(
            "Thank you for applying to **Aurora Robotics**! This short video interview replaces our "
            "first phone call, so you can answer when it suits you.\n\n"
            "There are three questions and a practice one first. Take your time: there are no trick questions."
        ),
        outro_md=(
            "That's it, thank you! Marta and Roberto will watch your answers this week "
            "and you will hear from us within 10 days, whatever the outcome."
        ),
        questions=[
            DemoQuestion(
                "Practice: tell us in a sentence what you had for breakfast. This answer is never reviewed.",
                is_practice=True,
                max_seconds=30,
            ),
            DemoQuestion(
                "Tell us about yourself and why Aurora Robotics caught your attention.",
                prompt_video="prompt-about-you.mp4",
            ),
            DemoQuestion(
                "Describe a project you are proud of. What was hard, and what did you learn?",
                max_seconds=180,
                prompt_video="prompt-project.mp4",
            ),
            DemoQuestion(
                "When could you start, and do you have any questions for us?",
                answer_type=AnswerType.TEXT,
                think_seconds=None,
            ),
        ],
    ),
    DemoTemplate(
        name="Technical deep dive",
        intro_md="A second, technical step: two questions about how you work. Sketches and links are welcome.",
        outro_md="Thank you! The team will get back to you within a week.",
        questions=[
            DemoQuestion(
                "Walk us through how you would debug a robot arm that stops in the middle of a movement.",
                max_seconds=240,
                think_seconds=60,
            ),
            DemoQuestion(
                "Which tools do you rely on every day, and why?",
                answer_type=AnswerType.TEXT,
                think_seconds=None,
            ),
        ],
    ),
]


@dataclass(frozen=True)
class DemoCandidate:
    """A demo applicant, the job they applied to and how far their interview went."""

    name: str
    email: str
    language: str
    location: str
    job_title: str
    state: InvitationState | None
    applied_days_ago: int


DEMO_CANDIDATES = [
    DemoCandidate("Giulia Bianchi", "giulia.bianchi@demo.example.com", "it", "Milano", "Robotics Software Engineer", None, 1),
    DemoCandidate("Luca Esposito", "luca.esposito@demo.example.com", "it", "Napoli", "Robotics Software Engineer", InvitationState.SENT, 4),
    DemoCandidate("Sofia Ricci", "sofia.ricci@demo.example.com", "en", "Bologna", "Senior Frontend Developer (Remote, EU)", InvitationState.OPENED, 5),
    DemoCandidate("Matteo Romano", "matteo.romano@demo.example.com", "it", "Torino", "Ingegnere/a meccatronico/a", InvitationState.STARTED, 6),
    DemoCandidate("Chiara Colombo", "chiara.colombo@demo.example.com", "en", "Milano", "Robotics Software Engineer", InvitationState.COMPLETED, 9),
    DemoCandidate("Lukas Becker", "lukas.becker@demo.example.com", "en", "München", "Senior Frontend Developer (Remote, EU)", InvitationState.EXPIRED, 14),
    DemoCandidate("Inès Moreau", "ines.moreau@demo.example.com", "en", "Lyon", "Customer Success Specialist", InvitationState.CANCELLED, 8),
]  # fmt: skip

TEXT_ANSWERS = {
    "matteo.romano@demo.example.com": (
        "Potrei iniziare dal 1° del mese prossimo: il mio preavviso è di quattro settimane. "
        "Una domanda: quanto tempo passa il team in laboratorio con i clienti?"
    ),
    "chiara.colombo@demo.example.com": (
        "I could start in six weeks, after my notice period. I'd love to know how you test "
        "new motion-planning releases before they reach a customer's factory."
    ),
}
# What Chiara says in each shipped recording, in question order.
VIDEO_ANSWERS = [
    (
        "answer-chiara-about-you.webm",
        "Hi, I'm Chiara. I have worked on industrial robots for four years, and I love making them safe around people.",
    ),
    (
        "answer-chiara-project.webm",
        "I am proud of a path planner I rewrote in Rust. It was hard to test, and I learned to build a simulator first.",
    ),
]


def seed_demo_interviews(organization: Organization) -> None:
    """Interview templates (default of the published jobs) and candidates in every interview state."""
    staff = {
        user.email: user
        for user in db.session.scalars(db.select(User).where(User.organization_id == organization.id))
    }
    admin = staff.get("admin@demo.example.com")
    if admin is None:
        return
    templates = {spec.name: _seed_template(organization, admin, spec) for spec in DEMO_TEMPLATES}
    first = templates[FIRST_CONVERSATION]
    for job in db.session.scalars(
        db.select(Job).where(
            Job.organization_id == organization.id,
            Job.status == JobStatus.PUBLISHED,
            Job.interview_template_id.is_(None),
        )
    ):
        job.interview_template_id = first.id
    db.session.flush()
    jobs = {
        job.title: job
        for job in db.session.scalars(db.select(Job).where(Job.organization_id == organization.id))
    }
    known = set(
        db.session.scalars(db.select(Candidate.email).where(Candidate.organization_id == organization.id))
    )
    for spec in DEMO_CANDIDATES:
        job = jobs.get(spec.job_title)
        if spec.email in known or job is None:
            continue
        application = _seed_application(organization, job, spec)
        if spec.state is not None:
            _seed_invitation(admin, application, first, spec)


def _seed_template(organization: Organization, admin: User, spec: DemoTemplate) -> InterviewTemplate:
    template = db.session.scalar(
        db.select(InterviewTemplate).where(
            InterviewTemplate.organization_id == organization.id, InterviewTemplate.name == spec.name
        )
    )
    if template is None:
        template = InterviewTemplate(
            organization_id=organization.id,
            name=spec.name,
            intro_md=spec.intro_md,
            outro_md=spec.outro_md,
            created_by_id=admin.id,
        )
        template.questions = [
            InterviewQuestion(
                position=position,
                prompt_text=question.prompt_text,
                answer_type=question.answer_type,
                is_practice=question.is_practice,
                required=not question.is_practice,
                max_seconds=question.max_seconds,
                think_seconds=question.think_seconds,
            )
            for position, question in enumerate(spec.questions)
        ]
        db.session.add(template)
        db.session.flush()
    videos = {question.prompt_text: question.prompt_video for question in spec.questions}
    for question in template.questions:
        name = videos.get(question.prompt_text)
        if name and not question.prompt_video_key:
            _add_prompt_video(admin, question, name)
    return template


def _add_prompt_video(admin: User, question: InterviewQuestion, name: str) -> None:
    """The shipped prompt video, stored as a recorded one and queued for its captions."""
    question.prompt_video_key, question.prompt_video_content_type = store_demo_file(name, PROMPT_VIDEO_PREFIX)
    question.prompt_recorded_by_id = admin.id
    db.session.flush()
    queue_prompt_processing(question)


def _seed_application(organization: Organization, job: Job, spec: DemoCandidate) -> Application:
    """A candidate and their application, as the apply service records them (without a CV)."""
    return add_demo_application(
        job,
        name=spec.name,
        email=spec.email,
        language=spec.language,
        location=spec.location,
        applied_days_ago=spec.applied_days_ago,
        cover_note=f"Hello! I'm {spec.name.split()[0]} and I would love to join Aurora Robotics.",
    )


def _seed_invitation(
    admin: User, application: Application, template: InterviewTemplate, spec: DemoCandidate
) -> InterviewInvitation:
    """Invite through the real services, then walk the invitation to the wanted state."""
    now = utcnow()
    invitation, _raw = invite_application(admin, application, template, now + timedelta(days=7))
    invitation.sent_at = now - timedelta(days=max(spec.applied_days_ago - 1, 0))
    questions = [question for question in template.questions if not question.is_practice]
    if spec.state == InvitationState.OPENED:
        answering.open_invitation(invitation)
    elif spec.state == InvitationState.STARTED:
        answering.open_invitation(invitation)
        text_question = next(q for q in questions if q.answer_type == AnswerType.TEXT)
        answering.start_question(invitation, text_question)
        answering.submit_text_answer(invitation, text_question, TEXT_ANSWERS[spec.email])
    elif spec.state == InvitationState.COMPLETED:
        _complete(invitation, questions, spec)
    elif spec.state == InvitationState.EXPIRED:
        answering.open_invitation(invitation)
        invitation.deadline = now - timedelta(days=2)
        expire_invitation(invitation, now - timedelta(days=2))
    elif spec.state == InvitationState.CANCELLED:
        cancel_invitation(admin, invitation.id)
    db.session.flush()
    return invitation


def _complete(
    invitation: InterviewInvitation, questions: list[InterviewQuestion], spec: DemoCandidate
) -> None:
    """Answer every question as the candidate would: shipped recordings for video, then finish."""
    answering.open_invitation(invitation)
    recordings = iter(VIDEO_ANSWERS)
    for question in questions:
        answering.start_question(invitation, question)
        if question.answer_type == AnswerType.TEXT:
            answering.submit_text_answer(invitation, question, TEXT_ANSWERS[spec.email])
            continue
        name, _words = next(recordings)
        # Uploaded where the browser would put it; processing (MP4, poster, transcript) follows the commit.
        key, _content_type = store_demo_file(name, answering.answer_prefix(invitation))
        answering.submit_video_answer(invitation, question, key, duration_seconds=None)
    answering.finish_interview(invitation)
