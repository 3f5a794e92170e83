# SPDX-License-Identifier: AGPL-3.0-or-later
"""How long applications stay in each stage, and how long a hire takes."""

from __future__ import annotations

from collections import defaultdict

from flask_babel import gettext as _
from sqlalchemy import func

from app.analytics.filters import DashboardFilters
from app.analytics.sql import days_between
from app.analytics.tables import COUNT, DAYS, TEXT, Chart, Column, Table, mean_days, median_days
from app.core.extensions import db
from app.models import Application, ApplicationStageChange, Job, UTCDateTime
from app.pipeline.stages import hired_stage_keys, stages_for


def job_applications(filters: DashboardFilters):
    """The ids of the job's applications, when the dashboard is about one job."""
    return db.select(Application.id).where(
        Application.organization_id == filters.organization_id, Application.job_id == filters.job_id
    )


def finished_stays(filters: DashboardFilters) -> dict[str, list[float]]:
    """Durations in days of the stays in each stage that ended in the range.

    A stay starts with a stage change and ends with the application's next one; stays still
    going on are not counted (they have no length yet).
    """
    changes = ApplicationStageChange
    touched = db.select(changes.application_id).where(
        changes.organization_id == filters.organization_id,
        changes.changed_at >= filters.start,
        changes.changed_at < filters.end,
    )
    left_at = func.lead(changes.changed_at, type_=UTCDateTime).over(
        partition_by=changes.application_id, order_by=(changes.changed_at, changes.id)
    )
    # ``touched`` is the organization's already: reaching changes by application uses its index.
    conditions = [changes.application_id.in_(touched)]
    if filters.job_id is not None:
        conditions.append(changes.application_id.in_(job_applications(filters)))
    stays = (
        db.select(
            changes.to_stage.label("stage"), changes.changed_at.label("entered"), left_at.label("left_at")
        )
        .where(*conditions)
        .subquery()
    )
    rows = db.session.execute(
        db.select(stays.c.stage, days_between(stays.c.entered, stays.c.left_at)).where(
            stays.c.left_at >= filters.start, stays.c.left_at < filters.end
        )
    )
    durations: dict[str, list[float]] = defaultdict(list)
    for stage, days in rows:
        durations[stage].append(float(days))
    return durations


def time_in_stage_table(filters: DashboardFilters) -> Table:
    """Mean and median days in each stage, over the stays that ended in the range."""
    durations = finished_stays(filters)
    table = Table(
        "stage_times",
        _("Time in each stage"),
        [
            Column("stage", _("Stage"), TEXT),
            Column("stays", _("Finished stays"), COUNT),
            Column("mean_days", _("Mean days"), DAYS),
            Column("median_days", _("Median days"), DAYS),
        ],
        chart=Chart("bar", "stage", ("mean_days", "median_days"), horizontal=True),
    )
    stages = stages_for(filters.organization_id, include_archived=True)
    known = {stage.key for stage in stages}
    ordered = [(stage.key, stage.name) for stage in stages] + [
        (key, key) for key in sorted(durations) if key not in known
    ]
    for key, name in ordered:
        values = durations.get(key)
        if values:
            table.rows.append([name, len(values), mean_days(values), median_days(values)])
    return table


def hire_durations(filters: DashboardFilters) -> dict[int, list[float]]:
    """Days from submission to the first move into a hired stage, per job, for hires made in the range."""
    changes = ApplicationStageChange
    hired_keys = hired_stage_keys(filters.organization_id)
    hired_in_range = db.select(changes.application_id).where(
        changes.organization_id == filters.organization_id,
        changes.to_stage.in_(hired_keys),
        changes.changed_at >= filters.start,
        changes.changed_at < filters.end,
    )
    first_hire = (
        db.select(changes.application_id, func.min(changes.changed_at).label("hired_at"))
        .where(
            changes.organization_id == filters.organization_id,
            changes.to_stage.in_(hired_keys),
            changes.application_id.in_(hired_in_range),
        )
        .group_by(changes.application_id)
        .subquery()
    )
    query = (
        db.select(Application.job_id, days_between(Application.submitted_at, first_hire.c.hired_at))
        .join(first_hire, first_hire.c.application_id == Application.id)
        .where(first_hire.c.hired_at >= filters.start, first_hire.c.hired_at < filters.end)
    )
    if filters.job_id is not None:
        query = query.where(Application.job_id == filters.job_id)
    durations: dict[int, list[float]] = defaultdict(list)
    for job_id, days in db.session.execute(query):
        durations[job_id].append(float(days))
    return durations


def time_to_hire_table(filters: DashboardFilters) -> Table:
    """Hires made in the range: how many, and mean and median days from applying; all jobs first."""
    durations = hire_durations(filters)
    table = Table(
        "time_to_hire",
        _("Time to hire"),
        [
            Column("job", _("Job"), TEXT),
            Column("hires", _("Hires"), COUNT),
            Column("mean_days", _("Mean days"), DAYS),
            Column("median_days", _("Median days"), DAYS),
        ],
    )
    everything = [days for values in durations.values() for days in values]
    if not everything:
        return table
    if filters.job_id is None:
        table.rows.append([_("All jobs"), len(everything), mean_days(everything), median_days(everything)])
    titles = {
        job_id: title
        for job_id, title in db.session.execute(
            db.select(Job.id, Job.title).where(Job.id.in_(list(durations)))
        )
    }
    for job_id in sorted(durations, key=lambda job_id: (titles.get(job_id, ""), job_id)):
        values = durations[job_id]
        table.rows.append([titles.get(job_id, ""), len(values), mean_days(values), median_days(values)])
    return table
