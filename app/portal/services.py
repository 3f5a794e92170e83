# SPDX-License-Identifier: AGPL-3.0-or-later
"""The rules of the candidate portal: magic links, portal sessions, the status page, withdrawing, erasing.

Tokens (links and sessions) are 256-bit random values stored only as SHA-256 hashes.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from app.candidates.privacy import delete_candidate_data
from app.core import mail
from app.core.database import changed_rows
from app.core.errors import Conflict, Gone, Invalid, NotFound
from app.core.extensions import db
from app.core.security import hash_token, new_token
from app.core.signals import portal_notices_requested
from app.core.urls import public_url
from app.journey.attribution import Attribution
from app.journey.services import record_event
from app.models import (
    Application,
    ApplicationStage,
    ApplicationStageChange,
    Candidate,
    CandidateAccessToken,
    CandidateSession,
    EventType,
    Organization,
    utcnow,
)

SESSION_KEY = "portal"  # where a candidate's browser session keeps its portal token

PORTAL_LINK_TTL = timedelta(days=7)
PORTAL_SESSION_LIFETIME = timedelta(days=30)
LINK_REQUEST_RATE_LIMIT = "5 per 15 minutes"
ERASURE_REASON = "candidate_request"
# What candidates read: coarse on purpose, whatever the organization calls its own stages.
STATUS_LABELS = {
    ApplicationStage.NEW: _l("Received"),
    ApplicationStage.INTERVIEW_INVITED: _l("Interview"),
    ApplicationStage.INTERVIEW_COMPLETED: _l("Interview completed"),
    ApplicationStage.OFFER: _l("Offer"),
    ApplicationStage.HIRED: _l("Hired"),
    ApplicationStage.REJECTED: _l("Not a fit for this role"),
    ApplicationStage.WITHDRAWN: _l("Withdrawn"),
}
OTHER_STATUS_LABEL = _l("In progress")


class TimelineKind(enum.StrEnum):
    """What a step of the status timeline says to the candidate (the template words it)."""

    RECEIVED = "received"
    NOT_A_FIT = "not_a_fit"
    HIRED = "hired"
    WITHDRAWN = "withdrawn"
    BACK_IN_REVIEW = "back_in_review"
    MOVED_ON = "moved_on"


class PortalLinkGone(Gone):
    """A magic link that is unknown, used or expired; ``candidate`` is set when we know whose it was."""

    def __init__(self, message: str, candidate: Candidate | None = None) -> None:
        super().__init__(message)
        self.candidate = candidate


@dataclass(frozen=True)
class TimelineEntry:
    """One step of an application as the candidate sees it."""

    kind: TimelineKind
    occurred_at: datetime


@dataclass(frozen=True)
class PortalNotice:
    """Something from the company shown on the portal (an interview invitation, a message)."""

    title: str
    body: str
    occurred_at: datetime
    url: str | None = None
    action_label: str | None = None


@dataclass(frozen=True)
class PortalApplication:
    """An application as the portal presents it."""

    application: Application
    status: str
    timeline: list[TimelineEntry]
    can_withdraw: bool


@dataclass(frozen=True)
class PortalOverview:
    """Everything on the candidate's home page; a section shows only when it has entries."""

    applications: list[PortalApplication]
    invitations: list[PortalNotice] = field(default_factory=list)
    messages: list[PortalNotice] = field(default_factory=list)


# -- magic links ----------------------------------------------------------------------------


def issue_portal_link(candidate: Candidate, ttl: timedelta = PORTAL_LINK_TTL) -> str:
    """A new single-use magic link token for the candidate (only its hash is stored)."""
    raw, token_hash = new_token()
    db.session.add(
        CandidateAccessToken(candidate_id=candidate.id, token_hash=token_hash, expires_at=utcnow() + ttl)
    )
    db.session.flush()
    return raw


def portal_link_url(raw_token: str) -> str:
    """The absolute address of a magic link, for e-mails."""
    return public_url("portal.enter", token=raw_token)


def link_request_url(organization: Organization | None) -> str:
    """The absolute address of the "send me a new link" page, branded for ``organization``."""
    return public_url("portal.request_link", **({"org": organization.slug} if organization else {}))


def find_candidates_by_email(email: str, organization: Organization | None) -> list[Candidate]:
    """The candidates with this address, in one organization or (without one) in every organization."""
    # Stored lowercase (see Candidate.email), so the comparison is exact.
    query = db.select(Candidate).where(Candidate.email == email.strip().lower())
    if organization is not None:
        query = query.where(Candidate.organization_id == organization.id)
    return list(db.session.scalars(query.order_by(Candidate.id)))


def send_portal_link(candidate: Candidate) -> None:
    """Mail a fresh magic link to the candidate (it leaves after the commit)."""
    organization = candidate.organization
    mail.send_mail(
        to=candidate.email,
        subject=_l("Your link to your applications at %(organization)s", organization=organization.name),
        template="portal_link",
        organization=organization,
        locale=candidate.language,
        candidate=candidate,
        link=portal_link_url(issue_portal_link(candidate)),
        link_days=PORTAL_LINK_TTL.days,
        request_url=link_request_url(organization),
    )


def request_portal_links(email: str, organization: Organization | None) -> int:
    """Mail a link to each candidate with this address; the caller answers the same whatever the count."""
    candidates = find_candidates_by_email(email, organization)
    for candidate in candidates:
        send_portal_link(candidate)
    return len(candidates)


def check_portal_link(raw_token: str) -> Candidate:
    """The candidate of a live magic link, without using it; PortalLinkGone when unknown, used or expired."""
    return _live_access_token(raw_token).candidate


def redeem_portal_link(raw_token: str) -> Candidate:
    """Use a magic link once; PortalLinkGone when it is unknown, used or expired."""
    token = _live_access_token(raw_token)
    # Conditional on still being unused, so two simultaneous clicks cannot both get in.
    claimed = changed_rows(
        db.update(CandidateAccessToken)
        .where(CandidateAccessToken.id == token.id, CandidateAccessToken.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if claimed != 1:
        raise PortalLinkGone(str(_l("This link was already used. Ask for a new one below.")), token.candidate)
    return token.candidate


def _live_access_token(raw_token: str) -> CandidateAccessToken:
    token = db.session.scalar(
        db.select(CandidateAccessToken).where(CandidateAccessToken.token_hash == hash_token(raw_token))
    )
    if token is None:
        raise PortalLinkGone(str(_l("This link is not valid. Ask for a new one below.")))
    if token.used_at is not None:
        raise PortalLinkGone(str(_l("This link was already used. Ask for a new one below.")), token.candidate)
    if token.expires_at <= utcnow():
        raise PortalLinkGone(str(_l("This link has expired. Ask for a new one below.")), token.candidate)
    return token


# -- portal sessions ------------------------------------------------------------------------


def start_portal_session(
    candidate: Candidate, lifetime: timedelta = PORTAL_SESSION_LIFETIME
) -> tuple[CandidateSession, str]:
    """Open a server-side portal session; returns it and the raw token for the browser's cookie."""
    raw, token_hash = new_token()
    portal_session = CandidateSession(
        candidate_id=candidate.id, token_hash=token_hash, expires_at=utcnow() + lifetime
    )
    db.session.add(portal_session)
    db.session.flush()
    return portal_session, raw


def load_portal_session(raw_token: str | None) -> CandidateSession | None:
    """The live (unrevoked, unexpired) portal session behind a cookie token, or None."""
    if not raw_token:
        return None
    portal_session = db.session.scalar(
        db.select(CandidateSession).where(CandidateSession.token_hash == hash_token(raw_token))
    )
    if (
        portal_session is None
        or portal_session.revoked_at is not None
        or portal_session.expires_at <= utcnow()
    ):
        return None
    return portal_session


def end_portal_session(portal_session: CandidateSession | None) -> None:
    """Revoke a portal session on the server: its cookie stops working."""
    if portal_session is not None and portal_session.revoked_at is None:
        portal_session.revoked_at = utcnow()


def record_portal_visit(candidate: Candidate) -> None:
    """The journey's "visited the portal" step (no personal data)."""
    record_event(
        candidate.organization, type=EventType.PORTAL_VISITED, attribution=Attribution(), visitor_hash=None
    )


# -- the home page --------------------------------------------------------------------------


def build_overview(candidate: Candidate) -> PortalOverview:
    """The candidate's applications in this organization with their timelines, and any notices."""
    applications = db.session.scalars(
        db.select(Application)
        .where(
            Application.candidate_id == candidate.id,
            Application.organization_id == candidate.organization_id,
        )
        .options(selectinload(Application.job), selectinload(Application.stage_changes))
        .order_by(Application.submitted_at.desc(), Application.id.desc())
    )
    return PortalOverview(
        applications=[present_application(application) for application in applications],
        invitations=_notices("invitations", candidate),
        messages=_notices("messages", candidate),
    )


def _notices(section: str, candidate: Candidate) -> list[PortalNotice]:
    # Other areas (interviews, surveys) answer the portal's signal; empty sections are hidden.
    answers = portal_notices_requested.send(candidate, section=section)
    notices = [notice for _receiver, found in answers for notice in found]
    return sorted(notices, key=lambda notice: notice.occurred_at, reverse=True)


def present_application(application: Application) -> PortalApplication:
    """An application with its status and timeline in the candidate's terms."""
    timeline = build_timeline(application)
    return PortalApplication(
        application=application,
        status=status_label(visible_stage(application)),
        timeline=timeline,
        can_withdraw=can_withdraw(application),
    )


def build_timeline(application: Application) -> list[TimelineEntry]:
    """The steps of an application, oldest first, from its stage history."""
    changes = sorted(application.stage_changes, key=lambda change: (change.changed_at, change.id or 0))
    entries = [TimelineEntry(TimelineKind.RECEIVED, application.submitted_at)]
    for change in changes:
        if change.from_stage is None:
            continue  # the application arriving: already the first entry
        entries.append(TimelineEntry(timeline_kind(change.to_stage), change.changed_at))
    return entries


def timeline_kind(stage: str) -> TimelineKind:
    """How a move to ``stage`` reads on the timeline; stages added later read as a step forward."""
    return {
        ApplicationStage.NEW.value: TimelineKind.BACK_IN_REVIEW,
        ApplicationStage.REJECTED.value: TimelineKind.NOT_A_FIT,
        ApplicationStage.HIRED.value: TimelineKind.HIRED,
        ApplicationStage.WITHDRAWN.value: TimelineKind.WITHDRAWN,
    }.get(stage, TimelineKind.MOVED_ON)


def visible_stage(application: Application) -> str:
    """The stage the candidate sees."""
    return application.stage


def status_label(stage: str) -> str:
    """The candidate-facing name of a stage."""
    try:
        return str(STATUS_LABELS[ApplicationStage(stage)])
    except ValueError:
        return str(OTHER_STATUS_LABEL)


def can_withdraw(application: Application) -> bool:
    """Open applications may be withdrawn; closed or withdrawn ones may not."""
    return application.stage != ApplicationStage.WITHDRAWN and application.closed_at is None


# -- changes the candidate makes ------------------------------------------------------------


def update_contact_details(
    candidate: Candidate,
    *,
    name: str,
    phone: str,
    location: str,
    linkedin_url: str | None,
    portfolio_url: str | None,
) -> Candidate:
    """Replace the candidate's contact details with what they typed (e-mail stays as it is)."""
    if not name.strip():
        raise Invalid(str(_l("Tell us your name.")), field="name")
    candidate.name = name.strip()[:120]
    candidate.phone = phone.strip()[:40]
    candidate.location = location.strip()[:120]
    candidate.linkedin_url = (linkedin_url or "").strip() or None
    candidate.portfolio_url = (portfolio_url or "").strip() or None
    db.session.flush()
    return candidate


def find_own_application(candidate: Candidate, public_id: str) -> Application:
    """One of the candidate's applications by its public id; NotFound for anyone else's."""
    application = db.session.scalar(
        db.select(Application).where(
            Application.public_id == public_id,
            Application.candidate_id == candidate.id,
            Application.organization_id == candidate.organization_id,
        )
    )
    if application is None:
        raise NotFound(str(_l("We could not find this application.")))
    return application


def check_can_withdraw(application: Application) -> None:
    """Conflict when the application was already withdrawn or its process has ended."""
    if application.stage == ApplicationStage.WITHDRAWN:
        raise Conflict(
            str(_l("You already withdrew your application for %(job)s.", job=application.job.title))
        )
    if application.closed_at is not None:
        raise Conflict(
            str(
                _l(
                    "The process for %(job)s has already ended; there is nothing to withdraw.",
                    job=application.job.title,
                )
            )
        )


def withdraw_application(candidate: Candidate, application: Application) -> ApplicationStageChange:
    """The candidate withdraws: stage withdrawn, closed now, recorded on the timeline and the journey."""
    if application.candidate_id != candidate.id:
        raise NotFound(str(_l("We could not find this application.")))
    check_can_withdraw(application)
    now = utcnow()
    change = ApplicationStageChange(
        organization_id=application.organization_id,
        application_id=application.id,
        from_stage=application.stage,
        to_stage=ApplicationStage.WITHDRAWN.value,
        actor_user_id=None,
        changed_at=now,
    )
    application.stage = ApplicationStage.WITHDRAWN
    application.closed_at = now
    db.session.add(change)
    record_event(
        candidate.organization,
        type=EventType.APPLICATION_WITHDRAWN,
        job=application.job,
        attribution=Attribution(),
        visitor_hash=None,
    )
    db.session.flush()
    return change


def erasure_words() -> set[str]:
    """The words that confirm an erasure (the English one always works, as the page shows it)."""
    return {"delete", str(_l("DELETE")).casefold()}


def erase_my_data(candidate: Candidate, *, confirmation: str) -> Organization:
    """Erase everything about the candidate at their request, once they typed the confirmation."""
    typed = confirmation.strip().casefold()
    if typed not in erasure_words() and typed != candidate.email:
        raise Invalid(str(_l("Type DELETE (or your e-mail address) to confirm.")), field="confirmation")
    organization = candidate.organization
    delete_candidate_data(candidate, reason=ERASURE_REASON)
    record_event(organization, type=EventType.DATA_DELETED, attribution=Attribution(), visitor_hash=None)
    return organization
