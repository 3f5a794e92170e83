# SPDX-License-Identifier: AGPL-3.0-or-later
"""Interview invitations: personal links, inviting, extending, cancelling, portal notices."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from flask import has_request_context, url_for
from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.core import mail
from app.core.audit import record_audit
from app.core.errors import Conflict, Gone, Invalid, NotFound
from app.core.extensions import db
from app.core.security import hash_token, new_token
from app.core.storage import file_url
from app.core.urls import public_url
from app.journey.attribution import Attribution
from app.journey.services import record_event
from app.models import Application, ApplicationStage, Candidate, Job, Role, User
from app.models.interview import (
    InterviewInvitation,
    InterviewLink,
    InterviewQuestion,
    InterviewTemplate,
    InvitationState,
    LinkPurpose,
)
from app.models.journey import EventType
from app.pipeline.stages import advance_application
from app.portal.services import PortalNotice

OPEN_STATES = (InvitationState.SENT, InvitationState.OPENED, InvitationState.STARTED)
INVITING_ROLES = (Role.ADMIN, Role.RECRUITER)
ALREADY_OPEN = _l("This candidate already has an open interview invitation for this application.")


# -- the contract other areas use ------------------------------------------------------------


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def invitation_for_token(raw: str) -> InterviewInvitation | None:
    """The invitation a personal link leads to: its first link, or one made later (reminder, portal)."""
    digest = hash_token(raw or "")
    invitation = db.session.scalar(
        db.select(InterviewInvitation).where(InterviewInvitation.token_hash == digest)
    )
    if invitation is not None:
        return invitation
    return db.session.scalar(
        db.select(InterviewInvitation)
        .join(InterviewLink, InterviewLink.invitation_id == InterviewInvitation.id)
        .where(InterviewLink.token_hash == digest)
    )


def mint_interview_link(invitation: InterviewInvitation, purpose: LinkPurpose) -> str:
    """A fresh personal link to the invitation; only its hash is stored, the raw token is returned.

    Like the first link it works until the deadline, and stops with cancellation or expiry.
    """
    raw, token_hash = new_token()
    db.session.add(InterviewLink(invitation_id=invitation.id, token_hash=token_hash, purpose=purpose))
    db.session.flush()
    return raw


def find_invitation_by_token(raw: str, now: datetime | None = None) -> InterviewInvitation:
    """The invitation behind a personal link; NotFound if unknown, Gone if cancelled or expired."""
    invitation = invitation_for_token(raw)
    if invitation is None:
        raise NotFound(str(_l("This interview link is not valid.")))
    if invitation.state == InvitationState.CANCELLED:
        raise Gone(str(_l("This interview was cancelled.")))
    if invitation.state in OPEN_STATES and _aware(invitation.deadline) <= (now or datetime.now(UTC)):
        expire_invitation(invitation, now or datetime.now(UTC))
    if invitation.state == InvitationState.EXPIRED:
        raise Gone(str(_l("The deadline for this interview has passed.")))
    return invitation


def invitation_link(raw: str) -> str:
    """The absolute personal link of an invitation."""
    return public_url("answering.welcome", token=raw)


def prompt_video_url(question: InterviewQuestion) -> str | None:
    """A short-lived address of the question's recorded prompt, or None without one."""
    if not question.prompt_video_key:
        return None
    return file_url(
        question.prompt_video_key,
        filename="prompt." + ("mp4" if question.prompt_video_content_type == "video/mp4" else "webm"),
        content_type=question.prompt_video_content_type or "video/webm",
        inline=True,
    )


def invite_application(
    actor: User, application: Application, template: InterviewTemplate, deadline: datetime
) -> tuple[InterviewInvitation, str]:
    """Invite an application's candidate (mail after the commit); returns the invitation and its raw token."""
    if actor.role not in INVITING_ROLES:
        raise NotFound(str(_l("We could not find this application.")))
    if (
        application.organization_id != actor.organization_id
        or template.organization_id != actor.organization_id
    ):
        raise NotFound(str(_l("We could not find this application.")))
    if not any(not question.is_practice for question in template.questions):
        raise Invalid(str(_l("Add at least one question to this interview first.")), field="template_id")
    if _aware(deadline) <= datetime.now(UTC):
        raise Invalid(str(_l("Choose a deadline in the future.")), field="deadline")
    if open_invitation(application) is not None:
        raise Conflict(str(ALREADY_OPEN))
    raw, token_hash = new_token()
    invitation = InterviewInvitation(
        organization_id=actor.organization_id,
        application_id=application.id,
        template_id=template.id,
        token_hash=token_hash,
        state=InvitationState.SENT,
        deadline=deadline,
        reminders_sent=[],
        invited_by_id=actor.id,
        sent_at=datetime.now(UTC),
    )
    invitation.application = application
    invitation.template = template
    _flush_open_invitation(invitation)
    record_event(
        application.job.organization,
        type=EventType.INTERVIEW_INVITED,
        job=application.job,
        attribution=Attribution(),
        visitor_hash=None,
    )
    record_audit(actor.organization_id, actor, "interview.invited", "application", application.id)
    advance_application(application, ApplicationStage.INTERVIEW_INVITED, actor)
    send_invitation_mail(invitation, raw)
    return invitation, raw


# -- inviting -------------------------------------------------------------------------------------


def _flush_open_invitation(invitation: InterviewInvitation) -> None:
    """Write a running invitation; Conflict when a concurrent request already opened one.

    The partial unique index on running invitations decides races the service check cannot see.
    """
    try:
        with db.session.begin_nested():
            db.session.add(invitation)
            db.session.flush()
    except IntegrityError:
        raise Conflict(str(ALREADY_OPEN)) from None


def open_invitation(application: Application) -> InterviewInvitation | None:
    """The application's invitation that is still running (sent, opened or started), if any."""
    return db.session.scalar(
        db.select(InterviewInvitation).where(
            InterviewInvitation.application_id == application.id,
            InterviewInvitation.state.in_(OPEN_STATES),
        )
    )


def interview_facts(template: InterviewTemplate) -> dict[str, Any]:
    """What the invitation mail tells about an interview: question count and whether retakes exist."""
    questions = [question for question in template.questions if not question.is_practice]
    return {
        "question_count": len(questions),
        "retakes_allowed": any(question.retakes > 0 for question in questions),
        "has_practice": any(question.is_practice for question in template.questions),
    }


def send_invitation_mail(invitation: InterviewInvitation, raw: str) -> None:
    """Mail the personal link to the candidate, in their language (after the commit)."""
    application = invitation.application
    candidate = application.candidate
    mail.send_mail(
        to=candidate.email,
        subject=_l("Your video interview for %(job)s", job=application.job.title),
        template="interview_invitation",
        organization=application.job.organization,
        locale=candidate.language,
        candidate=candidate,
        job=application.job,
        link=invitation_link(raw),
        deadline=_aware(invitation.deadline),
        **interview_facts(invitation.template),
    )


def send_reminder_mail(invitation: InterviewInvitation, hours: int) -> None:
    """Remind the candidate of the deadline (after the commit), with a freshly made personal link."""
    application = invitation.application
    link = invitation_link(mint_interview_link(invitation, LinkPurpose.REMINDER))
    candidate = application.candidate
    mail.send_mail(
        to=candidate.email,
        subject=_l("Reminder: your video interview for %(job)s", job=application.job.title),
        template="interview_reminder",
        organization=application.job.organization,
        locale=candidate.language,
        candidate=candidate,
        job=application.job,
        link=link,
        deadline=_aware(invitation.deadline),
        sent_at=_aware(invitation.sent_at),
        hours=hours,
        # Two overlapping reminder runs record this reminder once (the outbox's unique key).
        dedupe_key=f"interview-reminder:{invitation.id}:{_aware(invitation.deadline).isoformat()}:{hours}h",
        **interview_facts(invitation.template),
    )


def invitable_applications(actor: User, job: Job) -> list[Application]:
    """The job's applications without an open or finished invitation, oldest first."""
    invited = db.select(InterviewInvitation.application_id).where(
        InterviewInvitation.organization_id == actor.organization_id,
        InterviewInvitation.state.in_((*OPEN_STATES, InvitationState.COMPLETED)),
    )
    return list(
        db.session.scalars(
            db.select(Application)
            .where(
                Application.job_id == job.id,
                Application.organization_id == actor.organization_id,
                Application.closed_at.is_(None),
                Application.id.not_in(invited),
            )
            .options(joinedload(Application.candidate))
            .order_by(Application.submitted_at, Application.id)
        )
    )


def invite_applications(
    actor: User, job: Job, application_ids: Sequence[int], template: InterviewTemplate, deadline: datetime
) -> list[InterviewInvitation]:
    """Invite several of a job's applications at once; all or nothing."""
    if not application_ids:
        raise Invalid(str(_l("Choose at least one candidate.")), field="application_ids")
    applications = db.session.scalars(
        db.select(Application).where(
            Application.id.in_(application_ids),
            Application.job_id == job.id,
            Application.organization_id == actor.organization_id,
        )
    ).all()
    if len(applications) != len(set(application_ids)):
        raise NotFound(str(_l("We could not find this application.")))
    return [invite_application(actor, application, template, deadline)[0] for application in applications]


def find_invitation_for_staff(actor: User, invitation_id: int) -> InterviewInvitation:
    """An invitation of the actor's organization that the actor may manage; NotFound otherwise."""
    invitation = db.session.scalar(
        db.select(InterviewInvitation).where(
            InterviewInvitation.id == invitation_id,
            InterviewInvitation.organization_id == actor.organization_id,
        )
    )
    if invitation is None or actor.role not in INVITING_ROLES:
        raise NotFound(str(_l("We could not find this invitation.")))
    return invitation


def extend_invitation(actor: User, invitation_id: int, deadline: datetime) -> InterviewInvitation:
    """Move the deadline later; an expired invitation becomes open again where it left off."""
    invitation = find_invitation_for_staff(actor, invitation_id)
    if invitation.state in (InvitationState.COMPLETED, InvitationState.CANCELLED):
        raise Conflict(str(_l("A completed or cancelled interview cannot be extended.")))
    if _aware(deadline) <= datetime.now(UTC):
        raise Invalid(str(_l("Choose a deadline in the future.")), field="deadline")
    if invitation.state == InvitationState.EXPIRED:
        if open_invitation(invitation.application) is not None:
            raise Conflict(str(ALREADY_OPEN))
        invitation.state = (
            InvitationState.STARTED
            if invitation.started_at
            else InvitationState.OPENED
            if invitation.opened_at
            else InvitationState.SENT
        )
        invitation.expired_at = None
        _flush_open_invitation(invitation)
    invitation.deadline = deadline
    # New deadline, new reminders.
    invitation.reminders_sent = []
    db.session.flush()
    record_audit(actor.organization_id, actor, "interview.extended", "interview_invitation", invitation.id)
    return invitation


def cancel_invitation(actor: User, invitation_id: int) -> InterviewInvitation:
    """Cancel a running invitation; its link stops working."""
    invitation = find_invitation_for_staff(actor, invitation_id)
    if invitation.state not in (*OPEN_STATES, InvitationState.EXPIRED):
        raise Conflict(str(_l("Only a running interview can be cancelled.")))
    invitation.state = InvitationState.CANCELLED
    invitation.cancelled_at = datetime.now(UTC)
    db.session.flush()
    record_audit(actor.organization_id, actor, "interview.cancelled", "interview_invitation", invitation.id)
    return invitation


def expire_invitation(invitation: InterviewInvitation, now: datetime) -> None:
    """Mark a running invitation past its deadline as expired, once."""
    if invitation.state not in OPEN_STATES:
        return
    invitation.state = InvitationState.EXPIRED
    invitation.expired_at = now
    application = invitation.application
    record_event(
        application.job.organization,
        type=EventType.INTERVIEW_EXPIRED,
        job=application.job,
        attribution=Attribution(),
        visitor_hash=None,
    )
    db.session.flush()


def list_job_invitations(actor: User, job: Job) -> list[InterviewInvitation]:
    """The invitations for a job's applications, newest first."""
    return list(
        db.session.scalars(
            db.select(InterviewInvitation)
            .join(Application, Application.id == InterviewInvitation.application_id)
            .where(Application.job_id == job.id, InterviewInvitation.organization_id == actor.organization_id)
            .options(joinedload(InterviewInvitation.application).joinedload(Application.candidate))
            .order_by(InterviewInvitation.sent_at.desc(), InterviewInvitation.id.desc())
        )
    )


def list_application_invitations(application: Application) -> list[InterviewInvitation]:
    """An application's invitations, newest first."""
    return list(
        db.session.scalars(
            db.select(InterviewInvitation)
            .where(InterviewInvitation.application_id == application.id)
            .order_by(InterviewInvitation.sent_at.desc(), InterviewInvitation.id.desc())
        )
    )


# -- the candidate portal ------------------------------------------------------------------------


def pending_interview_notices(candidate: Candidate, *, section: str) -> list[PortalNotice]:
    """On ``portal_notices_requested``: running interview invitations of the candidate, among the invitations."""
    if section != "invitations":
        return []
    invitations = db.session.scalars(
        db.select(InterviewInvitation)
        .join(Application, Application.id == InterviewInvitation.application_id)
        .where(
            Application.candidate_id == candidate.id,
            InterviewInvitation.organization_id == candidate.organization_id,
            InterviewInvitation.state.in_(OPEN_STATES),
        )
        .options(joinedload(InterviewInvitation.application).joinedload(Application.job))
    )
    now = datetime.now(UTC)
    return [
        PortalNotice(
            title=str(_l("Video interview for %(job)s", job=invitation.application.job.title)),
            body=str(
                _l(
                    "Please answer before %(deadline)s. You can stop after any answer and continue later.",
                    deadline=_format_deadline(invitation.deadline),
                )
            ),
            occurred_at=_aware(invitation.sent_at),
            # Opening it makes a fresh personal link for the signed-in candidate (see answering).
            url=_portal_open_url(invitation.id),
            action_label=str(_l("Open the interview")),
        )
        for invitation in invitations
        if _aware(invitation.deadline) > now
    ]


def _portal_open_url(invitation_id: int) -> str:
    if has_request_context():
        return url_for("answering.from_portal", invitation_id=invitation_id)
    return public_url("answering.from_portal", invitation_id=invitation_id)


def open_invitation_from_portal(candidate: Candidate, invitation_id: int) -> tuple[InterviewInvitation, str]:
    """A fresh personal link to one of the signed-in candidate's invitations; NotFound for any other."""
    invitation = db.session.scalar(
        db.select(InterviewInvitation)
        .join(Application, Application.id == InterviewInvitation.application_id)
        .where(
            InterviewInvitation.id == invitation_id,
            InterviewInvitation.organization_id == candidate.organization_id,
            Application.candidate_id == candidate.id,
        )
    )
    if invitation is None:
        raise NotFound(str(_l("We could not find this interview.")))
    return invitation, mint_interview_link(invitation, LinkPurpose.PORTAL)


def _format_deadline(value: datetime) -> str:
    return format_datetime(_aware(value), "medium")
