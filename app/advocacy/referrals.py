# SPDX-License-Identifier: AGPL-3.0-or-later
"""Referrals: an employee recommends someone, who becomes a candidate only by confirming.

Until the referred person confirms, their name, e-mail and the referrer's note live only in the
``referrals`` row. Confirming creates the Candidate and Application (credited to the referrer,
channel ``ambassador``, share channel ``referral``) and empties those columns; declining empties
them at once, and 30 days without an answer empty them through ``purge_unconfirmed_referrals``.
The referrer sees each referral's progress in coarse words only.
"""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app.advocacy.services import ensure_ambassador, find_job
from app.applications.services import (
    AlreadyApplied,
    ApplicantDetails,
    already_applied_message,
    attribution_columns,
    has_applied,
    is_open,
    normalize_email,
    record_application_events,
    send_confirmation,
    upsert_candidate,
)
from app.applications.uploads import MAX_CV_BYTES, CheckedDocument
from app.core import mail
from app.core.audit import record_audit
from app.core.errors import Conflict, Gone, Invalid, NotFound
from app.core.extensions import db
from app.core.orphans import adopt_file, note_pending_file
from app.core.security import hash_token, new_token
from app.core.storage import get_storage, organization_prefix
from app.core.urls import public_url
from app.journey.attribution import Attribution
from app.models import (
    Ambassador,
    Application,
    ApplicationAnswer,
    ApplicationStage,
    ApplicationStageChange,
    Candidate,
    Job,
    Organization,
    Referral,
    ReferralStatus,
    StageKind,
    User,
    utcnow,
)
from app.pipeline.stages import stage_kind, stages_for
from config import SUPPORTED_LANGUAGES

REFERRAL_TTL = timedelta(days=30)
REFERRALS_PER_DAY = 20
REFERRAL_SHARE_CHANNEL = "referral"


class Progress(enum.StrEnum):
    """What a referrer may know about a referral."""

    WAITING = "waiting"
    NOT_CONFIRMED = "not_confirmed"
    IN_PROCESS = "in_process"
    HIRED = "hired"
    NOT_SELECTED = "not_selected"


PROGRESS_LABELS = {
    Progress.WAITING: _l("Waiting for their confirmation"),
    Progress.NOT_CONFIRMED: _l("Not confirmed, nothing kept"),
    Progress.IN_PROCESS: _l("In process"),
    Progress.HIRED: _l("Hired"),
    Progress.NOT_SELECTED: _l("Not selected"),
}


@dataclass(frozen=True)
class ReferralProgress:
    """One line of the referrer's list: never a stage name, a rating or a message."""

    job_title: str
    name: str | None
    referred_at: datetime
    progress: Progress

    @property
    def label(self) -> str:
        return str(PROGRESS_LABELS[self.progress])


@dataclass(frozen=True)
class StaffReferral:
    """A confirmed referral as recruiters see it: who referred whom, for which job."""

    referrer: str
    job_title: str
    candidate_name: str
    application_public_id: str
    confirmed_at: datetime | None


# -- referring --------------------------------------------------------------------------------


def refer_candidate(
    actor: User, *, job_id: int, name: str, email: str, reason: str, language: str | None
) -> tuple[Referral, str]:
    """Record a referral for an open job and return it with the raw confirmation token (for the mail)."""
    job = find_job(actor, job_id)
    if not is_open(job):
        raise Invalid(str(_l("This job no longer takes applications.")), field="job_id")
    email = normalize_email(email)
    if email == normalize_email(actor.email):
        raise Invalid(str(_l("You can't refer yourself; apply from the career site instead.")), field="email")
    ambassador = ensure_ambassador(actor)
    since = utcnow() - timedelta(days=1)
    today = db.session.scalar(
        db.select(db.func.count(Referral.id)).where(
            Referral.ambassador_id == ambassador.id, Referral.created_at >= since
        )
    )
    if today >= REFERRALS_PER_DAY:
        raise Invalid(
            str(
                _l(
                    "You can refer up to %(count)d people a day. Please try again tomorrow.",
                    count=REFERRALS_PER_DAY,
                )
            )
        )
    waiting = db.session.scalar(
        db.select(Referral.id).where(
            Referral.organization_id == actor.organization_id,
            Referral.job_id == job.id,
            Referral.email == email,
            Referral.status == ReferralStatus.PENDING,
        )
    )
    if waiting is not None:
        raise Conflict(
            str(_l("This person has already been referred for this job and was asked to confirm.")),
            field="email",
        )
    raw, token_hash = new_token()
    now = utcnow()
    referral = Referral(
        organization_id=actor.organization_id,
        ambassador_id=ambassador.id,
        job_id=job.id,
        status=ReferralStatus.PENDING,
        name=name.strip()[:120],
        email=email,
        reason=reason.strip()[:2000] or None,
        language=language if language in SUPPORTED_LANGUAGES else None,
        token_hash=token_hash,
        created_at=now,
        expires_at=now + REFERRAL_TTL,
    )
    db.session.add(referral)
    db.session.flush()
    record_audit(actor.organization_id, actor, "referral.created", "referral", referral.id, job=job.id)
    return referral, raw


def confirm_url(raw_token: str) -> str:
    """The address in the referral e-mail, where the person confirms or declines."""
    return public_url("advocacy_public.referral", token=raw_token)


def send_referral_notice(referral: Referral, raw_token: str, referrer: User) -> None:
    """Tell the referred person who referred them, what we hold and how to confirm or decline (after the commit)."""
    job = referral.job
    organization = job.organization
    mail.send_mail(
        to=referral.email or "",
        subject=_l(
            "%(referrer)s recommended you for %(job)s at %(organization)s",
            referrer=referrer.name,
            job=job.title,
            organization=organization.name,
        ),
        template="referral_invitation",
        organization=organization,
        locale=referral.language,
        name=referral.name,
        referrer=referrer.name,
        job=job,
        reason=referral.reason,
        link=confirm_url(raw_token),
        days=REFERRAL_TTL.days,
        retention_days=organization.retention_days,
        job_url=public_url("careers.job", org_slug=organization.slug, job_slug=job.slug),
    )


# -- the referred person's answer -------------------------------------------------------------


def find_pending_referral(raw_token: str) -> Referral:
    """The referral behind a confirmation link; Gone once answered or expired, NotFound if unknown."""
    referral = db.session.scalar(db.select(Referral).where(Referral.token_hash == hash_token(raw_token)))
    if referral is None:
        raise NotFound(
            str(
                _l(
                    "This link is not valid. It may have been used already; nothing about you is kept from it."
                )
            )
        )
    if referral.status != ReferralStatus.PENDING or referral.expires_at <= utcnow():
        raise Gone(str(_l("This link has expired. Nothing about you is kept from it.")))
    return referral


def erase_referral(referral: Referral, status: ReferralStatus, now: datetime | None = None) -> None:
    """Forget the referred person: name, e-mail, note and link go; the row stays for the referrer's count."""
    referral.status = status
    referral.name = None
    referral.email = None
    referral.reason = None
    referral.token_hash = None
    if status != ReferralStatus.CONFIRMED:
        referral.closed_at = now or utcnow()
    db.session.flush()


def decline_referral(referral: Referral) -> None:
    """The referred person said no: their data is erased now."""
    erase_referral(referral, ReferralStatus.DECLINED)
    record_audit(referral.organization_id, None, "referral.declined", "referral", referral.id)


def referral_note_label(referral: Referral, organization: Organization) -> str:
    """How the referrer's note is titled among the application's answers (in the team's language)."""
    language = organization.default_language if organization.default_language in SUPPORTED_LANGUAGES else "en"
    with force_locale(language):
        return _("Why %(name)s recommended this person", name=referral.ambassador.user.name)[:300]


def confirm_referral(
    referral: Referral, applicant: ApplicantDetails, document: CheckedDocument | None, *, notify: bool = True
) -> Application:
    """Turn a confirmed referral into a candidate and an application credited to the referrer.

    AlreadyApplied if the person has an application for the job. ``notify`` mails the usual
    confirmation (the demo turns it off). The caller commits; if that fails it must delete
    ``application.cv_key``.
    """
    job = db.session.get_one(Job, referral.job_id)
    organization = job.organization
    if has_applied(job, applicant.email):
        raise AlreadyApplied(already_applied_message(job))
    stored_key = None
    if document is not None:
        stored = get_storage().save(
            document.stream(),
            prefix=organization_prefix(organization.id, "cvs"),
            content_type=document.content_type,
            max_size=MAX_CV_BYTES,
        )
        stored_key = stored.key
        note_pending_file(stored_key)  # swept if this transaction never commits (a crash)
        adopt_file(stored_key)
    try:
        application = insert_referred_application(
            referral, organization, job, applicant, document, stored_key, notify=notify
        )
    except BaseException:
        if stored_key:
            get_storage().delete(stored_key)
        raise
    return application


def insert_referred_application(
    referral: Referral,
    organization: Organization,
    job: Job,
    applicant: ApplicantDetails,
    document: CheckedDocument | None,
    cv_key: str | None,
    *,
    notify: bool = True,
) -> Application:
    """Insert candidate and application in a savepoint; a simultaneous duplicate becomes AlreadyApplied."""
    email = normalize_email(applicant.email)
    attribution = Attribution(ambassador_code=referral.ambassador.code, share_channel=REFERRAL_SHARE_CHANNEL)
    candidate = db.session.scalar(
        db.select(Candidate).where(Candidate.organization_id == organization.id, Candidate.email == email)
    )
    now = utcnow()
    note = referral.reason
    label = referral_note_label(referral, organization) if note else ""
    try:
        with db.session.begin_nested():
            candidate = upsert_candidate(organization, candidate, applicant, email)
            application = Application(
                organization_id=organization.id,
                job=job,
                candidate=candidate,
                public_id=secrets.token_urlsafe(32),
                stage=ApplicationStage.NEW,
                cover_note=applicant.cover_note.strip(),
                cv_key=cv_key,
                cv_filename=document.filename if document else None,
                cv_content_type=document.content_type if document else None,
                cv_size=document.size if document else None,
                cv_text=document.text if document else "",
                submitted_at=now,
                **attribution_columns(attribution),
            )
            if note:
                # Kept with the application (the candidate saw it before confirming), so it is
                # exported, anonymized and deleted with the rest of their data.
                application.answers = [
                    ApplicationAnswer(
                        question_id=None,
                        question_label=label,
                        position=0,
                        value=note,
                    )
                ]
            application.stage_changes = [
                ApplicationStageChange(
                    organization_id=organization.id,
                    from_stage=None,
                    to_stage=application.stage,
                    actor_user_id=None,
                    changed_at=now,
                )
            ]
            db.session.add(application)
    except IntegrityError:
        raise AlreadyApplied(already_applied_message(job)) from None
    referral.application_id = application.id
    referral.confirmed_at = now
    erase_referral(referral, ReferralStatus.CONFIRMED, now)
    record_application_events(organization, application, attribution, None)
    if notify:
        send_confirmation(application)
    record_audit(
        organization.id, None, "referral.confirmed", "referral", referral.id, application=application.id
    )
    return application


def purge_unconfirmed_referrals(now: datetime | None = None) -> int:
    """Erase the data of every referral not confirmed within 30 days; returns how many."""
    now = now or utcnow()
    stale = db.session.scalars(
        db.select(Referral).where(
            Referral.status == ReferralStatus.PENDING,
            (Referral.expires_at <= now) | (Referral.created_at <= now - REFERRAL_TTL),
        )
    ).all()
    for referral in stale:
        erase_referral(referral, ReferralStatus.EXPIRED, now)
    return len(stale)


# -- what the referrer and the recruiters see -------------------------------------------------


def progress_of(referral: Referral, application_stage: str | None, kinds: dict[str, StageKind]) -> Progress:
    """The coarse progress: the kind of the application's stage, never the stage itself."""
    if referral.status == ReferralStatus.PENDING:
        return Progress.WAITING
    if referral.status != ReferralStatus.CONFIRMED or application_stage is None:
        return Progress.NOT_CONFIRMED
    kind = kinds.get(application_stage) or stage_kind(referral.organization_id, application_stage)
    if kind == StageKind.HIRED:
        return Progress.HIRED
    if kind.is_end:
        return Progress.NOT_SELECTED
    return Progress.IN_PROCESS


def my_referrals(actor: User) -> list[ReferralProgress]:
    """The actor's referrals, newest first, in coarse terms."""
    ambassador = db.session.scalar(db.select(Ambassador).where(Ambassador.user_id == actor.id))
    if ambassador is None:
        return []
    rows = db.session.execute(
        db.select(Referral, Job.title, Application.stage, Candidate.name)
        .join(Job, Job.id == Referral.job_id)
        .outerjoin(Application, Application.id == Referral.application_id)
        .outerjoin(Candidate, Candidate.id == Application.candidate_id)
        .where(Referral.ambassador_id == ambassador.id, Referral.organization_id == actor.organization_id)
        .order_by(Referral.created_at.desc(), Referral.id.desc())
    )
    kinds = {stage.key: stage.kind for stage in stages_for(actor.organization_id, include_archived=True)}
    return [
        ReferralProgress(
            job_title=title,
            name=referral.name or candidate_name,
            referred_at=referral.created_at,
            progress=progress_of(referral, stage, kinds),
        )
        for referral, title, stage, candidate_name in rows
    ]


def confirmed_referrals(organization_id: int, limit: int = 50) -> list[StaffReferral]:
    """The latest confirmed referrals (people who agreed to be candidates), for recruiters."""
    rows = db.session.execute(
        db.select(Referral.confirmed_at, User.name, Job.title, Candidate.name, Application.public_id)
        .join(Ambassador, Ambassador.id == Referral.ambassador_id)
        .join(User, User.id == Ambassador.user_id)
        .join(Job, Job.id == Referral.job_id)
        .join(Application, Application.id == Referral.application_id)
        .join(Candidate, Candidate.id == Application.candidate_id)
        .where(Referral.organization_id == organization_id, Referral.status == ReferralStatus.CONFIRMED)
        .order_by(Referral.confirmed_at.desc(), Referral.id.desc())
        .limit(limit)
    )
    return [
        StaffReferral(
            referrer=referrer,
            job_title=title,
            candidate_name=candidate,
            application_public_id=public_id,
            confirmed_at=confirmed_at,
        )
        for confirmed_at, referrer, title, candidate, public_id in rows
    ]


def count_waiting_referrals(organization_id: int) -> int:
    """How many referred people have not answered yet (recruiters see the number, not who)."""
    return db.session.scalar(
        db.select(db.func.count(Referral.id)).where(
            Referral.organization_id == organization_id, Referral.status == ReferralStatus.PENDING
        )
    )
