# SPDX-License-Identifier: AGPL-3.0-or-later
"""Ambassadors: who they are, their tracked share links, the clicks on them and the shares they make."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app.careers.services import all_open_jobs
from app.core.errors import Invalid, NotFound
from app.core.extensions import db
from app.core.urls import public_url
from app.models import (
    Ambassador,
    AmbassadorShare,
    Job,
    JobStatus,
    LeaderboardVisibility,
    Organization,
    ShareClick,
    ShareLink,
    User,
    utcnow,
)

# The order share buttons appear in; "copy" is the plain link to paste anywhere.
SHARE_CHANNELS: tuple[str, ...] = ("linkedin", "x", "facebook", "whatsapp", "email", "copy")
CHANNEL_LABELS = {
    "linkedin": "LinkedIn",
    "x": "X",
    "facebook": "Facebook",
    "whatsapp": "WhatsApp",
    "email": _l("E-mail"),
    "copy": _l("Copy link"),
    "referral": _l("Direct referral"),
}
UTM_MEDIUM = "ambassador"
UTM_CAMPAIGN = "employee_advocacy"
CODE_BYTES = 8  # 11 URL-safe characters: not guessable, short enough to type
# Link previews (chat apps, social networks, crawlers) fetch a shared link without a person behind it.
NOT_A_PERSON = (
    "bot",
    "crawler",
    "spider",
    "preview",
    "facebookexternalhit",
    "whatsapp",
    "telegram",
    "skype",
    "embedly",
    "curl",
    "wget",
    "python-",
)


# -- ambassadors ------------------------------------------------------------------------------


def new_code() -> str:
    """A short random code for a link or an ambassador (URL-safe, matches the journey's ``?ref=`` rule)."""
    return secrets.token_urlsafe(CODE_BYTES)


def find_ambassador(user: User) -> Ambassador | None:
    """The user's ambassador record, if they have one."""
    return db.session.scalar(db.select(Ambassador).where(Ambassador.user_id == user.id))


def ensure_ambassador(user: User) -> Ambassador:
    """The user's ambassador record, created on first use (a savepoint makes a double request harmless)."""
    ambassador = find_ambassador(user)
    if ambassador is not None:
        return ambassador
    try:
        with db.session.begin_nested():
            ambassador = Ambassador(organization_id=user.organization_id, user_id=user.id, code=new_code())
            db.session.add(ambassador)
    except IntegrityError:
        ambassador = find_ambassador(user)
        if ambassador is None:
            raise
    return ambassador


def set_leaderboard_visibility(actor: User, visibility: str) -> Ambassador:
    """How the actor appears on the leaderboard: by name, anonymously or not at all."""
    try:
        choice = LeaderboardVisibility(visibility)
    except ValueError:
        raise Invalid(str(_l("Choose how you appear on the leaderboard.")), field="leaderboard") from None
    ambassador = ensure_ambassador(actor)
    ambassador.leaderboard = choice
    db.session.flush()
    return ambassador


# -- share links and clicks -------------------------------------------------------------------


def open_jobs(organization: Organization) -> list[Job]:
    """The organization's jobs that take applications, newest first."""
    return all_open_jobs(organization)


def ensure_share_links(ambassador: Ambassador, jobs: Sequence[Job]) -> dict[tuple[int, str], ShareLink]:
    """The ambassador's link per (job, channel), creating the missing ones."""
    job_ids = [job.id for job in jobs if job.organization_id == ambassador.organization_id]
    if not job_ids:
        return {}

    def existing() -> dict[tuple[int, str], ShareLink]:
        rows = db.session.scalars(
            db.select(ShareLink).where(
                ShareLink.ambassador_id == ambassador.id, ShareLink.job_id.in_(job_ids)
            )
        )
        return {(link.job_id, link.channel): link for link in rows}

    links = existing()
    missing = [
        ShareLink(
            organization_id=ambassador.organization_id,
            ambassador_id=ambassador.id,
            job_id=job_id,
            channel=channel,
            code=new_code(),
        )
        for job_id in job_ids
        for channel in SHARE_CHANNELS
        if (job_id, channel) not in links
    ]
    if missing:
        try:
            with db.session.begin_nested():
                db.session.add_all(missing)
        except IntegrityError:
            pass  # another request of the same person created them first
        links = existing()
    return links


def find_share_link(code: str) -> ShareLink:
    """The link behind ``/r/<code>``; NotFound for unknown codes."""
    link = db.session.scalar(db.select(ShareLink).where(ShareLink.code == code[:24]))
    if link is None:
        raise NotFound(str(_l("This link does not exist. Ask the person who shared it for a new one.")))
    return link


def short_url(link: ShareLink) -> str:
    """The absolute short address people are given: ``/r/<code>`` on PUBLIC_URL."""
    return public_url("advocacy_public.follow", code=link.code)


def landing_query(link: ShareLink, ambassador_code: str) -> dict[str, str]:
    """What the job card's address carries, so its journey events and the application credit the ambassador."""
    return {
        "ref": ambassador_code,
        "s": link.channel,
        "utm_source": link.channel,
        "utm_medium": UTM_MEDIUM,
        "utm_campaign": UTM_CAMPAIGN,
    }


def is_person(user_agent: str | None) -> bool:
    """False for link previews and crawlers, whose fetches are not clicks."""
    agent = (user_agent or "").lower()
    return bool(agent) and not any(marker in agent for marker in NOT_A_PERSON)


def record_click(link: ShareLink, *, visitor_hash: str, user_agent: str | None, viewer: User | None) -> bool:
    """Count a click on ``link`` unless it came from a link preview or from the ambassador themself."""
    if not is_person(user_agent):
        return False
    if viewer is not None and viewer.id == link.ambassador.user_id:
        return False
    db.session.add(
        ShareClick(
            organization_id=link.organization_id,
            share_link_id=link.id,
            occurred_at=utcnow(),
            visitor_hash=visitor_hash,
        )
    )
    db.session.flush()
    return True


def landing_job(link: ShareLink) -> tuple[Job, bool]:
    """The job a link points to, and whether it still takes applications."""
    job = link.job
    expired = job.valid_through is not None and job.valid_through <= utcnow()
    return job, job.status == JobStatus.PUBLISHED and not expired


# -- shares -----------------------------------------------------------------------------------


def record_share(actor: User, job_id: int, channel: str, today: date | None = None) -> bool:
    """Note that the actor used a share button; once per job, channel and day. True if newly noted."""
    if channel not in SHARE_CHANNELS:
        raise Invalid(str(_l("Unknown share channel.")), field="channel")
    job = db.session.scalar(
        db.select(Job).where(
            Job.id == job_id, Job.organization_id == actor.organization_id, Job.status == JobStatus.PUBLISHED
        )
    )
    if job is None:
        raise NotFound(str(_l("We could not find this job.")))
    ambassador = ensure_ambassador(actor)
    try:
        with db.session.begin_nested():
            db.session.add(
                AmbassadorShare(
                    organization_id=actor.organization_id,
                    ambassador_id=ambassador.id,
                    job_id=job.id,
                    channel=channel,
                    day=today or utcnow().date(),
                )
            )
    except IntegrityError:
        return False
    return True


# -- share texts ------------------------------------------------------------------------------


def find_job(actor: User, job_id: int) -> Job:
    """A job of the actor's organization; NotFound otherwise."""
    job = db.session.scalar(
        db.select(Job).where(Job.id == job_id, Job.organization_id == actor.organization_id)
    )
    if job is None:
        raise NotFound(str(_l("We could not find this job.")))
    return job


# -- building what the home shows -------------------------------------------------------------
