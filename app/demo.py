# SPDX-License-Identifier: AGPL-3.0-or-later
"""The demo organization: idempotent, with fresh random passwords, never fixed ones."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from app.admin.services import create_user
from app.advocacy.demo import seed_demo_advocacy
from app.auth.services import set_password
from app.core.extensions import db
from app.demo_media import open_demo_file
from app.feedback.demo import seed_demo_feedback
from app.interviews.demo import seed_demo_interviews
from app.models import (
    Job,
    Organization,
    Role,
    Testimonial,
    User,
    utcnow,
)
from app.pipeline.demo import seed_demo_pipeline
from app.pipeline.stages import ensure_default_stages
from app.postings.media import replace_pitch_captions, replace_pitch_video
from app.postings.services import (
    FaqData,
    JobData,
    LocationData,
    close_job,
    create_job,
    publish_job,
)
from app.postings.testimonials import create_testimonial
from app.reviews.demo import seed_demo_reviews
from app.voice.demo import seed_demo_voice

DEMO_SLUG = "demo"
DEMO_STAFF = [
    ("admin@demo.example.com", "Alessandra Admin", Role.ADMIN),
    ("recruiter@demo.example.com", "Roberto Recruiter", Role.RECRUITER),
    ("manager@demo.example.com", "Marta Manager", Role.MANAGER),
    ("employee@demo.example.com", "Elena Employee", Role.EMPLOYEE),
]


@dataclass
class DemoResult:
    """The demo organization and the passwords set during this run."""

    organization: Organization
    credentials: list[tuple[str, str, str]] = field(default_factory=list)


def generate_password() -> str:
    """A random password (about 120 bits) that passes the password policy."""
    return "-".join(secrets.token_urlsafe(6) for _ in range(4))


PITCH_JOB = "Robotics Software Engineer"
PITCH_VIDEO = "pitch-robotics-engineer.mp4"
PITCH_CAPTIONS = "pitch-robotics-engineer.en.vtt"
TESTIMONIAL_VIDEO = "testimonial-elena.mp4"

DEMO_INTRO = (
    "We build **collaborative robot arms** for small manufacturers in Italy and across Europe. "
    "Every candidate hears back from us, and every interview is one you can take when it suits you."
)


def seed_demo(reset_passwords: bool = False) -> DemoResult:
    """Create what is missing of the demo; new (or reset) accounts get fresh passwords."""
    organization = db.session.scalar(db.select(Organization).where(Organization.slug == DEMO_SLUG))
    if organization is None:
        organization = Organization(
            name="Aurora Robotics (demo)",
            slug=DEMO_SLUG,
            primary_color="#0b5394",
            accent_color="#f6b26b",
            default_language="en",
            career_intro_md=DEMO_INTRO,
        )
        db.session.add(organization)
        db.session.flush()
    result = DemoResult(organization)
    for email, name, role in DEMO_STAFF:
        _seed_staff_member(result, email, name, role, reset_passwords)
    ensure_default_stages(result.organization)
    _seed_jobs(result.organization)
    seed_demo_advocacy(result.organization)
    seed_demo_interviews(result.organization)
    seed_demo_pipeline(result.organization)
    seed_demo_reviews(result.organization)
    seed_demo_feedback(result.organization)
    seed_demo_voice(result.organization)
    return result


def _seed_staff_member(result: DemoResult, email: str, name: str, role: Role, reset: bool) -> None:
    user = db.session.scalar(db.select(User).where(User.email == email))
    password = generate_password()
    if user is None:
        create_user(result.organization, email=email, name=name, role=role, password=password)
    elif reset:
        set_password(user, password)
    else:
        return
    result.credentials.append((email, role.value, password))


def _demo_jobs(manager_id: int) -> list[tuple[JobData, str]]:
    """The demo's jobs and the state each should end in."""
    valid_through = (utcnow() + timedelta(days=90)).date()
    common_faqs = [
        FaqData(
            "How many interview rounds are there?",
            "Three: a 30-minute call with the recruiter, a practical conversation with the team "
            "and a final chat with the hiring manager. We answer every candidate within 10 days.",
        ),
        FaqData(
            "Do you sponsor relocation?",
            "Yes, within the EU we cover travel and the first month of accommodation.",
        ),
    ]
    return [
        (
            JobData(
                title="Robotics Software Engineer",
                team="Autonomy",
                work_model="on_site",
                locations=[LocationData("Milan", "Lombardy", "IT")],
                salary_min=Decimal("45000"),
                salary_max=Decimal("60000"),
                salary_currency="EUR",
                salary_period="year",
                description_md=(
                    "Aurora Robotics builds collaborative arms for small Italian manufacturers. "
                    "You will write the motion-planning software that lets them work safely "
                    "beside people, in our lab near **Milano Porta Romana**."
                ),
                responsibilities_md=(
                    "- Design and ship motion-planning features in C++ and Python\n"
                    "- Test on real robots in the lab every week\n"
                    "- Review code and mentor a junior colleague"
                ),
                requirements_md=(
                    "- 3+ years of C++ or Rust\n- Experience with ROS 2 or a similar framework\n"
                    "- Good English; Italian is welcome but not required"
                ),
                perks_md="- Meal vouchers (buoni pasto)\n- 26 days of holiday\n- Training budget of €1,500 a year",
                hiring_manager_id=manager_id,
                valid_through=valid_through,
                faqs=common_faqs,
            ),
            "published",
        ),
        (
            JobData(
                title="Ingegnere/a meccatronico/a",
                team="Hardware",
                work_model="hybrid",
                language="it",
                locations=[LocationData("Torino", "Piemonte", "IT")],
                remote_countries=["IT"],
                remote_time_zones=["Europe/Rome"],
                description_md=(
                    "Cerchiamo un/a ingegnere/a meccatronico/a per il nostro team di Torino: "
                    "progetterai i giunti dei nostri bracci robotici, dal prototipo alla produzione."
                ),
                responsibilities_md="- Progettazione meccanica in CAD\n- Prove in laboratorio tre giorni a settimana",
                requirements_md="- Laurea in ingegneria meccatronica o meccanica\n- Esperienza con SolidWorks",
                perks_md="- Due giorni a settimana da remoto\n- Welfare aziendale",
                hiring_manager_id=manager_id,
                faqs=[FaqData("Quanti giorni in ufficio?", "Tre giorni a settimana, a scelta del team.")],
            ),
            "published",
        ),
        (
            JobData(
                title="Senior Frontend Developer (Remote, EU)",
                team="Cloud platform",
                work_model="remote",
                remote_countries=["IT", "ES", "PT", "DE", "FR", "NL"],
                remote_time_zones=["Europe/Rome", "Europe/Madrid", "Europe/Lisbon", "Europe/Berlin"],
                description_md=(
                    "Our fleet dashboard shows factories what their robots are doing in real time. "
                    "Join a fully remote team spread across Europe, with overlapping hours from 10:00 to 16:00 CET."
                ),
                requirements_md="- TypeScript and a modern framework\n- Care for accessibility (WCAG 2.2)",
                perks_md="- Home-office budget\n- A team week together twice a year",
                valid_through=valid_through,
                faqs=common_faqs[:1],
            ),
            "published",
        ),
        (
            JobData(
                title="Customer Success Specialist",
                team="Customers",
                work_model="hybrid",
                employment_type="part_time",
                locations=[LocationData("Milan", "Lombardy", "IT"), LocationData("Turin", "Piedmont", "IT")],
                remote_countries=["IT"],
                description_md=(
                    "Help our customers get the most from their robots: onboarding, training and "
                    "the occasional visit to a factory floor in Northern Italy."
                ),
                requirements_md="- Fluent Italian and English\n- A driving licence",
                hiring_manager_id=manager_id,
            ),
            "published",
        ),
        (
            JobData(
                title="Data Engineer",
                team="Cloud platform",
                work_model="remote",
                remote_countries=["IT", "ES"],
                description_md="A draft: the team is still writing what this role is about.",
            ),
            "draft",
        ),
        (
            JobData(
                title="Summer Intern, Robotics Lab",
                team="Autonomy",
                employment_type="intern",
                work_model="on_site",
                locations=[LocationData("Milan", "Lombardy", "IT")],
                description_md="Three months in our lab. Applications for this summer are closed.",
            ),
            "closed",
        ),
    ]


def _seed_jobs(organization: Organization) -> None:
    """Jobs in every state and a testimonial; anything already there (by title) is left alone."""
    staff = {
        user.email: user
        for user in db.session.scalars(db.select(User).where(User.organization_id == organization.id))
    }
    admin = staff.get("admin@demo.example.com")
    manager = staff.get("manager@demo.example.com")
    employee = staff.get("employee@demo.example.com")
    if admin is None or manager is None:
        return
    existing = set(db.session.scalars(db.select(Job.title).where(Job.organization_id == organization.id)))
    first_job: Job | None = None
    for data, state in _demo_jobs(manager.id):
        if data.title in existing:
            continue
        job = create_job(admin, data)
        if state in ("published", "closed"):
            publish_job(admin, job.id)
        if state == "closed":
            close_job(admin, job.id)
        first_job = first_job or job
    has_testimonial = db.session.scalar(
        db.select(Testimonial.id).where(Testimonial.organization_id == organization.id).limit(1)
    )
    if employee is not None and has_testimonial is None:
        with open_demo_file(TESTIMONIAL_VIDEO) as video:
            testimonial = create_testimonial(
                admin,
                employee_id=employee.id,
                job_id=first_job.id if first_job else None,
                quote=(
                    "I joined as a junior engineer two years ago. What I love is that every Friday we "
                    "watch our robots work in a real factory, and the team listens to new ideas."
                ),
                author_role="Robotics engineer, Milan",
                video=video,
            )
        testimonial.employee_approved_at = utcnow()
    _seed_pitch_video(organization, manager)


def _seed_pitch_video(organization: Organization, manager: User) -> None:
    """The hiring manager's pitch video with captions on the first job, through the same services as an upload."""
    job = db.session.scalar(
        db.select(Job).where(Job.organization_id == organization.id, Job.title == PITCH_JOB)
    )
    if job is None or job.pitch_video_key:
        return
    with open_demo_file(PITCH_VIDEO) as video:
        replace_pitch_video(manager, job.id, video)
    with open_demo_file(PITCH_CAPTIONS) as captions:
        replace_pitch_captions(manager, job.id, captions)
