# SPDX-License-Identifier: AGPL-3.0-or-later
"""The funnel from a job card to a hire, and where candidates leave an interview.

See ``app/analytics/services.py`` for the definitions of every step.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import Select, case, func, literal, or_, union_all

from app.analytics.filters import DashboardFilters
from app.analytics.tables import PERCENT, TEXT, Chart, Column, Table, percent
from app.core.extensions import db
from app.models import (
    Application,
    ApplicationStage,
    ApplicationStageChange,
    EventType,
    InterviewInvitation,
    JourneyEvent,
    StageKind,
)
from app.pipeline.stages import stages_for

# The built-in stages a cohort application can reach, in funnel order (after "applied").
COHORT_STEPS = (
    ApplicationStage.INTERVIEW_INVITED,
    ApplicationStage.INTERVIEW_COMPLETED,
    ApplicationStage.SHORTLISTED,
    ApplicationStage.HIRED,
)
HIRED_STEP = ApplicationStage.HIRED.value


@dataclass(frozen=True)
class FunnelCounts:
    """The number at each step of the funnel, top to bottom."""

    card_views: int
    apply_started: int
    applied: int
    reached: dict[str, int | None]


def event_filter(filters: DashboardFilters, *types: str) -> list:
    """Journey events of the organization in the range (of the job, and of these types if given)."""
    conditions = [
        JourneyEvent.organization_id == filters.organization_id,
        JourneyEvent.occurred_at >= filters.start,
        JourneyEvent.occurred_at < filters.end,
    ]
    if types:
        conditions.append(JourneyEvent.type.in_(types))
    if filters.job_id is not None:
        conditions.append(JourneyEvent.job_id == filters.job_id)
    return conditions


def cohort_filter(filters: DashboardFilters) -> list:
    """Applications of the organization submitted in the range (and to the job): the cohort."""
    conditions = [
        Application.organization_id == filters.organization_id,
        Application.submitted_at >= filters.start,
        Application.submitted_at < filters.end,
    ]
    if filters.job_id is not None:
        conditions.append(Application.job_id == filters.job_id)
    return conditions


def cohort_ids(filters: DashboardFilters) -> Select:
    """The ids of the cohort's applications, as a subquery to filter other tables by."""
    return db.select(Application.id).where(*cohort_filter(filters))


def count_events(filters: DashboardFilters, *types: str) -> dict[str, int]:
    """How many events of each type happened in the range."""
    rows = db.session.execute(
        db.select(JourneyEvent.type, func.count())
        .where(*event_filter(filters, *types))
        .group_by(JourneyEvent.type)
    )
    counts = dict.fromkeys(types, 0)
    counts.update({event_type: count for event_type, count in rows})
    return counts


def stage_ranks(organization_id: int) -> dict[str, int]:
    """Each stage's place in the funnel order: open stages in pipeline order, then every hired stage.

    Rejected and withdrawn stages have no place: reaching them says nothing about progress.
    """
    stages = stages_for(organization_id, include_archived=True)
    open_stages = [stage for stage in stages if stage.kind == StageKind.OPEN]
    ranks = {stage.key: rank for rank, stage in enumerate(open_stages)}
    ranks.update({stage.key: len(open_stages) for stage in stages if stage.kind == StageKind.HIRED})
    ranks.setdefault(HIRED_STEP, len(open_stages))
    return ranks


def cohort_reach(filters: DashboardFilters) -> tuple[int, dict[str, int | None]]:
    """The cohort's size and how many of its applications reached each later step."""
    ranks = stage_ranks(filters.organization_id)
    cohort = cohort_ids(filters)
    # Every stage an application was ever in: its recorded moves, its current stage, and the
    # interview steps its invitations prove even where no stage move was recorded.
    visited = union_all(
        db.select(
            ApplicationStageChange.application_id, ApplicationStageChange.to_stage.label("stage")
        ).where(ApplicationStageChange.application_id.in_(cohort)),
        db.select(Application.id.label("application_id"), Application.stage.label("stage")).where(
            *cohort_filter(filters)
        ),
        db.select(
            InterviewInvitation.application_id,
            case(
                (
                    InterviewInvitation.completed_at.is_not(None),
                    literal(ApplicationStage.INTERVIEW_COMPLETED.value),
                ),
                else_=literal(ApplicationStage.INTERVIEW_INVITED.value),
            ).label("stage"),
        ).where(InterviewInvitation.application_id.in_(cohort)),
    ).subquery()
    rank = case(ranks, value=visited.c.stage, else_=None) if ranks else literal(None)
    furthest = (
        db.select(visited.c.application_id, func.max(rank).label("furthest")).group_by(
            visited.c.application_id
        )
    ).subquery()
    step_ranks = {str(step): ranks.get(str(step)) for step in COHORT_STEPS}
    sums = [
        func.coalesce(func.sum(case((furthest.c.furthest >= step_rank, 1), else_=0)), 0)
        for step_rank in step_ranks.values()
        if step_rank is not None
    ]
    row = db.session.execute(db.select(func.count(), *sums).select_from(furthest)).one()
    values = iter(row[1:])
    reached = {
        step: (int(next(values)) if step_rank is not None else None) for step, step_rank in step_ranks.items()
    }
    return int(row[0]), reached


def funnel_counts(filters: DashboardFilters) -> FunnelCounts:
    """Every step's number for the range."""
    events = count_events(filters, EventType.CARD_VIEW.value, EventType.APPLY_START.value)
    applied, reached = cohort_reach(filters)
    return FunnelCounts(events[EventType.CARD_VIEW], events[EventType.APPLY_START], applied, reached)


def step_labels() -> list[tuple[str, str]]:
    """The funnel's steps: key and translated name."""
    return [
        ("card_views", _("Job card views")),
        ("apply_started", _("Apply started")),
        ("applied", _("Applied")),
        (ApplicationStage.INTERVIEW_INVITED.value, _("Interview invited")),
        (ApplicationStage.INTERVIEW_COMPLETED.value, _("Interview completed")),
        (ApplicationStage.SHORTLISTED.value, _("Shortlisted")),
        (ApplicationStage.HIRED.value, _("Hired")),
    ]


def funnel_table(filters: DashboardFilters) -> Table:
    """The funnel with conversion from the step before, drop-off, and share of the first step."""
    counts = funnel_counts(filters)
    values: dict[str, int | None] = {
        "card_views": counts.card_views,
        "apply_started": counts.apply_started,
        "applied": counts.applied,
        **counts.reached,
    }
    table = Table(
        "funnel",
        _("Funnel"),
        [
            Column("step", _("Step"), TEXT),
            Column("count", _("Count")),
            Column("conversion", _("Conversion from the step before"), PERCENT),
            Column("drop_off", _("Drop-off from the step before")),
            Column("of_first", _("Share of job card views"), PERCENT),
        ],
        chart=Chart("bar", "step", ("count",), horizontal=True),
    )
    previous: int | None = None
    first = counts.card_views
    for key, label in step_labels():
        count = values[key]
        if count is None:
            continue
        conversion = percent(count, previous) if previous is not None else None
        drop_off = previous - count if previous is not None else None
        table.rows.append([label, count, conversion, drop_off, percent(count, first)])
        previous = count
    return table


def question_counts(filters: DashboardFilters) -> dict[int, dict[str, int]]:
    """Started and submitted events per question ordinal (retakes not counted again)."""
    ordinal = JourneyEvent.data["question"].as_integer().label("ordinal")
    attempt = JourneyEvent.data["attempt"].as_integer()
    rows = db.session.execute(
        db.select(JourneyEvent.type, ordinal, func.count())
        .where(
            *event_filter(filters, EventType.QUESTION_STARTED.value, EventType.QUESTION_SUBMITTED.value),
            or_(attempt.is_(None), attempt <= 1),
        )
        .group_by(JourneyEvent.type, ordinal)
    )
    counts: dict[int, dict[str, int]] = {}
    for event_type, number, count in rows:
        if number is None:
            continue
        counts.setdefault(int(number), {"started": 0, "submitted": 0})[
            "started" if event_type == EventType.QUESTION_STARTED else "submitted"
        ] += count
    return counts


def questions_table(filters: DashboardFilters) -> Table:
    """Per interview question (in answering order): how many started it, sent it, and left there."""
    table = Table(
        "questions",
        _("Interview questions"),
        [
            Column("question", _("Question"), TEXT),
            Column("started", _("Starts")),
            Column("submitted", _("Submissions")),
            Column("dropped", _("Left without submitting")),
            Column("drop_off", _("Drop-off"), PERCENT),
        ],
        chart=Chart("bar", "question", ("started", "submitted")),
    )
    for number, count in sorted(question_counts(filters).items()):
        dropped = count["started"] - count["submitted"]
        table.rows.append(
            [
                _("Question %(number)d", number=number),
                count["started"],
                count["submitted"],
                dropped,
                percent(dropped, count["started"]),
            ]
        )
    return table
