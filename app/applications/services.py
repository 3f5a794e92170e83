# SPDX-License-Identifier: AGPL-3.0-or-later
"""Applying to a job without an account, and the recruiters' view of the applications."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from app.applications.uploads import MAX_CV_BYTES, PDF, CheckedDocument
from app.core import mail
from app.core.errors import Conflict, NotFound, PermissionDenied
from app.core.extensions import db
from app.core.orphans import adopt_file, note_pending_file
from app.core.storage import LocalStorage, file_url, get_storage, organization_prefix
from app.journey.attribution import (
    AMBASSADOR_CODE,
    SHARE_CHANNELS,
    UTM_FIELDS,
    Attribution,
    clean_host,
    clean_text,
    parse_attribution,
)
from app.journey.services import record_event
from app.models import (
    Application,
    ApplicationAnswer,
    ApplicationStage,
    ApplicationStageChange,
    Candidate,
    CandidateAccessToken,
    Channel,
    EventType,
    Job,
    JobQuestion,
    JobStatus,
    Organization,
    Role,
    User,
    utcnow,
)
from app.organizations.services import find_organization_by_slug
from app.portal.services import PORTAL_LINK_TTL, issue_portal_link, link_request_url, portal_link_url
from app.reviews import access

APPLY_RATE_LIMIT = "10 per hour"
APPLICATIONS_PER_PAGE = 50
INSERT_ATTEMPTS = 3
# Someone sending the form again with an address that applied gets the same page as a new
# applicant; the address's owner is mailed instead, at most this often (a fresh link just went out).
ALREADY_APPLIED_NOTICE_INTERVAL = timedelta(minutes=10)
CHANNEL_LABELS = {
    Channel.CAREER_SITE: _l("Career site"),
    Channel.EMBED: _l("Job card on another site"),
    Channel.AMBASSADOR: _l("Employee ambassador"),
    Channel.SHARE: _l("Shared link"),
    Channel.CAMPAIGN: _l("Campaign"),
    Channel.REFERRAL: _l("Referring site"),
    Channel.DIRECT: _l("Direct"),
}


FIRST_TOUCH_MAX_LENGTH = 2000
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class ApplicationAttribution(Attribution):
    """The visit's attribution (last touch) plus the first touch the browser remembered, if any."""

    first_touch: dict[str, str] | None = None


class AlreadyApplied(Conflict):
    """This person already has an application for this job."""


@dataclass(frozen=True)
class ApplicantDetails:
    """What the candidate told us about themselves."""

    name: str
    email: str
    phone: str = ""
    location: str = ""
    linkedin_url: str | None = None
    portfolio_url: str | None = None
    cover_note: str = ""
    talent_pool_consent: bool = False
    language: str | None = None


@dataclass(frozen=True)
class CvLinks:
    """Short-lived links to a CV: always a download, and an inline preview where the browser can frame it."""

    download_url: str
    preview_url: str | None


def normalize_email(email: str) -> str:
    """The address as stored: trimmed and lowercase."""
    return email.strip().lower()


def find_published_job(org_slug: str, job_slug: str) -> tuple[Organization, Job]:
    """The organization and its job as the public may see it; NotFound for drafts and unknown slugs."""
    organization = find_organization_by_slug(org_slug)
    job = db.session.scalar(
        db.select(Job).where(Job.organization_id == organization.id, Job.slug == job_slug)
    )
    if job is None or job.status == JobStatus.DRAFT:
        raise NotFound(str(_l("We could not find this job.")))
    return organization, job


def is_open(job: Job, now: datetime | None = None) -> bool:
    """Published and not past its closing date: the job takes applications."""
    expired = job.valid_through is not None and job.valid_through <= (now or utcnow())
    return job.status == JobStatus.PUBLISHED and not expired


def list_questions(job: Job) -> list[JobQuestion]:
    """The job's custom questions in the order recruiters set."""
    return list(
        db.session.scalars(
            db.select(JobQuestion)
            .where(JobQuestion.job_id == job.id, JobQuestion.organization_id == job.organization_id)
            .order_by(JobQuestion.position, JobQuestion.id)
        )
    )


def has_applied(job: Job, email: str) -> bool:
    """Whether the person with this e-mail already applied to the job."""
    found = db.session.scalar(
        db.select(Application.id)
        .join(Candidate, Candidate.id == Application.candidate_id)
        .where(
            Application.job_id == job.id,
            Candidate.organization_id == job.organization_id,
            Candidate.email == normalize_email(email),
        )
    )
    return found is not None


def attribution_from_first_touch(raw: Mapping[str, str | None]) -> ApplicationAttribution:
    """The visitor's first touch of this visit (hidden form fields), cleaned by the journey's rules.

    The channel and source are worked out again here rather than taken from the browser. This is the
    application's last touch; ``raw["first_touch"]`` may add the first one the browser ever remembered.
    """
    utm = {name: clean_text(raw.get(f"utm_{name}")) for name in UTM_FIELDS}
    share_channel = (raw.get("share_channel") or "").strip().lower()
    code = (raw.get("ambassador_code") or "").strip()
    return ApplicationAttribution(
        utm={name: value for name, value in utm.items() if value},
        referrer_host=clean_host(raw.get("referrer_host")),
        embed_host=clean_host(raw.get("embed_host")),
        share_channel=share_channel if share_channel in SHARE_CHANNELS else None,
        ambassador_code=code if AMBASSADOR_CODE.match(code) else None,
        own_site=(raw.get("channel") or "") == Channel.CAREER_SITE.value,
        first_touch=parse_first_touch(raw.get("first_touch")),
    )


def parse_first_touch(raw: str | None) -> dict[str, str] | None:
    """The remembered first touch (journey.js's JSON) as clean attribution columns; None if unusable.

    Same shape as the journey's touch: ``{"utm": {...}, "ref", "share_channel", "embed_host",
    "referrer", "at": "YYYY-MM-DD"}``. Values that don't pass the journey's rules are dropped.
    """
    if not raw or len(raw) > FIRST_TOUCH_MAX_LENGTH:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None

    def text(name: str, source: Mapping[str, Any] = data) -> str | None:
        value = source.get(name)
        return value if isinstance(value, str) else None

    utm = data.get("utm")
    if not isinstance(utm, dict):
        utm = {}
    own_host = urlsplit(current_app.config["PUBLIC_URL"]).hostname or ""
    touch = parse_attribution(
        utm={name: text(name, utm) for name in UTM_FIELDS},
        referrer=text("referrer"),
        embed_host=text("embed_host"),
        share_channel=text("share_channel"),
        ambassador_code=text("ref"),
        own_hosts=[own_host],
    )
    if touch.channel in (Channel.DIRECT, Channel.CAREER_SITE):
        return None  # nothing brought the visitor from outside
    columns = {name: value for name, value in attribution_columns(touch).items() if value}
    day = text("at")
    if day and ISO_DAY.match(day):
        columns["at"] = day
    return columns


def record_application_events(
    organization: Organization, application: Application, attribution: Attribution, visitor: str | None
) -> None:
    """Add the journey's "applied" and "confirmation sent" steps (no personal data in them)."""
    record_event(
        organization,
        type=EventType.APPLY_SUBMITTED,
        job=application.job,
        attribution=attribution,
        visitor_hash=visitor,
        data={"knockout": application.knockout},
    )
    record_event(
        organization,
        type=EventType.CONFIRMATION_SENT,
        job=application.job,
        attribution=attribution,
        visitor_hash=None,
    )


def is_knockout(questions: Sequence[JobQuestion], answers: Mapping[int, Any]) -> bool:
    """Whether any answer is one the recruiters marked as "not a fit"."""
    for question in questions:
        answer = answers.get(question.id)
        knockouts = {str(value).strip().casefold() for value in question.knockout_answers or []}
        if answer is None or not knockouts:
            continue
        given = answer if isinstance(answer, list) else [answer]
        if any(str(value).strip().casefold() in knockouts for value in given):
            return True
    return False


def submit_application(
    organization: Organization,
    job: Job,
    applicant: ApplicantDetails,
    *,
    questions: Sequence[JobQuestion],
    answers: Mapping[int, Any],
    document: CheckedDocument,
    attribution: Attribution,
) -> Application:
    """Store the CV and record the application; AlreadyApplied if this person has one for the job.

    The caller commits; if that fails it must delete ``application.cv_key``.
    """
    storage = get_storage()
    # Stored before the duplicate check, so a repeat takes as long as a new application and the
    # response time does not tell whether the address applied (the copy is deleted at once).
    stored = storage.save(
        document.stream(),
        prefix=organization_prefix(organization.id, "cvs"),
        content_type=document.content_type,
        max_size=MAX_CV_BYTES,
    )
    note_pending_file(stored.key)  # swept if this transaction never commits (a crash)
    adopt_file(stored.key)
    try:
        if has_applied(job, applicant.email):
            raise AlreadyApplied(already_applied_message(job))
        return insert_application(
            organization,
            job,
            applicant,
            questions=questions,
            answers=answers,
            document=document,
            cv_key=stored.key,
            attribution=attribution,
        )
    except BaseException:
        storage.delete(stored.key)
        raise


def insert_application(
    organization: Organization,
    job: Job,
    applicant: ApplicantDetails,
    *,
    questions: Sequence[JobQuestion],
    answers: Mapping[int, Any],
    document: CheckedDocument,
    cv_key: str,
    attribution: Attribution,
) -> Application:
    """Insert candidate and application inside a savepoint, so a simultaneous duplicate only undoes itself."""
    email = normalize_email(applicant.email)
    knockout = is_knockout(questions, answers)
    for _attempt in range(INSERT_ATTEMPTS):
        candidate = db.session.scalar(
            db.select(Candidate).where(Candidate.organization_id == organization.id, Candidate.email == email)
        )
        try:
            with db.session.begin_nested():
                candidate = upsert_candidate(organization, candidate, applicant, email)
                application = Application(
                    organization_id=organization.id,
                    job_id=job.id,
                    candidate=candidate,
                    public_id=secrets.token_urlsafe(32),
                    stage=ApplicationStage.NEW,
                    knockout=knockout,
                    cover_note=applicant.cover_note.strip(),
                    cv_key=cv_key,
                    cv_filename=document.filename,
                    cv_content_type=document.content_type,
                    cv_size=document.size,
                    cv_text=document.text,
                    submitted_at=utcnow(),
                    **attribution_columns(attribution),
                )
                application.answers = [
                    ApplicationAnswer(
                        question_id=question.id,
                        question_label=question.label,
                        position=position,
                        value=answers[question.id],
                    )
                    for position, question in enumerate(questions)
                    if question.id in answers
                ]
                # The first step of the candidate's status timeline.
                application.stage_changes = [
                    ApplicationStageChange(
                        organization_id=organization.id,
                        from_stage=None,
                        to_stage=application.stage,
                        actor_user_id=None,
                        changed_at=application.submitted_at,
                    )
                ]
                db.session.add(application)
            return application
        except IntegrityError:
            # Another request inserted this candidate or application first: see which.
            if has_applied(job, email):
                raise AlreadyApplied(already_applied_message(job)) from None
    raise Conflict(str(_l("We could not save your application just now. Please send it again.")))


def attribution_columns(attribution: Attribution) -> dict[str, Any]:
    """The attribution as the application's columns (with the remembered first touch, when there is one)."""
    columns: dict[str, Any] = {
        "channel": attribution.channel.value,
        "source": attribution.source[:255],
        **{f"utm_{name}": attribution.utm.get(name) for name in UTM_FIELDS},
        "referrer_host": attribution.referrer_host,
        "embed_host": attribution.embed_host,
        "share_channel": attribution.share_channel,
        "ambassador_code": attribution.ambassador_code,
    }
    first_touch = getattr(attribution, "first_touch", None)
    if first_touch:
        columns["first_touch"] = first_touch
    return columns


def upsert_candidate(
    organization: Organization, candidate: Candidate | None, applicant: ApplicantDetails, email: str
) -> Candidate:
    """The person's record, created or brought up to date with what they just told us."""
    now = utcnow()
    if candidate is None:
        candidate = Candidate(organization_id=organization.id, email=email)
        db.session.add(candidate)
    candidate.name = applicant.name.strip()[:120]
    if applicant.phone.strip():
        candidate.phone = applicant.phone.strip()
    if applicant.location.strip():
        candidate.location = applicant.location.strip()
    if applicant.linkedin_url:
        candidate.linkedin_url = applicant.linkedin_url.strip()
    if applicant.portfolio_url:
        candidate.portfolio_url = applicant.portfolio_url.strip()
    if applicant.language:
        candidate.language = applicant.language
    candidate.privacy_accepted_at = now
    if applicant.talent_pool_consent:
        candidate.talent_pool_consent_at = now
    return candidate


def already_applied_message(job: Job) -> str:
    """What a person who applied twice is told."""
    return str(
        _l(
            "You have already applied for %(job)s. We have your application; you'll hear from us by e-mail.",
            job=job.title,
        )
    )


def notify_already_applied(job: Job, email: str) -> None:
    """Mail the owner of ``email`` that they already applied to ``job``, with a fresh portal link.

    The person who sent the form sees the same page as a new applicant, so only the address's
    owner learns that it is known. Nothing about the first application changes.
    """
    candidate = db.session.scalar(
        db.select(Candidate).where(
            Candidate.organization_id == job.organization_id, Candidate.email == normalize_email(email)
        )
    )
    if candidate is None or not has_applied(job, candidate.email):
        return
    recent_link = db.session.scalar(
        db.select(CandidateAccessToken.id)
        .where(
            CandidateAccessToken.candidate_id == candidate.id,
            CandidateAccessToken.created_at > utcnow() - ALREADY_APPLIED_NOTICE_INTERVAL,
        )
        .limit(1)
    )
    if recent_link is not None:
        return  # a link went out moments ago; repeated submissions must not flood the inbox
    organization = job.organization
    mail.send_mail(
        to=candidate.email,
        subject=_l("You have already applied for %(job)s", job=job.title),
        template="application_already_received",
        organization=organization,
        locale=candidate.language,
        candidate=candidate,
        job=job,
        portal_link=portal_link_url(issue_portal_link(candidate)),
        portal_link_days=PORTAL_LINK_TTL.days,
        portal_request_url=link_request_url(organization),
    )


def send_confirmation(application: Application) -> None:
    """Mail the candidate that the application arrived, with a link to their portal (sent after the commit)."""
    candidate = application.candidate
    organization = application.job.organization
    portal_link = portal_link_url(issue_portal_link(candidate))
    mail.send_mail(
        to=candidate.email,
        subject=_l("We received your application for %(job)s", job=application.job.title),
        template="application_received",
        organization=organization,
        locale=candidate.language,
        candidate=candidate,
        job=application.job,
        retention_days=organization.retention_days,
        portal_link=portal_link,
        portal_link_days=PORTAL_LINK_TTL.days,
        portal_request_url=link_request_url(organization),
    )


# -- the recruiters' side -------------------------------------------------------------------


def can_see_applications(actor: User, job: Job) -> bool:
    """Admins and recruiters see every job's applications; a hiring manager only what was shared with them."""
    if actor.organization_id != job.organization_id:
        return False
    if actor.role in (Role.ADMIN, Role.RECRUITER):
        return True
    return actor.role == Role.MANAGER and access.is_job_shared_with(actor, job.id)


def find_job_for_staff(actor: User, job_id: int) -> Job:
    """A job of the actor's organization whose applications the actor may see.

    NotFound outside the organization; PermissionDenied for a manager with no shortlist of it shared.
    """
    job = db.session.scalar(
        db.select(Job).where(Job.id == job_id, Job.organization_id == actor.organization_id)
    )
    if job is None or actor.role not in (Role.ADMIN, Role.RECRUITER, Role.MANAGER):
        raise NotFound(str(_l("We could not find this job.")))
    if not can_see_applications(actor, job):
        raise PermissionDenied(str(_l("This job's applications have not been shared with you.")))
    return job


def list_job_applications(actor: User, job_id: int, page: int = 1) -> tuple[Job, Pagination]:
    """The job's applications (a manager's: only those shared with them), newest first, a page at a time."""
    job = find_job_for_staff(actor, job_id)
    query = (
        db.select(Application)
        .where(Application.job_id == job.id, Application.organization_id == actor.organization_id)
        .options(joinedload(Application.candidate))
        .order_by(Application.submitted_at.desc(), Application.id.desc())
    )
    if access.sees_only_shared(actor):
        query = query.where(Application.id.in_(access.shared_application_ids(actor)))
    return job, db.paginate(query, page=page, per_page=APPLICATIONS_PER_PAGE, error_out=False)


def find_application_for_staff(actor: User, public_id: str) -> Application:
    """One application of the actor's organization that the actor may see.

    NotFound outside the organization; PermissionDenied for a manager it was not shared with.
    """
    application = db.session.scalar(
        db.select(Application)
        .where(Application.public_id == public_id, Application.organization_id == actor.organization_id)
        .options(
            joinedload(Application.candidate),
            joinedload(Application.job),
            selectinload(Application.answers),
        )
    )
    if application is None or actor.role not in (Role.ADMIN, Role.RECRUITER, Role.MANAGER):
        raise NotFound(str(_l("We could not find this application.")))
    if access.sees_only_shared(actor) and not access.is_application_shared_with(actor, application):
        raise PermissionDenied(str(_l("This application has not been shared with you.")))
    return application


def cv_links(application: Application) -> CvLinks | None:
    """Links to the CV; a preview only for PDFs served from our own origin (the CSP frames nothing else)."""
    if not application.cv_key:
        return None
    storage = get_storage()
    filename = application.cv_filename or "cv"
    content_type = application.cv_content_type or "application/octet-stream"
    download = file_url(application.cv_key, filename=filename, content_type=content_type)
    preview = None
    if content_type == PDF and isinstance(storage, LocalStorage):
        preview = file_url(application.cv_key, filename=filename, content_type=content_type, inline=True)
    return CvLinks(download_url=download, preview_url=preview)


def describe_answer(application_answer: ApplicationAnswer) -> str:
    """An answer as text for people: lists joined, yes/no translated."""
    value = application_answer.value
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if value in ("yes", "no"):
        return str(_l("Yes")) if value == "yes" else str(_l("No"))
    return "" if value is None else str(value)
