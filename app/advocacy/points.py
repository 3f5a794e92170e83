# SPDX-License-Identifier: AGPL-3.0-or-later
"""Ambassadors' points, figures and the leaderboard, computed from what happened (nothing stored)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l

from app.core.audit import record_audit
from app.core.errors import Invalid, PermissionDenied
from app.core.extensions import db
from app.models import (
    AdvocacySettings,
    Ambassador,
    AmbassadorShare,
    Application,
    EventType,
    JourneyEvent,
    LeaderboardVisibility,
    Role,
    ShareClick,
    ShareLink,
    User,
)
from app.pipeline.stages import hired_stage_keys

MAX_POINTS = 1000
LEADERBOARD_SIZE = 10


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
