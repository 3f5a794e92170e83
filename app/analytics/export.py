# SPDX-License-Identifier: AGPL-3.0-or-later
"""The whole journey as JSON Lines, for a data warehouse: journey events, then stage changes.

Each line is one JSON object with ``"kind": "event"`` or ``"kind": "stage_change"``. Nothing
personal is in it: events carry their type, time, job, attribution and data (question numbers,
page paths, share targets), never the visitor hash; stage changes carry the application's
internal number, the stages and whether staff made the move, never who the candidate is.
Rows are read in batches by keyset, so a year of events streams in constant memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import tuple_

from app.analytics.filters import DashboardFilters
from app.analytics.funnel import event_filter
from app.core.extensions import db
from app.models import Application, ApplicationStageChange, JourneyEvent
from app.models.base import ATTRIBUTION_FIELDS

BATCH_SIZE = 2000


def iso(moment: datetime) -> str:
    """A UTC timestamp as ISO 8601 with a Z."""
    return moment.isoformat().replace("+00:00", "Z")


def event_record(event: JourneyEvent) -> dict:
    """One journey event as an export line."""
    return {
        "kind": "event",
        "id": event.id,
        "type": event.type,
        "occurred_at": iso(event.occurred_at),
        "job_id": event.job_id,
        **{name: getattr(event, name) for name in ATTRIBUTION_FIELDS},
        "data": event.data or {},
    }


def stage_change_record(change: ApplicationStageChange, job_id: int) -> dict:
    """One stage change as an export line."""
    return {
        "kind": "stage_change",
        "id": change.id,
        "type": "stage_changed",
        "occurred_at": iso(change.changed_at),
        "job_id": job_id,
        "application_id": change.application_id,
        "from_stage": change.from_stage,
        "to_stage": change.to_stage,
        "by_staff": change.actor_user_id is not None,
    }


def journey_events(filters: DashboardFilters) -> Iterator[JourneyEvent]:
    """The range's events in time order, one batch at a time."""
    after: tuple[datetime, int] | None = None
    while True:
        query = db.select(JourneyEvent).where(*event_filter(filters))
        if after is not None:
            query = query.where(tuple_(JourneyEvent.occurred_at, JourneyEvent.id) > after)
        batch = db.session.scalars(
            query.order_by(JourneyEvent.occurred_at, JourneyEvent.id).limit(BATCH_SIZE)
        ).all()
        yield from batch
        if len(batch) < BATCH_SIZE:
            return
        after = (batch[-1].occurred_at, batch[-1].id)
        db.session.expunge_all()


def stage_changes(filters: DashboardFilters) -> Iterator[tuple[ApplicationStageChange, int]]:
    """The range's stage changes in time order, with their application's job, one batch at a time."""
    after: tuple[datetime, int] | None = None
    while True:
        query = (
            db.select(ApplicationStageChange, Application.job_id)
            .join(Application, Application.id == ApplicationStageChange.application_id)
            .where(
                ApplicationStageChange.organization_id == filters.organization_id,
                ApplicationStageChange.changed_at >= filters.start,
                ApplicationStageChange.changed_at < filters.end,
            )
        )
        if filters.job_id is not None:
            query = query.where(Application.job_id == filters.job_id)
        if after is not None:
            query = query.where(tuple_(ApplicationStageChange.changed_at, ApplicationStageChange.id) > after)
        order = (ApplicationStageChange.changed_at, ApplicationStageChange.id)
        batch = [
            (change, job_id)
            for change, job_id in db.session.execute(query.order_by(*order).limit(BATCH_SIZE))
        ]
        yield from batch
        if len(batch) < BATCH_SIZE:
            return
        after = (batch[-1][0].changed_at, batch[-1][0].id)
        db.session.expunge_all()


def journey_lines(filters: DashboardFilters) -> Iterator[str]:
    """Every line of the export, each ending with a newline."""
    for event in journey_events(filters):
        yield json.dumps(event_record(event), ensure_ascii=False, separators=(",", ":")) + "\n"
    for change, job_id in stage_changes(filters):
        yield (
            json.dumps(stage_change_record(change, job_id), ensure_ascii=False, separators=(",", ":")) + "\n"
        )
