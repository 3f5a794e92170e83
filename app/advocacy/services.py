"""Ambassadors: their tracked share links, clicks, shares, share texts, points and the leaderboard."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import quote

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app.audit import record_audit
from app.careers.services import all_open_jobs
from app.errors import Invalid, NotFound, PermissionDenied
from app.extensions import db
from app.models import (
    AdvocacySettings,
    Ambassador,
    AmbassadorShare,
    Application,
    EventType,
    Job,
    JobStatus,
    JourneyEvent,
    LeaderboardVisibility,
    Organization,
    Role,
    ShareClick,
    ShareLink,
    ShareText,
    StageKind,
    User,
    utcnow,
)
from app.portal.services import public_url
from app.stages import stages_for
from config import SUPPORTED_LANGUAGES

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
PLACEHOLDERS = ("job", "organization", "link")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
SHARE_TEXT_MAX_LENGTH = 1000
MAX_POINTS = 1000
LEADERBOARD_SIZE = 10
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
MANAGE_TEXT_ROLES = frozenset({Role.ADMIN, Role.RECRUITER})


@dataclass(frozen=True)
class PointWeights:
    """Points per share, unique click, application and hire."""

    share: int = 1
    click: int = 2
    application: int = 10
    hire: int = 50


DEFAULT_WEIGHTS = PointWeights()


@dataclass
class AmbassadorStats:
    """What one ambassador's links brought, and the points it is worth."""

    shares: int = 0
    clicks: int = 0
    unique_clicks: int = 0
    views: int = 0
    applications: int = 0
    hires: int = 0
    points: int = 0

    def score(self, weights: PointWeights) -> None:
        """Work out the points from the counts (unique clicks only, so reloading earns nothing)."""
        self.points = (
            self.shares * weights.share
            + self.unique_clicks * weights.click
            + self.applications * weights.application
            + self.hires * weights.hire
        )


@dataclass(frozen=True)
class ChannelLink:
    """One way of sharing a job: the ambassador's short link and the network's share address."""

    channel: str
    label: str
    short_url: str
    share_url: str | None


@dataclass(frozen=True)
class JobShare:
    """Everything the home shows to share one job."""

    job: Job
    card_url: str
    links: list[ChannelLink]
    copy_url: str
    text: str


@dataclass(frozen=True)
class LeaderboardEntry:
    """A line of the leaderboard: rank, the name or "anonymous", points, and whether it is the viewer."""

    rank: int
    name: str | None
    points: int
    is_me: bool


@dataclass
class Leaderboard:
    """The top of the leaderboard and where the viewer stands."""

    entries: list[LeaderboardEntry] = field(default_factory=list)
    me: LeaderboardEntry | None = None


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


def default_share_text(language: str) -> str:
    """The built-in text, in ``language``, used until the organization writes its own."""
    with force_locale(language):
        return _(
            "We're hiring! {organization} is looking for: {job}. Have a look, and apply if it's for you: {link}"
        )


def check_share_text(body: str) -> str:
    """The text trimmed; Invalid when it is too long or uses a placeholder we don't know."""
    body = body.strip()
    if len(body) > SHARE_TEXT_MAX_LENGTH:
        raise Invalid(
            str(_l("Keep the text under %(max)d characters.", max=SHARE_TEXT_MAX_LENGTH)), field="body"
        )
    for name in PLACEHOLDER.findall(body):
        if name not in PLACEHOLDERS:
            raise Invalid(
                str(
                    _l(
                        "Unknown placeholder {%(name)s}. Use {job}, {organization} and {link}.",
                        name=name[:40],
                    )
                ),
                field="body",
            )
    return body


def render_share_text(template: str, *, job: Job, organization: Organization, link: str) -> str:
    """The text with its placeholders filled (plain replacement: no formatting language runs)."""
    text = template.replace("{job}", job.title).replace("{organization}", organization.name)
    if "{link}" in text:
        return text.replace("{link}", link)
    return f"{text} {link}".strip()


def share_language(job: Job, organization: Organization) -> str:
    """The language a job is shared in: the job's own, else the organization's."""
    if job.language in SUPPORTED_LANGUAGES:
        return job.language
    if organization.default_language in SUPPORTED_LANGUAGES:
        return organization.default_language
    return SUPPORTED_LANGUAGES[0]


def share_text_template(organization: Organization, job: Job | None, language: str) -> str:
    """The text for a job: the job's own, else the organization's default, else the built-in one."""
    for_job = ShareText.job_id.is_(None)
    if job is not None:
        for_job = for_job | (ShareText.job_id == job.id)
    rows = db.session.scalars(
        db.select(ShareText).where(
            ShareText.organization_id == organization.id, ShareText.language == language, for_job
        )
    ).all()
    by_job = {row.job_id: row.body for row in rows}
    if job is not None and by_job.get(job.id):
        return by_job[job.id]
    return by_job.get(None) or default_share_text(language)


def require_text_manager(actor: User) -> None:
    """Admins and recruiters write the organization's share texts."""
    if actor.role not in MANAGE_TEXT_ROLES:
        raise PermissionDenied(str(_l("Only administrators and recruiters can edit share texts.")))


def find_job(actor: User, job_id: int) -> Job:
    """A job of the actor's organization; NotFound otherwise."""
    job = db.session.scalar(
        db.select(Job).where(Job.id == job_id, Job.organization_id == actor.organization_id)
    )
    if job is None:
        raise NotFound(str(_l("We could not find this job.")))
    return job


def save_share_text(actor: User, *, job_id: int | None, language: str, body: str) -> ShareText | None:
    """Write the default text (no job) or a job's text in one language; an empty text removes it."""
    require_text_manager(actor)
    if language not in SUPPORTED_LANGUAGES:
        raise Invalid(str(_l("Choose a language.")), field="language")
    job = find_job(actor, job_id) if job_id else None
    body = check_share_text(body)
    row = db.session.scalar(
        db.select(ShareText).where(
            ShareText.organization_id == actor.organization_id,
            ShareText.language == language,
            ShareText.job_id == job.id if job else ShareText.job_id.is_(None),
        )
    )
    if not body:
        if row is not None:
            db.session.delete(row)
        row = None
    elif row is None:
        row = ShareText(
            organization_id=actor.organization_id,
            job_id=job.id if job else None,
            language=language,
            body=body,
        )
        db.session.add(row)
    else:
        row.body = body
    record_audit(
        actor.organization_id,
        actor,
        "advocacy.share_text_saved",
        "job",
        job.id if job else None,
        language=language,
    )
    db.session.flush()
    return row


def list_share_texts(actor: User) -> list[ShareText]:
    """The organization's own share texts: defaults first, then per job."""
    require_text_manager(actor)
    return list(
        db.session.scalars(
            db.select(ShareText)
            .where(ShareText.organization_id == actor.organization_id)
            .order_by(ShareText.job_id.is_not(None), ShareText.job_id, ShareText.language)
        )
    )


# -- building what the home shows -------------------------------------------------------------


def share_address(channel: str, *, link: str, message: str, subject: str) -> str | None:
    """The network's own "share this" address for a channel (None for copy: people paste the link)."""

    def enc(value: str) -> str:
        return quote(value, safe="")

    if channel == "linkedin":
        return f"https://www.linkedin.com/sharing/share-offsite/?url={enc(link)}"
    if channel == "x":
        return f"https://twitter.com/intent/tweet?text={enc(message)}"
    if channel == "facebook":
        return f"https://www.facebook.com/sharer/sharer.php?u={enc(link)}"
    if channel == "whatsapp":
        return f"https://wa.me/?text={enc(message)}"
    if channel == "email":
        return f"mailto:?subject={enc(subject)}&body={enc(message)}"
    return None


def job_shares(ambassador: Ambassador, organization: Organization, jobs: Sequence[Job]) -> list[JobShare]:
    """For each open job: the ambassador's links per channel and the ready-made text."""
    links = ensure_share_links(ambassador, jobs)
    shares = []
    for job in jobs:
        language = share_language(job, organization)
        template = share_text_template(organization, job, language)
        with force_locale(language):
            subject = _("%(job)s at %(organization)s", job=job.title, organization=organization.name)
        channel_links = []
        for channel in SHARE_CHANNELS:
            link = links.get((job.id, channel))
            if link is None:
                continue
            url = short_url(link)
            message = render_share_text(template, job=job, organization=organization, link=url)
            channel_links.append(
                ChannelLink(
                    channel=channel,
                    label=str(CHANNEL_LABELS[channel]),
                    short_url=url,
                    share_url=share_address(channel, link=url, message=message, subject=subject),
                )
            )
        copy = next((item.short_url for item in channel_links if item.channel == "copy"), "")
        shares.append(
            JobShare(
                job=job,
                card_url=public_url("careers.job", org_slug=organization.slug, job_slug=job.slug),
                links=[item for item in channel_links if item.channel != "copy"],
                copy_url=copy,
                text=render_share_text(template, job=job, organization=organization, link=copy),
            )
        )
    return shares


# -- points and the leaderboard ---------------------------------------------------------------


def point_weights(organization_id: int) -> PointWeights:
    """The organization's points per action (the defaults until an admin changes them)."""
    row = db.session.get(AdvocacySettings, organization_id)
    if row is None:
        return DEFAULT_WEIGHTS
    return PointWeights(row.points_share, row.points_click, row.points_application, row.points_hire)


def update_point_weights(actor: User, weights: PointWeights) -> PointWeights:
    """Set the points per share, click, application and hire (admins only, 0 to 1000 each)."""
    if actor.role != Role.ADMIN:
        raise PermissionDenied(str(_l("Only administrators can change the points.")))
    for name in ("share", "click", "application", "hire"):
        value = getattr(weights, name)
        if not 0 <= value <= MAX_POINTS:
            raise Invalid(str(_l("Use a number from 0 to %(max)d.", max=MAX_POINTS)), field=f"points_{name}")
    row = db.session.get(AdvocacySettings, actor.organization_id)
    if row is None:
        row = AdvocacySettings(organization_id=actor.organization_id)
        db.session.add(row)
    row.points_share, row.points_click = weights.share, weights.click
    row.points_application, row.points_hire = weights.application, weights.hire
    record_audit(
        actor.organization_id, actor, "advocacy.points_updated", "organization", actor.organization_id
    )
    db.session.flush()
    return weights


def hired_stage_keys(organization_id: int) -> set[str]:
    """The keys of the organization's stages that mean "hired" (archived ones too)."""
    return {
        stage.key
        for stage in stages_for(organization_id, include_archived=True)
        if stage.kind == StageKind.HIRED
    }


def ambassador_stats(
    organization_id: int, ambassadors: Iterable[Ambassador], since: datetime | None = None
) -> dict[int, AmbassadorStats]:
    """Shares, clicks, job views, applications and hires (last touch) per ambassador, with points."""
    ambassadors = list(ambassadors)
    stats = {ambassador.id: AmbassadorStats() for ambassador in ambassadors}
    if not ambassadors:
        return stats
    by_code = {ambassador.code: ambassador.id for ambassador in ambassadors}
    ids = list(stats)

    shares = db.select(AmbassadorShare.ambassador_id, db.func.count(AmbassadorShare.id)).where(
        AmbassadorShare.organization_id == organization_id, AmbassadorShare.ambassador_id.in_(ids)
    )
    if since is not None:
        shares = shares.where(AmbassadorShare.created_at >= since)
    for ambassador_id, count in db.session.execute(shares.group_by(AmbassadorShare.ambassador_id)):
        stats[ambassador_id].shares = count

    for ambassador_id, total, unique in click_counts(organization_id, ShareLink.ambassador_id, since, ids):
        stats[ambassador_id].clicks, stats[ambassador_id].unique_clicks = total, unique

    views = db.select(JourneyEvent.ambassador_code, db.func.count(JourneyEvent.id)).where(
        JourneyEvent.organization_id == organization_id,
        JourneyEvent.type == EventType.CARD_VIEW.value,
        JourneyEvent.ambassador_code.in_(list(by_code)),
    )
    if since is not None:
        views = views.where(JourneyEvent.occurred_at >= since)
    for code, count in db.session.execute(views.group_by(JourneyEvent.ambassador_code)):
        stats[by_code[code]].views = count

    hired = hired_stage_keys(organization_id)
    applications = db.select(
        Application.ambassador_code, Application.stage, db.func.count(Application.id)
    ).where(Application.organization_id == organization_id, Application.ambassador_code.in_(list(by_code)))
    if since is not None:
        applications = applications.where(Application.submitted_at >= since)
    for code, stage, count in db.session.execute(
        applications.group_by(Application.ambassador_code, Application.stage)
    ):
        stats[by_code[code]].applications += count
        if stage in hired:
            stats[by_code[code]].hires += count

    weights = point_weights(organization_id)
    for item in stats.values():
        item.score(weights)
    return stats


def click_counts(organization_id: int, group_column, since: datetime | None, ambassador_ids=None) -> list:
    """(group, total clicks, unique clicks) grouped by a ShareLink column; unique = one per visitor and day."""
    clicks = (
        db.select(
            group_column.label("key"),
            ShareClick.share_link_id,
            ShareClick.visitor_hash,
            db.func.count(ShareClick.id).label("total"),
        )
        .join(ShareLink, ShareLink.id == ShareClick.share_link_id)
        .where(ShareClick.organization_id == organization_id)
    )
    if ambassador_ids is not None:
        clicks = clicks.where(ShareLink.ambassador_id.in_(list(ambassador_ids)))
    if since is not None:
        clicks = clicks.where(ShareClick.occurred_at >= since)
    per_visitor = clicks.group_by(group_column, ShareClick.share_link_id, ShareClick.visitor_hash).subquery()
    query = db.select(
        per_visitor.c.key, db.func.sum(per_visitor.c.total), db.func.count().label("unique")
    ).group_by(per_visitor.c.key)
    return [(key, int(total or 0), int(unique or 0)) for key, total, unique in db.session.execute(query)]


def organization_ambassadors(organization_id: int, active_only: bool = True) -> list[Ambassador]:
    """The organization's ambassadors (with their user), optionally only those who can still sign in."""
    query = (
        db.select(Ambassador)
        .join(User, User.id == Ambassador.user_id)
        .where(Ambassador.organization_id == organization_id)
        .order_by(User.name, Ambassador.id)
    )
    if active_only:
        query = query.where(User.active.is_(True))
    return list(db.session.scalars(query))


def build_leaderboard(
    organization_id: int, viewer: Ambassador | None, size: int = LEADERBOARD_SIZE
) -> Leaderboard:
    """Ambassadors with points, best first; hidden ones left out, anonymous ones without a name."""
    ambassadors = [
        ambassador
        for ambassador in organization_ambassadors(organization_id)
        if ambassador.leaderboard != LeaderboardVisibility.HIDDEN
    ]
    stats = ambassador_stats(organization_id, ambassadors)
    ranked = sorted(
        (item for item in ambassadors if stats[item.id].points > 0),
        key=lambda item: (-stats[item.id].points, item.id),
    )
    board = Leaderboard()
    rank, previous = 0, None
    for position, ambassador in enumerate(ranked, start=1):
        points = stats[ambassador.id].points
        if points != previous:
            rank, previous = position, points
        entry = LeaderboardEntry(
            rank=rank,
            name=ambassador.user.name if ambassador.leaderboard == LeaderboardVisibility.NAMED else None,
            points=points,
            is_me=viewer is not None and ambassador.id == viewer.id,
        )
        if position <= size:
            board.entries.append(entry)
        if entry.is_me:
            board.me = entry
    return board
