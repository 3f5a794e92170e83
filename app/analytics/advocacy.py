# SPDX-License-Identifier: AGPL-3.0-or-later
"""Advocacy: what employees' shares and referral links bring in, per ambassador and per channel.

Per ambassador (named by their account, or by the code when it matches no ambassador):
*shares* are the share buttons they used on days in the range (at most one per job, channel
and day); *link clicks* are clicks on their share links in the range; *job card views* are
``card_view`` events in the range carrying their code; *referred applications* are the
cohort's applications carrying their code, and *hires* those of them that reached a hired stage.
Per channel: ambassadors' shares, and ``share_click`` events of visitors sharing a job card.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import case, func, or_

from app.analytics.filters import DashboardFilters
from app.analytics.funnel import cohort_filter, event_filter
from app.analytics.sources import SourceCounts
from app.analytics.tables import COUNT, TEXT, Chart, Column, Table
from app.core.extensions import db
from app.models import (
    Ambassador,
    AmbassadorShare,
    Application,
    ApplicationStageChange,
    EventType,
    JourneyEvent,
    ShareClick,
    ShareLink,
    User,
)
from app.pipeline.stages import hired_stage_keys

SHARE_TARGET_LABELS = {
    "linkedin": "LinkedIn",
    "x": "X",
    "facebook": "Facebook",
    "whatsapp": "WhatsApp",
}


def ambassador_names(organization_id: int) -> dict[str, str]:
    """Each ambassador code of the organization and the name of its colleague."""
    rows = db.session.execute(
        db.select(Ambassador.code, User.name)
        .join(User, User.id == Ambassador.user_id)
        .where(Ambassador.organization_id == organization_id)
    )
    return {code: name for code, name in rows}


def shares_by_code(filters: DashboardFilters) -> Counter[str]:
    """Share buttons each ambassador used on days in the range."""
    query = (
        db.select(Ambassador.code, func.count())
        .select_from(AmbassadorShare)
        .join(Ambassador, Ambassador.id == AmbassadorShare.ambassador_id)
        .where(
            AmbassadorShare.organization_id == filters.organization_id,
            AmbassadorShare.day >= filters.first_day,
            AmbassadorShare.day <= filters.last_day,
        )
        .group_by(Ambassador.code)
    )
    if filters.job_id is not None:
        query = query.where(AmbassadorShare.job_id == filters.job_id)
    return Counter({code: count for code, count in db.session.execute(query)})


def clicks_by_code(filters: DashboardFilters) -> Counter[str]:
    """Clicks on each ambassador's share links in the range."""
    query = (
        db.select(Ambassador.code, func.count())
        .select_from(ShareClick)
        .join(ShareLink, ShareLink.id == ShareClick.share_link_id)
        .join(Ambassador, Ambassador.id == ShareLink.ambassador_id)
        .where(
            ShareClick.organization_id == filters.organization_id,
            ShareClick.occurred_at >= filters.start,
            ShareClick.occurred_at < filters.end,
        )
        .group_by(Ambassador.code)
    )
    if filters.job_id is not None:
        query = query.where(ShareLink.job_id == filters.job_id)
    return Counter({code: count for code, count in db.session.execute(query)})


def referrals_by_code(filters: DashboardFilters) -> dict[str, tuple[int, int]]:
    """Per ambassador code: the cohort's referred applications and how many of them were hired."""
    keys = hired_stage_keys(filters.organization_id)
    ever_hired = db.select(ApplicationStageChange.application_id).where(
        ApplicationStageChange.organization_id == filters.organization_id,
        ApplicationStageChange.to_stage.in_(keys),
    )
    hired = case((or_(Application.stage.in_(keys), Application.id.in_(ever_hired)), 1), else_=0)
    rows = db.session.execute(
        db.select(Application.ambassador_code, func.count(), func.sum(hired))
        .where(*cohort_filter(filters), Application.ambassador_code.is_not(None))
        .group_by(Application.ambassador_code)
    )
    return {code: (int(count), int(hires or 0)) for code, count, hires in rows}


def ambassadors_table(filters: DashboardFilters, sources: SourceCounts) -> Table:
    """Shares, clicks, views, referred applications and hires per ambassador; most hires first."""
    views: Counter[str] = Counter()
    for source, count in sources.views.items():
        if source.ambassador_code:
            views[source.ambassador_code] += count
    shares, clicks = shares_by_code(filters), clicks_by_code(filters)
    referrals = referrals_by_code(filters)
    names = ambassador_names(filters.organization_id)
    table = Table(
        "ambassadors",
        _("Ambassadors"),
        [
            Column("ambassador", _("Ambassador"), TEXT),
            Column("shares", _("Shares"), COUNT),
            Column("clicks", _("Link clicks"), COUNT),
            Column("views", _("Job card views"), COUNT),
            Column("referrals", _("Referred applications"), COUNT),
            Column("hires", _("Hires"), COUNT),
        ],
        chart=Chart("bar", "ambassador", ("clicks", "referrals", "hires")),
    )
    rows: list[list[Any]] = []
    for code in set(shares) | set(clicks) | set(views) | set(referrals):
        applied, hires = referrals.get(code, (0, 0))
        label = names.get(code) or _("Unknown code %(code)s", code=code)
        rows.append([label, shares[code], clicks[code], views[code], applied, hires])
    rows.sort(key=lambda row: (-row[5], -row[4], -row[2], -row[3], -row[1], row[0]))
    table.rows.extend(rows)
    return table


def visitor_shares(filters: DashboardFilters) -> Counter[str]:
    """Share clicks of visitors in the range per place shared to."""
    target = JourneyEvent.data["share_target"].as_string().label("target")
    rows = db.session.execute(
        db.select(target, func.count())
        .where(*event_filter(filters, EventType.SHARE_CLICK.value))
        .group_by(target)
    )
    return Counter({(value or ""): count for value, count in rows})


def ambassador_shares(filters: DashboardFilters) -> Counter[str]:
    """Ambassadors' shares on days in the range per channel."""
    query = (
        db.select(AmbassadorShare.channel, func.count())
        .where(
            AmbassadorShare.organization_id == filters.organization_id,
            AmbassadorShare.day >= filters.first_day,
            AmbassadorShare.day <= filters.last_day,
        )
        .group_by(AmbassadorShare.channel)
    )
    if filters.job_id is not None:
        query = query.where(AmbassadorShare.job_id == filters.job_id)
    return Counter({channel: count for channel, count in db.session.execute(query)})


def shares_table(filters: DashboardFilters) -> Table:
    """How often jobs were shared, per place shared to, by ambassadors and by visitors."""
    table = Table(
        "shares",
        _("Shares"),
        [
            Column("target", _("Shared to"), TEXT),
            Column("ambassadors", _("By ambassadors"), COUNT),
            Column("visitors", _("By visitors"), COUNT),
        ],
        chart=Chart("bar", "target", ("ambassadors", "visitors")),
    )
    labels = {**SHARE_TARGET_LABELS, "email": _("E-mail"), "copy": _("Link copied"), "": _("Other")}
    by_ambassadors, by_visitors = ambassador_shares(filters), visitor_shares(filters)
    targets = sorted(
        set(by_ambassadors) | set(by_visitors),
        key=lambda target: (-(by_ambassadors[target] + by_visitors[target]), target),
    )
    for target in targets:
        table.rows.append([labels.get(target, target), by_ambassadors[target], by_visitors[target]])
    return table
