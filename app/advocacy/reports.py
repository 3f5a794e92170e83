# SPDX-License-Identifier: AGPL-3.0-or-later
"""Attribution for admins and recruiters: clicks → job views → applications → hires.

Per job, per ambassador and per channel, with applications and hires counted twice: by their
**last touch** (the application's own attribution columns: what brought the person in the visit
they applied from) and by their **first touch** (``applications.first_touch``: the first source
the person's browser remembered, see ``static/js/journey.js``). An application without a
remembered first touch had only one known touch, so it counts the same both ways.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l

from app.advocacy.points import ambassador_stats, click_counts, organization_ambassadors
from app.advocacy.services import CHANNEL_LABELS
from app.applications.services import CHANNEL_LABELS as SOURCE_LABELS
from app.core.extensions import db
from app.models import Application, Channel, EventType, Job, JourneyEvent, ShareLink, utcnow
from app.pipeline.stages import hired_stage_keys

PERIODS = {"30": 30, "90": 90, "365": 365, "all": None}
PERIOD_LABELS = {
    "30": _l("Last 30 days"),
    "90": _l("Last 90 days"),
    "365": _l("Last 12 months"),
    "all": _l("All time"),
}
DEFAULT_PERIOD = "90"


@dataclass
class FunnelRow:
    """One line of a report: the steps of the funnel for a job, an ambassador or a channel."""

    label: str
    clicks: int = 0
    unique_clicks: int = 0
    views: int = 0
    applications_last: int = 0
    applications_first: int = 0
    hires_last: int = 0
    hires_first: int = 0
    points: int | None = None
    active: bool = True

    @property
    def empty(self) -> bool:
        return not (self.clicks or self.views or self.applications_last or self.applications_first)


@dataclass
class AttributionReport:
    """The four tables of the report."""

    period: str
    by_job: list[FunnelRow] = field(default_factory=list)
    by_ambassador: list[FunnelRow] = field(default_factory=list)
    by_share_channel: list[FunnelRow] = field(default_factory=list)
    by_channel: list[FunnelRow] = field(default_factory=list)
    total: FunnelRow = field(default_factory=lambda: FunnelRow(""))


@dataclass(frozen=True)
class Touch:
    """The parts of an attribution the report groups by."""

    channel: str
    share_channel: str | None
    ambassador_code: str | None

    @property
    def is_ambassador(self) -> bool:
        return self.channel == Channel.AMBASSADOR.value and bool(self.ambassador_code)


def period_start(period: str, now: datetime | None = None) -> datetime | None:
    """Where a period starts (None for all time); unknown periods mean the default."""
    days = PERIODS.get(period, PERIODS[DEFAULT_PERIOD])
    return None if days is None else (now or utcnow()) - timedelta(days=days)


def first_touch_of(stored: Mapping[str, Any] | None, last: Touch) -> Touch:
    """The application's first touch, or its last one when the browser remembered none."""
    if not isinstance(stored, Mapping) or not stored.get("channel"):
        return last
    return Touch(
        channel=str(stored.get("channel")),
        share_channel=stored.get("share_channel") or None,
        ambassador_code=stored.get("ambassador_code") or None,
    )


def build_report(organization_id: int, period: str = DEFAULT_PERIOD) -> AttributionReport:
    """Everything the report page shows for one organization and period."""
    period = period if period in PERIODS else DEFAULT_PERIOD
    since = period_start(period)
    report = AttributionReport(period=period)
    ambassadors = organization_ambassadors(organization_id, active_only=False)
    names = {ambassador.code: ambassador.user.name for ambassador in ambassadors}

    jobs: dict[int, FunnelRow] = defaultdict(lambda: FunnelRow(""))
    people: dict[str, FunnelRow] = defaultdict(lambda: FunnelRow(""))
    share_channels: dict[str, FunnelRow] = defaultdict(lambda: FunnelRow(""))
    channels: dict[str, FunnelRow] = defaultdict(lambda: FunnelRow(""))

    for job_id, total, unique in click_counts(organization_id, ShareLink.job_id, since):
        jobs[job_id].clicks, jobs[job_id].unique_clicks = total, unique
    for channel, total, unique in click_counts(organization_id, ShareLink.channel, since):
        share_channels[channel].clicks, share_channels[channel].unique_clicks = total, unique
    codes = {ambassador.id: ambassador.code for ambassador in ambassadors}
    for ambassador_id, total, unique in click_counts(organization_id, ShareLink.ambassador_id, since):
        row = people[codes[ambassador_id]]
        row.clicks, row.unique_clicks = total, unique

    add_views(organization_id, since, jobs, people, share_channels, channels)
    add_applications(organization_id, since, jobs, people, share_channels, channels)

    stats = ambassador_stats(organization_id, ambassadors, since)
    for ambassador in ambassadors:
        row = people[ambassador.code]
        row.points = stats[ambassador.id].points
        row.active = ambassador.user.active
    for code, row in people.items():
        row.label = names.get(code) or str(_l("Unknown code %(code)s", code=code))
    report.by_ambassador = sorted(people.values(), key=lambda row: (-(row.points or 0), row.label))

    titles = (
        dict(db.session.execute(db.select(Job.id, Job.title).where(Job.id.in_(list(jobs)))).all())
        if jobs
        else {}
    )
    for job_id, row in jobs.items():
        row.label = titles.get(job_id, "—")
    report.by_job = sorted(
        (row for row in jobs.values() if not row.empty),
        key=lambda row: (-row.applications_last, -row.unique_clicks, row.label),
    )
    for channel, row in share_channels.items():
        row.label = str(CHANNEL_LABELS.get(channel, channel))
    report.by_share_channel = sorted(
        (row for row in share_channels.values() if not row.empty),
        key=lambda row: (-row.unique_clicks, row.label),
    )
    for channel, row in channels.items():
        row.label = source_label(channel)
    report.by_channel = sorted(
        channels.values(), key=lambda row: (-row.applications_last, -row.views, row.label)
    )
    report.total = sum_rows(report.by_job)
    return report


def add_views(organization_id, since, jobs, people, share_channels, channels) -> None:
    """Job card views: all of them per channel, the ambassadors' ones per job, ambassador and share channel."""
    query = db.select(
        JourneyEvent.channel,
        JourneyEvent.job_id,
        JourneyEvent.ambassador_code,
        JourneyEvent.share_channel,
        db.func.count(JourneyEvent.id),
    ).where(JourneyEvent.organization_id == organization_id, JourneyEvent.type == EventType.CARD_VIEW.value)
    if since is not None:
        query = query.where(JourneyEvent.occurred_at >= since)
    grouped = query.group_by(
        JourneyEvent.channel, JourneyEvent.job_id, JourneyEvent.ambassador_code, JourneyEvent.share_channel
    )
    for channel, job_id, code, share_channel, count in db.session.execute(grouped):
        channels[channel].views += count
        if channel != Channel.AMBASSADOR.value or not code:
            continue
        if job_id is not None:
            jobs[job_id].views += count
        people[code].views += count
        if share_channel:
            share_channels[share_channel].views += count


def add_applications(organization_id, since, jobs, people, share_channels, channels) -> None:
    """Applications and hires, each credited by its last touch and by its first touch."""
    hired = hired_stage_keys(organization_id)
    query = db.select(
        Application.job_id,
        Application.stage,
        Application.channel,
        Application.share_channel,
        Application.ambassador_code,
        Application.first_touch,
    ).where(Application.organization_id == organization_id)
    if since is not None:
        query = query.where(Application.submitted_at >= since)
    for job_id, stage, channel, share_channel, code, stored in db.session.execute(query):
        last = Touch(channel or Channel.DIRECT.value, share_channel, code)
        first = first_touch_of(stored, last)
        is_hire = stage in hired
        for touch, suffix in ((last, "last"), (first, "first")):
            rows = [channels[touch.channel]]
            if touch.is_ambassador:
                rows += [jobs[job_id], people[touch.ambassador_code]]
                if touch.share_channel:
                    rows.append(share_channels[touch.share_channel])
            for row in rows:
                setattr(row, f"applications_{suffix}", getattr(row, f"applications_{suffix}") + 1)
                if is_hire:
                    setattr(row, f"hires_{suffix}", getattr(row, f"hires_{suffix}") + 1)


def source_label(channel: str) -> str:
    """A journey channel's translated name (unknown values as they are)."""
    try:
        return str(SOURCE_LABELS[Channel(channel)])
    except ValueError:
        return channel


def sum_rows(rows: list[FunnelRow]) -> FunnelRow:
    """A total line."""
    total = FunnelRow(str(_l("Total")))
    for row in rows:
        for name in (
            "clicks",
            "unique_clicks",
            "views",
            "applications_last",
            "applications_first",
            "hires_last",
            "hires_first",
        ):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return total
