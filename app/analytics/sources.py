# SPDX-License-Identifier: AGPL-3.0-or-later
"""Where views and applications came from: channel, embedding site, campaign and ambassador."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import TypeVar

from flask_babel import gettext as _
from sqlalchemy import func

from app.analytics.filters import DashboardFilters
from app.analytics.funnel import cohort_filter, event_filter
from app.analytics.tables import PERCENT, TEXT, Chart, Column, Table, percent
from app.applications.services import CHANNEL_LABELS
from app.core.extensions import db
from app.models import Application, Channel, EventType, JourneyEvent

K = TypeVar("K", bound=Hashable)  # what roll_up groups by

# The attribution columns the source tables group by, in this order.
SOURCE_COLUMNS = ("channel", "embed_host", "utm_source", "utm_medium", "utm_campaign", "ambassador_code")


@dataclass(frozen=True)
class SourceKey:
    """One combination of attribution values."""

    channel: str
    embed_host: str | None
    utm_source: str | None
    utm_medium: str | None
    utm_campaign: str | None
    ambassador_code: str | None


@dataclass
class SourceCounts:
    """Job card views (events in the range) and applications (the cohort) per attribution."""

    views: Counter[SourceKey] = field(default_factory=Counter)
    applications: Counter[SourceKey] = field(default_factory=Counter)


def count_sources(filters: DashboardFilters) -> SourceCounts:
    """Views and applications grouped by every attribution column the tables need, in two queries."""
    counts = SourceCounts()
    view_columns = [getattr(JourneyEvent, name) for name in SOURCE_COLUMNS]
    for *values, count in db.session.execute(
        db.select(*view_columns, func.count())
        .where(*event_filter(filters, EventType.CARD_VIEW.value))
        .group_by(*view_columns)
    ):
        counts.views[SourceKey(*values)] += count
    application_columns = [getattr(Application, name) for name in SOURCE_COLUMNS]
    for *values, count in db.session.execute(
        db.select(*application_columns, func.count())
        .where(*cohort_filter(filters))
        .group_by(*application_columns)
    ):
        counts.applications[SourceKey(*values)] += count
    return counts


def roll_up(counts: SourceCounts, key: Callable[[SourceKey], K | None]) -> list[tuple[K, int, int]]:
    """Views and applications per value of ``key`` (None values left out), most viewed first."""
    views: Counter[K | None] = Counter()
    applications: Counter[K | None] = Counter()
    for source, count in counts.views.items():
        views[key(source)] += count
    for source, count in counts.applications.items():
        applications[key(source)] += count
    keys = [value for value in set(views) | set(applications) if value is not None]
    keys.sort(key=lambda value: (-views[value], -applications[value], str(value)))
    return [(value, views[value], applications[value]) for value in keys]


def measure_columns() -> list[Column]:
    """Views, applications and their ratio."""
    return [
        Column("views", _("Job card views")),
        Column("applications", _("Applications")),
        Column("conversion", _("Applications per view"), PERCENT),
    ]


def source_columns(first: Column) -> list[Column]:
    """A label column, then views, applications and their ratio."""
    return [first, *measure_columns()]


def channel_label(channel: str) -> str:
    """A channel's translated name (unknown values as they are)."""
    try:
        return str(CHANNEL_LABELS[Channel(channel)])
    except ValueError:
        return channel


def channels_table(counts: SourceCounts) -> Table:
    """Views and applications per channel (career site, embed, ambassador, campaign, direct...)."""
    table = Table(
        "channels",
        _("Channels"),
        source_columns(Column("channel", _("Channel"), TEXT)),
        chart=Chart("bar", "channel", ("views", "applications")),
    )
    for channel, views, applications in roll_up(counts, lambda source: source.channel):
        table.rows.append([channel_label(str(channel)), views, applications, percent(applications, views)])
    return table


def embed_hosts_table(counts: SourceCounts) -> Table:
    """Views and applications per website embedding the job widget."""
    table = Table(
        "embed_hosts",
        _("Websites embedding your jobs"),
        source_columns(Column("host", _("Website"), TEXT)),
        chart=Chart("bar", "host", ("views", "applications"), horizontal=True),
    )
    for host, views, applications in roll_up(counts, lambda source: source.embed_host):
        table.rows.append([str(host), views, applications, percent(applications, views)])
    return table


def campaign_of(source: SourceKey) -> tuple[str, str, str] | None:
    """The utm source, medium and campaign of an attribution; None without any of them."""
    if not (source.utm_source or source.utm_medium or source.utm_campaign):
        return None
    return (source.utm_source or "", source.utm_medium or "", source.utm_campaign or "")


def campaigns_table(counts: SourceCounts) -> Table:
    """Views and applications per utm source, medium and campaign."""
    table = Table(
        "campaigns",
        _("Campaigns (utm)"),
        [
            Column("utm_source", _("Source"), TEXT),
            Column("utm_medium", _("Medium"), TEXT),
            Column("utm_campaign", _("Campaign"), TEXT),
            *measure_columns(),
        ],
    )
    for campaign, views, applications in roll_up(counts, campaign_of):
        source, medium, name = campaign
        table.rows.append([source, medium, name, views, applications, percent(applications, views)])
    return table
