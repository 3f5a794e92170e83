# SPDX-License-Identifier: AGPL-3.0-or-later
"""Indexes the analytics dashboards need on tables other areas own (no tables of its own).

Journey events stay append-only; these indexes serve the dashboard's range scans and the
cheap "has anything changed?" version behind its ETag.
"""

from __future__ import annotations

from sqlalchemy import Index

from app.models.candidate import Application, ApplicationStageChange
from app.models.journey import JourneyEvent

_events = JourneyEvent.__table__.c
_applications = Application.__table__.c
_changes = ApplicationStageChange.__table__.c

# The newest event of an organization in one index step: the live dashboard's data version.
Index("ix_journey_events_org_id", _events.organization_id, _events.id)
# Views by source read from the index alone (measured: 4.2 s → 1.9 s for a year of 600,000 views
# on SQLite); it starts like ix_journey_events_org_type_occurred, which it can replace.
Index(
    "ix_journey_events_org_type_sources",
    _events.organization_id,
    _events.type,
    _events.occurred_at,
    _events.channel,
    _events.embed_host,
    _events.utm_source,
    _events.utm_medium,
    _events.utm_campaign,
    _events.ambassador_code,
    _events.job_id,
)
# The cohort: an organization's applications submitted in a range.
Index("ix_applications_org_submitted", _applications.organization_id, _applications.submitted_at)
# Stage changes in a range (time in stage, the journey export) and moves into given stages (hires).
Index("ix_application_stage_changes_org_changed", _changes.organization_id, _changes.changed_at)
Index(
    "ix_application_stage_changes_org_to_stage",
    _changes.organization_id,
    _changes.to_stage,
    _changes.changed_at,
)
